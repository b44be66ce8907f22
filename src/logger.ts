// Structured logging for the gateway: one line per event, text or JSON, never credentials.

/** Log levels, most verbose first. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
/** A log level. */
export type LogLevel = typeof LOG_LEVELS[number];
/** Extra structured fields of a log line. */
export type LogFields = Record<string, unknown>;

/** Where the gateway's components write their log lines. */
export interface Logger {
  /** Verbose detail (may include message bodies). */
  debug(message: string, fields?: LogFields): void;
  /** Normal operation. */
  info(message: string, fields?: LogFields): void;
  /** Something is wrong but the gateway carries on. */
  warn(message: string, fields?: LogFields): void;
  /** Something failed. */
  error(message: string, fields?: LogFields): void;
}

/** Options for {@linkcode createLogger}. */
export interface LoggerOptions {
  /** Lowest level written. Default `info`. */
  level?: LogLevel;
  /** `text` (default) or `json` lines. */
  format?: "text" | "json";
  /** Where lines go. Default: stderr, batched ({@linkcode batchedStderr}). */
  write?: (line: string) => void;
  /** Called after a warning or an error is written, so that it is not held back. Default: `batchedStderr.flush` when writing there. */
  flush?: () => void;
  /** Clock, for tests. */
  now?: () => Date;
}

/**
 * Creates a logger writing one line per call.
 *
 * @example
 * ```ts
 * const log = createLogger({ level: "debug", format: "json" });
 * log.info("stream online", { domain: "rest.example.net" });
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const min = LOG_LEVELS.indexOf(options.level ?? "info");
  const format = options.format ?? "text";
  const write = options.write ?? batchedStderr.write;
  const flushIfBatched = options.flush ??
    (write === batchedStderr.write ? batchedStderr.flush : () => {});
  const time = options.now
    ? (() => options.now!().toISOString())
    : isoTimestamp;
  const emit = (level: LogLevel) => {
    if (LOG_LEVELS.indexOf(level) < min) return () => {};
    const label = level.toUpperCase().padEnd(5);
    // A problem is written at once, with the lines before it.
    const urgent = level === "warn" || level === "error";
    return (message: string, fields?: LogFields) => {
      if (format === "json") {
        write(JSON.stringify({ time: time(), level, msg: message, ...fields }));
        if (urgent) flushIfBatched();
        return;
      }
      let line = `${time()} ${label} ${message}`;
      for (const key in fields) {
        const value = fields[key];
        if (value === undefined) continue;
        const text = typeof value === "string"
          ? value
          : typeof value === "number"
          ? String(value)
          : JSON.stringify(value);
        line += ` ${key}=${
          NEEDS_QUOTES.test(text) ? JSON.stringify(text) : text
        }`;
      }
      write(line);
      if (urgent) flushIfBatched();
    };
  };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
  };
}

const NEEDS_QUOTES = /[\s"=]/;

let lastMs = NaN;
let lastIso = "";

/** The current time as ISO 8601, formatted once per millisecond (an access line per request asks often). */
function isoTimestamp(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** Options of {@linkcode createBatchedWriter}. */
export interface BatchedWriterOptions {
  /** Takes one batch of lines (each ends with a newline). */
  sink: (text: string) => void;
  /**
   * Most milliseconds a line waits. Default 0: the end of the event-loop
   * turn (a longer wait made message POSTs' p99 latency jump from about
   * 6 ms to 70-350 ms under load, bench/e2e.ts).
   */
  delayMs?: number;
  /** Characters after which the batch goes at once. Default 32,768. */
  limit?: number;
  /** Starts the timer of a batch (default: `setTimeout`, not keeping the process alive). */
  schedule?: (flush: () => void, ms: number) => void;
}

/** A line writer that hands lines to a sink in batches. */
export interface BatchedWriter {
  /** Queues one line. */
  write(line: string): void;
  /** Hands every queued line to the sink now. */
  flush(): void;
}

/**
 * Collects lines and hands them to `sink` together: once `delayMs` has
 * passed since the first of a batch, or at once when the batch reaches
 * `limit` characters, or on `flush()`.
 *
 * @example
 * ```ts
 * const out: string[] = [];
 * const writer = createBatchedWriter({ sink: (text) => out.push(text) });
 * writer.write("one");
 * writer.write("two");
 * writer.flush(); // out: ["one\ntwo\n"]
 * ```
 */
export function createBatchedWriter(
  options: BatchedWriterOptions,
): BatchedWriter {
  const { sink } = options;
  const delayMs = options.delayMs ?? 0;
  const limit = options.limit ?? 32_768;
  const schedule = options.schedule ??
    ((flush, ms) => Deno.unrefTimer(setTimeout(flush, ms)));
  let pending = "";
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === "") return;
    const text = pending;
    pending = "";
    sink(text);
  };
  return {
    write(line) {
      pending += line + "\n";
      if (pending.length >= limit) return flush();
      if (scheduled) return;
      scheduled = true;
      schedule(flush, delayMs);
    },
    flush,
  };
}

const encoder = new TextEncoder();
/** Reused for every batch that fits (UTF-8 takes at most 3 bytes per UTF-16 unit). */
let stderrBuffer = new Uint8Array(0);

/** Writes all of `text` to stderr. */
function writeStderr(text: string): void {
  if (stderrBuffer.byteLength < text.length * 3) {
    stderrBuffer = new Uint8Array(Math.max(text.length * 3, 4096));
  }
  const { written } = encoder.encodeInto(text, stderrBuffer);
  try {
    for (let at = 0; at < written;) {
      at += Deno.stderr.writeSync(stderrBuffer.subarray(at, written));
    }
  } catch {
    // stderr closed: nowhere left to report it.
  }
}

/**
 * The default log destination: lines to stderr, written in one system call
 * per event-loop turn (or per 32 KiB) instead of one per line, as the access log
 * writes a line per request (README "Logs"). A logger made with it
 * writes warnings and errors at once. `flush()` writes what is pending; it
 * also runs when the process exits normally (the `unload` event).
 */
export const batchedStderr: BatchedWriter = createBatchedWriter({
  sink: writeStderr,
});
globalThis.addEventListener?.("unload", batchedStderr.flush);

/** A logger that drops everything (the default for library use and tests). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
