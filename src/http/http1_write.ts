// RFC 9112 section 6 (message body length): writing a handler's Response on an HTTP/1.1 connection, a known length in one write, a stream as chunks.

import { encodeChunk, LAST_CHUNK } from "../http1/chunked.ts";
import { responseHead, statusHasNoBody } from "../http1/response.ts";
import { type Body, bodyOf, EMPTY, headerPairs } from "./response_parts.ts";

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

const encoder = new TextEncoder();

/** Bytes of a pooled write buffer: most responses fit, so most writes allocate nothing. */
const POOLED_BYTES = 8192;
const pool: Uint8Array[] = [];

/** A buffer of at least `n` bytes: a pooled one when it fits. */
function take(n: number): Uint8Array {
  return n <= POOLED_BYTES
    ? pool.pop() ?? new Uint8Array(POOLED_BYTES)
    : new Uint8Array(n);
}

/** Writes the first `n` bytes of `buffer`, then gives a pooled buffer back. */
function writeTaken(
  target: ResponseTarget,
  buffer: Uint8Array,
  n: number,
): Promise<boolean> {
  const giveBack = () => {
    if (buffer.byteLength === POOLED_BYTES && pool.length < 64) {
      pool.push(buffer);
    }
  };
  let written: Promise<boolean>;
  try {
    written = target.write(buffer.subarray(0, n));
  } catch (error) {
    giveBack();
    throw error;
  }
  return written.then((ok) => {
    giveBack();
    return ok;
  }, (error) => {
    giveBack();
    throw error;
  });
}

const NON_ASCII = /[\u0080-\uffff]/;

/** Writes the head into `out`; field values may hold ISO-8859-1 characters (RFC 9110 section 5.5). */
function putHead(head: string, out: Uint8Array): void {
  if (!NON_ASCII.test(head)) encoder.encodeInto(head, out);
  else for (let i = 0; i < head.length; i++) out[i] = head.charCodeAt(i);
}

/** The head as bytes of its own. */
function headBytes(head: string, extra: number): Uint8Array {
  const out = new Uint8Array(head.length + extra);
  putHead(head, out);
  return out;
}

/** Writes a head and a body (maybe empty) in one write. */
function writeWhole(
  target: ResponseTarget,
  head: string,
  body: Uint8Array | string,
  length: number,
): Promise<boolean> {
  const out = take(head.length + length);
  putHead(head, out);
  if (typeof body === "string") {
    encoder.encodeInto(body, out.subarray(head.length));
  } else if (length > 0) out.set(body, head.length);
  return writeTaken(target, out, head.length + length);
}

/** The head of a push body's response (src/http/push.ts), chunked. */
export function pushHead(response: Response, close: boolean): Uint8Array {
  return headBytes(
    responseHead(
      response.status,
      headerPairs(response),
      { kind: "chunked" },
      close,
    ),
    0,
  );
}

/**
 * Writes `response`: a body of known length with its head in one write;
 * a stream as chunks, one write each, waiting for each write before
 * reading on (so a slow client holds back the stream, never the memory).
 * Resolves true when all of it went out and the connection may serve the
 * next request. A body in memory takes no promise step but the write's.
 *
 * @example
 * ```ts
 * await writeResponse(new Response("ok"), { head: false, close: false, write, onCancel: () => {} });
 * ```
 */
export function writeResponse(
  response: Response,
  target: ResponseTarget,
): Promise<boolean> {
  const body = bodyOf(response);
  return body instanceof Promise
    ? body.then((known) => writeWith(response, known, target))
    : writeWith(response, body, target);
}

function writeWith(
  response: Response,
  body: Body,
  target: ResponseTarget,
): Promise<boolean> {
  const status = response.status;
  const headers = headerPairs(response);
  let close = target.close;
  for (const [name, value] of headers) {
    if (
      name.length === 10 && name.toLowerCase() === "connection" &&
      /(^|,)\s*close\s*(,|$)/i.test(value)
    ) close = true;
  }
  if (statusHasNoBody(status) || (target.head && body.kind === "stream")) {
    const framing = statusHasNoBody(status)
      ? { kind: "none" } as const
      : { kind: "chunked" } as const;
    const head = responseHead(status, headers, framing, close);
    const written = body.kind === "stream"
      ? body.stream.cancel().catch(() => {}).then(() =>
        writeWhole(target, head, EMPTY, 0)
      )
      : writeWhole(target, head, EMPTY, 0);
    return close ? written.then(() => false) : written;
  }
  if (body.kind !== "stream") {
    // A string body is encoded straight into the write buffer when its
    // length is known from the string (ASCII, the usual JSON and XML).
    const bytes = body.kind === "text" && NON_ASCII.test(body.text)
      ? encoder.encode(body.text)
      : body.kind === "text"
      ? body.text
      : body.bytes;
    const length = typeof bytes === "string" ? bytes.length : bytes.byteLength;
    const head = responseHead(
      status,
      headers,
      { kind: "length", length },
      close,
    );
    const written = writeWhole(
      target,
      head,
      target.head ? EMPTY : bytes,
      target.head ? 0 : length,
    );
    return close ? written.then(() => false) : written;
  }
  return writeStream(body.stream, status, headers, close, target);
}

/** A streamed body as chunks after its head, one write each. */
async function writeStream(
  stream: ReadableStream<Uint8Array>,
  status: number,
  headers: readonly (readonly [string, string])[],
  close: boolean,
  target: ResponseTarget,
): Promise<boolean> {
  const head = responseHead(status, headers, { kind: "chunked" }, close);
  const reader = stream.getReader();
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
