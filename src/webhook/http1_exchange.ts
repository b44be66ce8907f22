// README "Receiving (webhooks)": one request/response exchange of the webhook HTTP/1.1 client (RFC 9112 section 6: message body framing) on a pooled connection.

import { ChunkedDecoder } from "../http1/chunked.ts";
import {
  parseResponseHead,
  RESPONSE_HEAD_LIMITS,
  type ResponseHead,
} from "../http1/client_head.ts";
import { headEnd } from "../http1/head.ts";
import type { CappedRead } from "../wire/mod.ts";
import type { WebhookResponse } from "./transport.ts";

/** A connected byte stream (`Deno.Conn` is one). */
export interface ClientSocket {
  /** Reads into `p`; null at the end of the stream. */
  read(p: Uint8Array): Promise<number | null>;
  /** Writes some of `p`; resolves to how many bytes. */
  write(p: Uint8Array): Promise<number>;
  /** Closes both directions. */
  close(): void;
}

/** A pooled connection with its read buffer. */
export class Pooled {
  readonly socket: ClientSocket;
  readonly buffer = new Uint8Array(16 * 1024);
  /** The read started when the connection went idle (it notices a close). */
  pending: Promise<number | null> | undefined;
  idleSince = 0;
  idle = false;
  closed = false;
  constructor(socket: ClientSocket) {
    this.socket = socket;
  }
  read(): Promise<number | null> {
    const pending = this.pending;
    this.pending = undefined;
    return pending ?? this.socket.read(this.buffer);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.socket.close();
    } catch {
      // Already closed.
    }
  }
}

/** The connection ended before any byte of the response. */
export class ClosedBeforeResponse extends Error {
  constructor() {
    super("connection closed before the response");
    this.name = "ConnectionClosed";
  }
}

/** Whether `error` says the peer reset or closed the connection under a write or read. */
export function isReset(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.BrokenPipe;
}

/** Writes all of `bytes`. */
export async function writeAll(socket: ClientSocket, bytes: Uint8Array) {
  let at = 0;
  while (at < bytes.byteLength) at += await socket.write(bytes.subarray(at));
}

/**
 * Reads one response from `pooled`: skips interim (1xx) responses, reads
 * the body up to `maxBodyBytes` by its framing, and says whether the
 * connection can carry another request.
 */
export async function exchange(
  pooled: Pooled,
  method: string,
  maxBodyBytes: number,
): Promise<{ response: WebhookResponse; reusable: boolean }> {
  let data: Uint8Array = new Uint8Array(0);
  let received = 0;
  const more = async (): Promise<boolean> => {
    const n = await pooled.read().catch((error) => {
      throw received === 0 && isReset(error)
        ? new ClosedBeforeResponse()
        : error;
    });
    if (n === null) return false;
    received += n;
    const chunk = pooled.buffer.subarray(0, n);
    if (data.byteLength === 0) data = chunk.slice();
    else {
      const joined = new Uint8Array(data.byteLength + n);
      joined.set(data);
      joined.set(chunk, data.byteLength);
      data = joined;
    }
    return true;
  };
  let head: ResponseHead;
  for (;;) {
    const end = headEnd(data, 0, data.byteLength);
    if (end === -1) {
      if (data.byteLength > RESPONSE_HEAD_LIMITS.maxHeadBytes) {
        throw new Error("response head too large");
      }
      if (!(await more())) {
        if (received === 0) throw new ClosedBeforeResponse();
        throw new Error("connection closed in the response head");
      }
      continue;
    }
    const parsed = parseResponseHead(data.subarray(0, end), method);
    if (!parsed.ok) throw new Error(parsed.text);
    data = data.subarray(end);
    if (parsed.head.status >= 200) {
      head = parsed.head;
      break;
    }
  }
  const tooLarge: CappedRead = {
    ok: false,
    reason: "too-large",
    limit: maxBodyBytes,
  };
  const framing = head.body;
  let body: CappedRead;
  let complete = true;
  if (framing.kind === "none") {
    body = { ok: true, bytes: new Uint8Array(0) };
  } else if (framing.kind === "length") {
    if (framing.length > maxBodyBytes) {
      body = tooLarge;
      complete = false;
    } else {
      while (data.byteLength < framing.length) {
        if (!(await more())) throw new Error("connection closed in the body");
      }
      body = { ok: true, bytes: data.slice(0, framing.length) };
      data = data.subarray(framing.length);
    }
  } else {
    const read = framing.kind === "chunked"
      ? await readChunked(() => data, (rest) => data = rest, more, maxBodyBytes)
      : await readToEnd(() => data, (rest) => data = rest, more, maxBodyBytes);
    body = read ?? tooLarge;
    complete = read !== undefined && framing.kind === "chunked";
  }
  const headers = head.headers;
  return {
    response: {
      status: head.status,
      // As fetch: only registered reason phrases (which the status table
      // has anyway), never the server's own wording.
      statusText: "",
      header(name: string) {
        const lower = name.toLowerCase();
        let value: string | null = null;
        for (const [n, v] of headers) {
          if (n === lower) value = value === null ? v : `${value}, ${v}`;
        }
        return value;
      },
      body,
    },
    // Bytes after the response (pipelining is not used) end the connection.
    reusable: head.keepAlive && complete && data.byteLength === 0,
  };
}

/** A chunked body; undefined when larger than `max`. */
async function readChunked(
  data: () => Uint8Array,
  rest: (bytes: Uint8Array) => void,
  more: () => Promise<boolean>,
  max: number,
): Promise<CappedRead | undefined> {
  const decoder = new ChunkedDecoder();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const step = decoder.decode(data());
    if (step.kind === "error") throw new Error(step.text);
    rest(data().subarray(step.used));
    if (step.kind === "end") break;
    if (step.kind === "data") {
      total += step.data.byteLength;
      if (total > max) return undefined;
      parts.push(step.data.slice());
      continue;
    }
    if (!(await more())) throw new Error("connection closed in the body");
  }
  return { ok: true, bytes: join(parts, total) };
}

/** A body that lasts until the server closes; undefined when larger than `max`. */
async function readToEnd(
  data: () => Uint8Array,
  rest: (bytes: Uint8Array) => void,
  more: () => Promise<boolean>,
  max: number,
): Promise<CappedRead | undefined> {
  while (await more()) {
    if (data().byteLength > max) return undefined;
  }
  const bytes = data();
  rest(new Uint8Array(0));
  return bytes.byteLength > max ? undefined : { ok: true, bytes };
}

function join(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.byteLength;
  }
  return bytes;
}
