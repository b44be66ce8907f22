// Gives V8's grown young generation back once the gateway has gone quiet (README "Performance", SSE): V8 grows it while a burst of connections survives its collections, and shrinks it only at a collection made while allocation is low, which an idle gateway may not make for minutes.

import v8 from "node:v8";
import vm from "node:vm";
import process from "node:process";

/** Defaults of {@linkcode startIdleCollect}. */
export const IDLE_COLLECT_DEFAULTS = {
  /** Seconds between looks; 0: off. */
  intervalSeconds: 10,
  /** Most CPU the process may have used in the last interval, as a share of one core, for it to count as quiet. */
  maxCpuShare: 0.02,
  /** Young-generation bytes above which it counts as grown (V8 starts at 1 MiB or less). */
  grownYoungBytes: 4 * 1024 * 1024,
} as const;

/** What {@linkcode shouldCollect} decides on. */
export interface IdleReading {
  /** CPU time of the process in the last interval over its length (1: one core busy). */
  readonly cpuShare: number;
  /** Bytes V8's young generation holds now. */
  readonly youngBytes: number;
}

/**
 * True when a full collection is worth making: the process was quiet (no
 * collection made then delays requests or events to speak of) and the
 * young generation is grown (so the collection gives memory back).
 *
 * @example
 * ```ts
 * shouldCollect({ cpuShare: 0.001, youngBytes: 16 << 20 }); // true
 * shouldCollect({ cpuShare: 0.5, youngBytes: 16 << 20 }); // false: busy
 * ```
 */
export function shouldCollect(
  reading: IdleReading,
  limits: {
    maxCpuShare: number;
    grownYoungBytes: number;
  } = IDLE_COLLECT_DEFAULTS,
): boolean {
  return reading.cpuShare <= limits.maxCpuShare &&
    reading.youngBytes >= limits.grownYoungBytes;
}

/** The effects {@linkcode startIdleCollect} uses (tests replace them). */
export interface IdleCollectHost {
  /** CPU time of the process so far, microseconds. */
  cpuMicros(): number;
  /** Wall-clock milliseconds (monotonic). */
  now(): number;
  /** Bytes V8's young generation holds now. */
  youngBytes(): number;
  /** A full collection. */
  collect(): void;
}

/**
 * This process, when a full collection can be had: V8's `gc` function,
 * exposed in a context of its own (never on this one's global object).
 * Undefined when this Deno does not allow it.
 */
export function denoIdleHost(): IdleCollectHost | undefined {
  let gc: unknown;
  try {
    v8.setFlagsFromString("--expose-gc");
    gc = vm.runInNewContext("gc");
  } catch {
    return undefined;
  }
  if (typeof gc !== "function") return undefined;
  return {
    cpuMicros: () => {
      const { user, system } = process.cpuUsage();
      return user + system;
    },
    now: () => performance.now(),
    youngBytes: () =>
      v8.getHeapSpaceStatistics()
        .filter((space) => space.space_name.startsWith("new_"))
        .reduce((sum, space) => sum + space.space_size, 0),
    collect: gc as () => void,
  };
}

/** Options of {@linkcode startIdleCollect}. */
export interface IdleCollectOptions {
  /** Seconds between looks; 0 (or less) starts nothing. */
  readonly intervalSeconds: number;
  /** Where readings come from and collections go; default {@linkcode denoIdleHost}'s (none: nothing starts). */
  readonly host?: IdleCollectHost;
  /** Called after each collection made (e.g. to give native memory back too). */
  readonly afterCollect?: () => void;
}

/**
 * Looks every `intervalSeconds` (on a timer that does not keep the process
 * alive) and makes one full collection when {@linkcode shouldCollect} says
 * so. Returns the stop function.
 *
 * @example
 * ```ts
 * const stop = startIdleCollect({ intervalSeconds: 10 });
 * stop();
 * ```
 */
export function startIdleCollect(options: IdleCollectOptions): () => void {
  const host = options.host ?? denoIdleHost();
  if (host === undefined || !(options.intervalSeconds > 0)) return () => {};
  let cpu = host.cpuMicros();
  let at = host.now();
  const look = () => {
    try {
      lookOnce();
    } catch {
      // A reading or collection that fails once would fail again: stop.
      clearInterval(timer);
    }
  };
  const lookOnce = () => {
    const nowCpu = host.cpuMicros(), now = host.now();
    const cpuShare = (nowCpu - cpu) / 1000 / Math.max(1, now - at);
    const collect = shouldCollect({ cpuShare, youngBytes: host.youngBytes() });
    if (collect) {
      host.collect();
      options.afterCollect?.();
    }
    // The collection's own CPU does not count against the next interval.
    cpu = collect ? host.cpuMicros() : nowCpu;
    at = collect ? host.now() : now;
  };
  const timer: ReturnType<typeof setInterval> = setInterval(
    look,
    options.intervalSeconds * 1000,
  );
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}
