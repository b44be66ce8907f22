// A scripted fetch for webhook tests: records requests, answers from a handler, honours the abort signal.

/** One request as the webhook sent it. */
export interface RecordedRequest {
  url: string;
  method: string;
  headers: Headers;
  body: string;
  redirect?: RequestRedirect;
}

/** What the handler returns: a Response, or an Error to reject with. */
export type FetchAnswer = Response | Error;

/** A fake fetch plus what it saw. */
export interface FakeFetch {
  fetch: typeof fetch;
  requests: RecordedRequest[];
}

/** Creates a fake fetch; the handler may wait (it is raced against the request's signal). */
export function fakeFetch(
  handler: (request: RecordedRequest) => FetchAnswer | Promise<FetchAnswer>,
): FakeFetch {
  const requests: RecordedRequest[] = [];
  const fetchFn = async (
    input: string | URL | Request,
    init: RequestInit = {},
  ): Promise<Response> => {
    const recorded: RecordedRequest = {
      url: String(input),
      method: init.method ?? "GET",
      headers: new Headers(init.headers),
      body: typeof init.body === "string" ? init.body : "",
      redirect: init.redirect,
    };
    requests.push(recorded);
    const signal = init.signal;
    const aborted = new Promise<never>((_, reject) => {
      if (!signal) return;
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener("abort", () => reject(signal.reason), {
        once: true,
      });
    });
    const answer = await Promise.race([
      Promise.resolve(handler(recorded)),
      aborted,
    ]);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { fetch: fetchFn as typeof fetch, requests };
}

/** A promise with its resolver, for handlers that wait until the test says so. */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
} {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Timeout signals the test fires by hand; records the requested milliseconds. */
export function manualTimeouts(): {
  timeoutSignal: (ms: number) => AbortSignal;
  requested: number[];
  fireAll: () => void;
} {
  const controllers: AbortController[] = [];
  const requested: number[] = [];
  return {
    timeoutSignal(ms: number): AbortSignal {
      requested.push(ms);
      const controller = new AbortController();
      controllers.push(controller);
      return controller.signal;
    },
    requested,
    fireAll() {
      for (const c of controllers) {
        c.abort(new DOMException("Signal timed out.", "TimeoutError"));
      }
    },
  };
}

/** A logger that keeps its lines. */
export function recordingLogger(): {
  lines: { level: string; message: string; fields?: Record<string, unknown> }[];
  debug: (m: string, f?: Record<string, unknown>) => void;
  info: (m: string, f?: Record<string, unknown>) => void;
  warn: (m: string, f?: Record<string, unknown>) => void;
  error: (m: string, f?: Record<string, unknown>) => void;
} {
  const lines: {
    level: string;
    message: string;
    fields?: Record<string, unknown>;
  }[] = [];
  const at =
    (level: string) => (message: string, fields?: Record<string, unknown>) =>
      lines.push({ level, message, fields });
  return {
    lines,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  };
}
