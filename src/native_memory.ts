// Gives freed native memory back to the operating system (README "Performance", SSE): glibc keeps what a thread freed in that thread's arena (malloc(3)); malloc_trim(3) returns the free pages of every arena.

/** Defaults of {@linkcode startMemoryTrim}. */
export const MEMORY_TRIM_DEFAULTS = {
  /** Seconds between trims; 0: off. */
  intervalSeconds: 10,
} as const;

/** Returns free native memory to the system; true when some was returned. */
export type TrimMemory = () => boolean;

/** What {@linkcode openMallocTrim} looks at (tests replace it). */
export interface MallocTrimHost {
  /** The operating system (`Deno.build.os`). */
  readonly os: string;
  /** Whether the FFI permission is granted (never asked: no prompt). */
  ffiGranted(): boolean;
  /** Opens the C library's `malloc_trim`; throws when there is none. */
  open(): TrimMemory;
}

/** This process: glibc's `malloc_trim(0)` through Deno's FFI. */
export const DENO_HOST: MallocTrimHost = {
  os: Deno.build.os,
  ffiGranted: () =>
    Deno.permissions.querySync({ name: "ffi" }).state === "granted",
  open() {
    const lib = Deno.dlopen("libc.so.6", {
      malloc_trim: { parameters: ["usize"], result: "i32" },
    });
    // Keep only the pad 0: free memory at the top of each heap goes too.
    return () => lib.symbols.malloc_trim(0n) === 1;
  },
};

/**
 * glibc's `malloc_trim(0)` when it can be had: on Linux with glibc, with
 * the FFI permission already granted (`deno run -A` grants it); undefined
 * elsewhere (musl, macOS, Windows, or the permission not granted), and the
 * gateway runs on without trimming.
 */
export function openMallocTrim(
  host: MallocTrimHost = DENO_HOST,
): TrimMemory | undefined {
  if (host.os !== "linux") return undefined;
  try {
    if (!host.ffiGranted()) return undefined;
    return host.open();
  } catch {
    return undefined; // no glibc, or no malloc_trim in it
  }
}

/** Options of {@linkcode startMemoryTrim}. */
export interface MemoryTrimOptions {
  /** Seconds between trims; 0 (or less) starts nothing. */
  readonly intervalSeconds: number;
  /** The trim; default {@linkcode openMallocTrim}'s (none: nothing starts). */
  readonly trim?: TrimMemory;
}

/**
 * Calls `trim` every `intervalSeconds` on a timer that does not keep the
 * process alive. Deno's and V8's background threads (V8's optimising
 * compilers above all) allocate and free native memory in their own glibc
 * arenas, which keep the freed pages: after the first burst of connections
 * some 6 MiB of them stay resident for good. A trim returns them, typically
 * in a fraction of a millisecond. Returns the stop function.
 *
 * @example
 * ```ts
 * const stop = startMemoryTrim({ intervalSeconds: 10 });
 * stop();
 * ```
 */
export function startMemoryTrim(options: MemoryTrimOptions): () => void {
  const trim = options.trim ?? openMallocTrim();
  if (trim === undefined || !(options.intervalSeconds > 0)) return () => {};
  const timer: ReturnType<typeof setInterval> = setInterval(() => {
    try {
      trim();
    } catch {
      clearInterval(timer); // a trim that fails once would fail again
    }
  }, options.intervalSeconds * 1000);
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}
