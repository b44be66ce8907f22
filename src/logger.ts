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
  const time = options.now
    ? (() => options.now!().toISOString())
    : isoTimestamp;
  const emit = (level: LogLevel) => {
    if (LOG_LEVELS.indexOf(level) < min) return () => {};
    const label = level.toUpperCase().padEnd(5);
    return (message: string, fields?: LogFields) => {
      if (format === "json") {
        write(JSON.stringify({ time: time(), level, msg: message, ...fields }));
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

const encoder = new TextEncoder();
/** Flush at once beyond this many buffered characters. */
const BATCH_LIMIT = 32_768;
let pending = "";
let scheduled = false;

function flushStderr(): void {
  scheduled = false;
  if (pending === "") return;
  const bytes = encoder.encode(pending);
  pending = "";
  try {
    for (let at = 0; at < bytes.length;) {
      at += Deno.stderr.writeSync(bytes.subarray(at));
    }
  } catch {
    // stderr closed: nowhere left to report it.
  }
}

/**
 * The default log destination: lines to stderr, written in one system call
 * per event-loop turn (or per 32 KiB) instead of one per line, as the
 * access log writes a line per request. `flush()` writes what is pending;
 * it also runs when the process exits normally (the `unload` event).
 */
export const batchedStderr: {
  /** Queues one line. */
  write(line: string): void;
  /** Writes every queued line now. */
  flush(): void;
} = {
  write(line) {
    pending += line + "\n";
    if (pending.length >= BATCH_LIMIT) return flushStderr();
    if (scheduled) return;
    scheduled = true;
    Deno.unrefTimer(setTimeout(flushStderr, 0));
  },
  flush: flushStderr,
};
globalThis.addEventListener?.("unload", flushStderr);

/** A logger that drops everything (the default for library use and tests). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
