// RFC 9113 section 8.1: a handler's Response written on one HTTP/2 stream: the head as HEADERS, a known body as DATA, a stream chunk by chunk as the window allows, a push body through its sink.

import type { Http2Connection } from "../http2/connection.ts";
import {
  engineOwnsField,
  httpDate,
  statusHasNoBody,
} from "../http1/response.ts";
import type { Http1Request } from "./http1_request.ts";
import { pushSourceOf } from "./push.ts";
import { bodyOf, headerPairs } from "./response_parts.ts";
import { Http2Push } from "./http2_push.ts";

const encoder = new TextEncoder();

/** One request being served: what the connection keeps while it waits. */
export interface Http2Exchange {
  request?: Http1Request;
  isHead: boolean;
  /** Body chunks not yet read by the handler, and the reader waiting. */
  chunks?: Uint8Array[];
  ended: boolean;
  wake?: () => void;
  /** Set when the stream was reset or the connection ended. */
  gone: boolean;
  /** Told when the stream drained or ended (push bodies, streamed responses). */
  push?: Http2Push;
  onDrain?: () => void;
}

/** Where {@linkcode respondHttp2} writes. */
export interface Http2Target {
  readonly h2: Http2Connection;
  readonly stream: number;
  readonly exchange: Http2Exchange;
  /** Writes what the codec produced. */
  flush(): void;
  /** True once the connection is closed. */
  closed(): boolean;
}

/**
 * Writes `response` on the target's stream: connection-specific fields
 * dropped (RFC 9113 section 8.2.2), `date` added, `content-length` for a
 * known body; resolves once the body is queued whole or the stream went.
 */
export async function respondHttp2(
  response: Response,
  target: Http2Target,
): Promise<void> {
  const { h2, stream, exchange } = target;

  const status = response.status;
  const fields: [string, string][] = [[":status", String(status)]];
  for (const [name, value] of headerPairs(response)) {
    const lower = name.toLowerCase();
    if (!engineOwnsField(lower)) fields.push([lower, value]);
  }
  fields.push(["date", httpDate()]);
  const push = pushSourceOf(response);
  if (push !== undefined && !exchange.isHead && !statusHasNoBody(status)) {
    exchange.request = undefined; // the source hears of a leaving client itself
    h2.respond(stream, fields, false);
    target.flush();
    // Returned, not awaited: a held SSE stream keeps no frame of this.
    return new Promise<void>((resolve) => {
      exchange.push = new Http2Push(h2, stream, resolve, target.flush);
      if (exchange.gone) return exchange.push.closed();
      exchange.push.start(push);
    });
  }
  const body = await bodyOf(response);
  if (
    statusHasNoBody(status) || (exchange.isHead && body.kind === "stream")
  ) {
    if (body.kind === "stream") await body.stream.cancel().catch(() => {});
    h2.respond(stream, fields, true);
    return;
  }
  if (body.kind !== "stream") {
    const bytes = body.kind === "text" ? encoder.encode(body.text) : body.bytes;
    fields.push(["content-length", String(bytes.byteLength)]);
    h2.respond(
      stream,
      fields,
      exchange.isHead || bytes.byteLength === 0,
    );
    if (!exchange.isHead && bytes.byteLength > 0) {
      h2.sendData(stream, bytes, true);
    }
    return;
  }
  h2.respond(stream, fields, false);
  const reader = body.stream.getReader();
  try {
    for (;;) {
      const chunk = await reader.read();
      if (exchange.gone || target.closed()) {
        await reader.cancel().catch(() => {});
        return;
      }
      if (chunk.done) {
        h2.sendData(stream, new Uint8Array(0), true);
        return;
      }
      if (h2.sendData(stream, chunk.value, false) > 0) {
        target.flush();
        await new Promise<void>((resolve) => exchange.onDrain = resolve);
        exchange.onDrain = undefined;
      }
    }
  } catch {
    h2.cancel(stream, "INTERNAL_ERROR"); // the body failed
  }
}
