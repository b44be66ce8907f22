// The HTTP/2 codec's contract with its shell: the limits it advertises (RFC 9113 section 6.5.2) and what it tells the shell about streams.

import type { ErrorName } from "./errors.ts";
import type { RequestFields } from "./request_fields.ts";

/** Limits of an HTTP/2 connection (src/http2/connection.ts), advertised in our SETTINGS. */
export interface Http2Limits {
  /** SETTINGS_MAX_CONCURRENT_STREAMS: streams open at once; more are refused (REFUSED_STREAM). */
  readonly maxConcurrentStreams: number;
  /** SETTINGS_MAX_HEADER_LIST_SIZE: a larger request gets 431; a block over twice this is not decoded (COMPRESSION_ERROR). */
  readonly maxHeaderListSize: number;
  /** Connection receive window: request body bytes all streams may have unread. */
  readonly connectionWindow: number;
  /** Bytes of frames waiting for the socket beyond which DATA waits in its stream. */
  readonly outputHighWater: number;
}

/** Defaults of {@linkcode Http2Limits}. */
export const HTTP2_DEFAULTS: Http2Limits = {
  maxConcurrentStreams: 256,
  maxHeaderListSize: 16 * 1024,
  connectionWindow: 1024 * 1024,
  outputHighWater: 64 * 1024,
};

/** What the connection tells its shell (called while `receive` or `flush` runs). */
export interface Http2Listener {
  /** A request's header list arrived (`endStream`: it has no body). */
  request(stream: number, request: RequestFields, endStream: boolean): void;
  /** A request that is answered at once with `status` (431: header list too large). */
  refused(stream: number, status: number, text: string): void;
  /** Request body bytes (a copy) of a dispatched stream. */
  data(stream: number, bytes: Uint8Array, endStream: boolean): void;
  /** A dispatched stream ended abnormally (the peer's RST_STREAM or a stream error). */
  reset(stream: number, code: ErrorName): void;
  /** Everything queued on the stream was framed: its producer may go on. */
  drained(stream: number): void;
}
