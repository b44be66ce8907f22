// RFC 9112 section 6 (message body length): writing a handler's Response on an HTTP/1.1 connection, a known length in one write, a stream as chunks.

import { encodeChunk, LAST_CHUNK } from "../http1/chunked.ts";
import { responseHead, statusHasNoBody } from "../http1/response.ts";

/** Where and how {@linkcode writeResponse} writes. */
export interface ResponseTarget {
  /** The request was HEAD: the head only, with the length a GET would get. */
  readonly head: boolean;
  /** The connection closes after this response (`Connection: close` is sent). */
  readonly close: boolean;
  /** Writes all bytes; false when the connection failed. */
  write(bytes: Uint8Array): Promise<boolean>;
  /** Receives the function that cancels a streamed body (the client went away). */
  onCancel(cancel: () => void): void;
}

/** A response body as the engine sends it. */
type Body =
  | { readonly kind: "bytes"; readonly bytes: Uint8Array }
  | { readonly kind: "stream"; readonly stream: ReadableStream<Uint8Array> };

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** Symbols under which Deno keeps a Response's body; read-only use, with a public fallback. */
const internals = (() => {
  const sample = new Response("x");
  const find = (description: string) =>
    Object.getOwnPropertySymbols(sample).find((s) =>
      s.description === description
    );
  return { lazy: find("lazy static body"), inner: find("response") };
})();

/**
 * The body of `response` without copying it through a stream when it is
 * a string or bytes (Deno keeps the source); a real stream otherwise.
 */
async function bodyOf(response: Response): Promise<Body> {
  const record = response as unknown as Record<symbol, unknown>;
  if (internals.lazy !== undefined) {
    const lazy = record[internals.lazy];
    if (typeof lazy === "string") {
      return { kind: "bytes", bytes: encoder.encode(lazy) };
    }
  }
  const inner = internals.inner === undefined
    ? undefined
    : record[internals.inner] as
      | { body?: { source?: unknown } | null }
      | undefined;
  if (inner !== undefined && inner !== null && "body" in inner) {
    if (inner.body === null || inner.body === undefined) {
      return { kind: "bytes", bytes: EMPTY };
    }
    const source = inner.body.source;
    if (typeof source === "string") {
      return { kind: "bytes", bytes: encoder.encode(source) };
    }
    if (source instanceof Uint8Array) return { kind: "bytes", bytes: source };
    if (source !== null && source !== undefined) {
      return { kind: "bytes", bytes: await response.bytes() };
    }
  }
  return response.body === null
    ? { kind: "bytes", bytes: EMPTY }
    : { kind: "stream", stream: response.body };
}

/** The head as bytes; field values may hold ISO-8859-1 characters (RFC 9110 section 5.5). */
function headBytes(head: string, extra: number): Uint8Array {
  const out = new Uint8Array(head.length + extra);
  if (!/[\u0080-\uffff]/.test(head)) encoder.encodeInto(head, out);
  else for (let i = 0; i < head.length; i++) out[i] = head.charCodeAt(i);
  return out;
}

/** The head of a push body's response (src/http/push.ts), chunked. */
export function pushHead(response: Response, close: boolean): Uint8Array {
  return headBytes(
    responseHead(response.status, response.headers, { kind: "chunked" }, close),
    0,
  );
}

/**
 * Writes `response`: a body of known length with its head in one write;
 * a stream as chunks, one write each, waiting for each write before
 * reading on (so a slow client holds back the stream, never the memory).
 * Resolves true when all of it went out and the connection may serve the
 * next request.
 *
 * @example
 * ```ts
 * await writeResponse(new Response("ok"), { head: false, close: false, write, onCancel: () => {} });
 * ```
 */
export async function writeResponse(
  response: Response,
  target: ResponseTarget,
): Promise<boolean> {
  const status = response.status;
  const body = await bodyOf(response);
  const headers = [...response.headers];
  let close = target.close;
  for (const [name, value] of headers) {
    if (name === "connection" && /(^|,)\s*close\s*(,|$)/i.test(value)) {
      close = true;
    }
  }
  if (statusHasNoBody(status) || (target.head && body.kind === "stream")) {
    if (body.kind === "stream") await body.stream.cancel().catch(() => {});
    const framing = statusHasNoBody(status)
      ? { kind: "none" } as const
      : { kind: "chunked" } as const;
    const head = responseHead(status, headers, framing, close);
    return await target.write(headBytes(head, 0)) && !close;
  }
  if (body.kind === "bytes") {
    const length = body.bytes.byteLength;
    const head = responseHead(
      status,
      headers,
      { kind: "length", length },
      close,
    );
    if (target.head) return await target.write(headBytes(head, 0)) && !close;
    const out = headBytes(head, length);
    out.set(body.bytes, head.length);
    return await target.write(out) && !close;
  }
  const head = responseHead(status, headers, { kind: "chunked" }, close);
  const reader = body.stream.getReader();
  target.onCancel(() => void reader.cancel().catch(() => {}));
  if (!await target.write(headBytes(head, 0))) {
    await reader.cancel().catch(() => {});
    return false;
  }
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      return false; // the body failed: end without the last chunk
    }
    if (chunk.done) return await target.write(LAST_CHUNK) && !close;
    if (chunk.value.byteLength === 0) continue;
    if (!await target.write(encodeChunk(chunk.value))) {
      await reader.cancel().catch(() => {});
      return false;
    }
  }
}
