// Bench helpers: latency statistics, the wrk load generator, and child processes that speak JSON lines.

/** One measured load run. */
export interface LoadResult {
  /** Requests (or iqs) completed in the measured window. */
  readonly requests: number;
  /** Of those, how many had an unexpected status. */
  readonly errors: number;
  /** Length of the measured window, seconds. */
  readonly seconds: number;
  /** Median latency, ms. */
  readonly p50: number;
  /** 99th percentile latency, ms. */
  readonly p99: number;
}

/** Requests per second of a run. */
export function rate(r: LoadResult): number {
  return r.requests / r.seconds;
}

/** The `p` quantile (0..1) of latencies, nearest rank. */
export function quantile(latencies: readonly number[], p: number): number {
  if (latencies.length === 0) return NaN;
  const sorted = Float64Array.from(latencies).sort();
  const rank = Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
  return sorted[Math.max(0, rank)];
}

/**
 * Runs `count` copies of `once` at most `concurrency` at a time for
 * `seconds` (each loop stops starting new ones after that); `once`
 * resolves to true when the outcome was the expected one.
 */
export async function closedLoop(
  concurrency: number,
  seconds: number,
  once: () => Promise<boolean>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const ok = await once();
      latencies.push(performance.now() - t);
      if (!ok) errors++;
    }
  }));
  return {
    requests: latencies.length,
    errors,
    seconds: (performance.now() - started) / 1000,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
  };
}

/** True when `wrk` is on the PATH. */
export function wrkInstalled(): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((dir) => {
    try {
      return dir !== "" && Deno.statSync(`${dir}/wrk`).isFile;
    } catch {
      return false;
    }
  });
}

/** A POST that a load generator repeats. */
export interface LoadRequest {
  /** Full URL. */
  readonly url: string;
  /** Request headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** Request body. */
  readonly body: string;
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === "us"
    ? n / 1000
    : unit === "ms"
    ? n
    : unit === "s"
    ? n * 1000
    : n * 60_000;
}

const luaString = (s: string) => JSON.stringify(s);

/**
 * Runs `wrk` (one thread, `concurrency` connections) for `seconds` and
 * parses its summary. Non-2xx answers and socket errors count as errors.
 */
export async function runWrk(
  request: LoadRequest,
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  const script = await Deno.makeTempFile({ suffix: ".lua" });
  try {
    const lines = [
      `wrk.method = "POST"`,
      `wrk.body = ${luaString(request.body)}`,
    ];
    for (const [k, v] of Object.entries(request.headers)) {
      lines.push(`wrk.headers[${luaString(k)}] = ${luaString(v)}`);
    }
    await Deno.writeTextFile(script, lines.join("\n") + "\n");
    const out = await new Deno.Command("wrk", {
      args: [
        "-t1",
        `-c${concurrency}`,
        `-d${seconds}s`,
        "--timeout",
        "10s",
        "--latency",
        "-s",
        script,
        request.url,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    const total = text.match(/(\d+) requests in ([\d.]+)(\w+)/);
    const p50 = text.match(/^\s+50%\s+([\d.]+)(\w+)/m);
    const p99 = text.match(/^\s+99%\s+([\d.]+)(\w+)/m);
    if (!out.success || !total || !p50 || !p99) {
      throw new Error(
        `Cannot parse wrk output: ${text}${
          new TextDecoder().decode(out.stderr)
        }`,
      );
    }
    const non2xx = Number(
      text.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0,
    );
    const socket = text.match(
      /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/,
    );
    const socketErrors = socket
      ? socket.slice(1).reduce((a, b) => a + Number(b), 0)
      : 0;
    return {
      requests: Number(total[1]),
      errors: non2xx + socketErrors,
      seconds: toMs(total[2], total[3]) / 1000,
      p50: toMs(p50[1], p50[2]),
      p99: toMs(p99[1], p99[2]),
    };
  } finally {
    await Deno.remove(script);
  }
}

/** A Deno child process running `bench/rest_client.ts`, exchanging one JSON object per line. */
export class Child implements AsyncDisposable {
  #process: Deno.ChildProcess;
  #lines: AsyncIterator<string>;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;

  /** Starts the child; `flags` go to `deno run` (e.g. `--v8-flags=--expose-gc`). */
  constructor(config: Readonly<Record<string, unknown>>, flags: string[] = []) {
    this.#process = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        ...flags,
        new URL("./rest_client.ts", import.meta.url).pathname,
        JSON.stringify(config),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#stdin = this.#process.stdin.getWriter();
    this.#lines = splitLines(this.#process.stdout);
  }

  /** The child's process id. */
  get pid(): number {
    return this.#process.pid;
  }

  /** The next JSON line the child prints. */
  async read<T = Record<string, unknown>>(): Promise<T> {
    const next = await this.#lines.next();
    if (next.done) throw new Error("Bench child exited early");
    return JSON.parse(next.value);
  }

  /** Sends one JSON line to the child. */
  async write(message: unknown): Promise<void> {
    await this.#stdin.write(
      new TextEncoder().encode(JSON.stringify(message) + "\n"),
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#stdin.close().catch(() => {});
    try {
      this.#process.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    await this.#process.status;
  }
}

/** Splits a byte stream into lines. */
export async function* splitLines(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<string> {
  let buffer = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    buffer += text;
    let nl;
    while ((nl = buffer.indexOf("\n")) !== -1) {
      yield buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
    }
  }
  if (buffer !== "") yield buffer;
}
