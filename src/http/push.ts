// Push bodies: a response body the own HTTP/1.1 engine writes as its source produces it, with no ReadableStream in between (README "Performance": memory per SSE client).

/** Where a push source writes; the engine's side. */
export interface PushSink {
  /** Queues bytes for the client; the bytes still unwritten afterwards (bound them). */
  write(bytes: Uint8Array): number;
  /** Bytes queued and not yet written. */
  readonly unwritten: number;
  /** Ends the body: normally, or with an error by dropping the connection. */
  end(error?: Error): void;
}

/** What the engine tells a push source while it serves it. */
export interface PushEvents {
  /** Everything queued was written: the source may produce more. */
  drained(): void;
  /** The client went away (or the connection ended): stop producing. */
  closed(): void;
}

/** A push body: started by the engine once the head is on its way. */
export type PushSource = (sink: PushSink) => PushEvents;

const sources = new WeakMap<Response, PushSource>();

/** Set (true) on the requests of an engine that writes push bodies, usually on their prototype. */
export const PUSH_CAPABLE: unique symbol = Symbol("push capable");

/** True when `request`'s engine writes push bodies ({@linkcode pushResponse}). */
export function canPush(request: Request): boolean {
  return (request as unknown as Record<symbol, unknown>)[PUSH_CAPABLE] === true;
}

/**
 * A response whose body `source` writes straight to the connection; only
 * for a request where {@linkcode canPush} holds (other engines would send
 * it with an empty body).
 *
 * @example
 * ```ts
 * if (canPush(request)) return pushResponse(source, { headers: { "Content-Type": "text/event-stream" } });
 * ```
 */
export function pushResponse(source: PushSource, init: ResponseInit): Response {
  const response = new Response(null, init);
  sources.set(response, source);
  return response;
}

/** The push source of a response made by {@linkcode pushResponse}, if any. */
export function pushSourceOf(response: Response): PushSource | undefined {
  return sources.get(response);
}
