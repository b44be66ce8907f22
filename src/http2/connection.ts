// RFC 9113: the server side of one HTTP/2 connection as a pure state machine: bytes in, callbacks and bytes out; preface, SETTINGS, PING, GOAWAY, stream states, flow control, header blocks with CONTINUATION.

import {
  connectionError,
  ERROR_CODES,
  type ErrorName,
  Http2Error,
  streamError,
} from "./errors.ts";
import {
  encodeFrame,
  FLAGS,
  type Frame,
  FRAME_TYPES,
  FrameReader,
  goawayFrame,
  MIN_MAX_FRAME_SIZE,
  PREFACE,
  readUint32,
  rstStreamFrame,
  SETTINGS,
  settingsFrame,
  windowUpdateFrame,
} from "./frame.ts";
import { encodeFields, type HeaderField, HpackDecoder } from "./hpack.ts";
import { type RequestFields, requestFields } from "./request_fields.ts";
import { SendQueue } from "./send_queue.ts";

/** Limits of {@linkcode Http2Connection}, advertised in our SETTINGS. */
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
  maxConcurrentStreams: 1000,
  maxHeaderListSize: 16 * 1024,
  connectionWindow: 1024 * 1024,
  outputHighWater: 64 * 1024,
};

/** RFC 9113 section 6.9.2: the initial window of a stream and of the connection. */
const DEFAULT_WINDOW = 65535;
const MAX_WINDOW = 2 ** 31 - 1;

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

/** One stream as the connection tracks it (RFC 9113 section 5.1). */
interface Stream {
  readonly id: number;
  /** The peer sent END_STREAM (half-closed remote). */
  remoteEnded: boolean;
  /** Request body bytes the peer may still send before a WINDOW_UPDATE. */
  recvWindow: number;
  /** Content-Length of the request, when given (checked against DATA, section 8.1.1). */
  expected: number;
  received: number;
  /** Response frames still to send. */
  readonly send: SendQueue;
}

/** A header block being assembled from HEADERS and CONTINUATION frames. */
interface PendingBlock {
  readonly stream: number;
  readonly endStream: boolean;
  readonly chunks: Uint8Array[];
  bytes: number;
}

/**
 * The server side of one HTTP/2 connection, without I/O: `receive` the
 * bytes read, write what `takeOutput` returns, call `flush` after each
 * write. Requests are handed to the listener; responses go in with
 * `respond` and `sendData`. Violations become RST_STREAM or GOAWAY with
 * the RFC 9113 error code; after a GOAWAY `closed` holds and the shell
 * closes the socket once the output is written.
 *
 * @example
 * ```ts
 * const h2 = new Http2Connection(listener);
 * h2.receive(bytesRead);
 * const out = h2.takeOutput(); // write it
 * ```
 */
export class Http2Connection {
  readonly #listener: Http2Listener;
  readonly #limits: Http2Limits;
  readonly #reader = new FrameReader(MIN_MAX_FRAME_SIZE);
  readonly #decoder = new HpackDecoder();
  readonly #streams = new Map<number, Stream>();
  /** Streams with DATA waiting for window or room, in round-robin order. */
  readonly #sendable = new Set<Stream>();
  #output: Uint8Array[] = [];
  #outputBytes = 0;
  #prefaceSeen = false;
  #settingsSeen = false;
  #block?: PendingBlock;
  #lastStream = 0;
  #recvWindow: number;
  #unacked = 0;
  #sendWindow = DEFAULT_WINDOW;
  #peerInitialWindow = DEFAULT_WINDOW;
  #peerMaxFrame = MIN_MAX_FRAME_SIZE;
  /** GOAWAY sent (`error`: a connection error) or received. */
  #goawaySent = false;
  #goawayReceived = false;
  #flushing = false;
  /** The connection error that ended the connection, if any. */
  error?: Http2Error;

  /** A connection serving `listener`; our SETTINGS go out at once. */
  constructor(listener: Http2Listener, limits: Partial<Http2Limits> = {}) {
    this.#listener = listener;
    this.#limits = { ...HTTP2_DEFAULTS, ...limits };
    this.#recvWindow = this.#limits.connectionWindow;
    this.#queue(settingsFrame([
      [SETTINGS.MAX_CONCURRENT_STREAMS, this.#limits.maxConcurrentStreams],
      [SETTINGS.MAX_HEADER_LIST_SIZE, this.#limits.maxHeaderListSize],
      [SETTINGS.ENABLE_PUSH, 0],
    ]));
    if (this.#recvWindow > DEFAULT_WINDOW) {
      this.#queue(windowUpdateFrame(0, this.#recvWindow - DEFAULT_WINDOW));
    }
  }

  /** Streams open or half-closed (what max concurrent streams counts). */
  get openStreams(): number {
    return this.#streams.size;
  }

  /** Bytes of frames not yet taken by the shell. */
  get outputBytes(): number {
    return this.#outputBytes;
  }

  /** True once a GOAWAY was sent or received and no stream is left: close after writing. */
  get closed(): boolean {
    return (this.#goawaySent || this.#goawayReceived) &&
      (this.error !== undefined || this.#streams.size === 0);
  }

  /** The frames to write, joined; undefined when there are none. */
  takeOutput(): Uint8Array | undefined {
    if (this.#output.length === 0) return undefined;
    const parts = this.#output;
    this.#output = [];
    this.#outputBytes = 0;
    if (parts.length === 1) return parts[0];
    let n = 0;
    for (const part of parts) n += part.byteLength;
    const out = new Uint8Array(n);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.byteLength;
    }
    return out;
  }

  /** Feeds bytes read from the socket (split anywhere). */
  receive(bytes: Uint8Array): void {
    if (this.error !== undefined) return;
    this.#reader.push(bytes);
    try {
      if (!this.#prefaceSeen) {
        const seen = this.#reader.peek(PREFACE.byteLength);
        if (!isPrefix(seen, PREFACE)) {
          throw connectionError("PROTOCOL_ERROR", "invalid connection preface");
        }
        if (seen.byteLength < PREFACE.byteLength) return;
        this.#reader.take(PREFACE.byteLength);
        this.#prefaceSeen = true;
      }
      for (;;) {
        const frame = this.#reader.next();
        if (frame === undefined) break;
        try {
          this.#frame(frame);
        } catch (error) {
          if (!(error instanceof Http2Error) || error.stream === undefined) {
            throw error;
          }
          this.#resetStream(error.stream, error.code);
        }
        if (this.error !== undefined) return;
      }
    } catch (error) {
      this.#fail(
        error instanceof Http2Error
          ? error
          : connectionError("INTERNAL_ERROR", String(error)),
      );
    } finally {
      this.#reader.detach();
    }
    this.flush();
  }

  /** Sends a GOAWAY with NO_ERROR: no new streams; the open ones finish (RFC 9113 section 6.8). */
  goaway(): void {
    if (this.#goawaySent) return;
    this.#goawaySent = true;
    this.#queue(goawayFrame(this.#lastStream, ERROR_CODES.NO_ERROR));
  }

  /** Sends the response head (END_STREAM when `endStream`: no body follows). */
  respond(
    stream: number,
    fields: readonly HeaderField[],
    endStream: boolean,
  ): void {
    const s = this.#streams.get(stream);
    if (s === undefined) return;
    let block = encodeFields(fields);
    let type: number = FRAME_TYPES.HEADERS;
    const end = endStream ? FLAGS.END_STREAM : 0;
    while (block.byteLength > this.#peerMaxFrame) {
      this.#queue(
        encodeFrame(
          type,
          type === FRAME_TYPES.HEADERS ? end : 0,
          stream,
          block.subarray(0, this.#peerMaxFrame),
        ),
      );
      block = block.subarray(this.#peerMaxFrame);
      type = FRAME_TYPES.CONTINUATION;
    }
    this.#queue(
      encodeFrame(
        type,
        FLAGS.END_HEADERS | (type === FRAME_TYPES.HEADERS ? end : 0),
        stream,
        block,
      ),
    );
    if (endStream) this.#localEnded(s);
  }

  /** Queues body bytes (and the end); returns the bytes of the stream not yet framed. */
  sendData(stream: number, bytes: Uint8Array, endStream: boolean): number {
    const s = this.#streams.get(stream);
    if (s === undefined) return 0;
    s.send.push(bytes, endStream);
    this.#sendable.add(s);
    this.flush();
    return s.send.queued;
  }

  /** Bytes queued on `stream` and not yet framed (0 when it is gone). */
  unsent(stream: number): number {
    return this.#streams.get(stream)?.send.queued ?? 0;
  }

  /** Ends a stream abnormally from our side (RST_STREAM; no `reset` callback). */
  cancel(stream: number, code: ErrorName = "CANCEL"): void {
    const s = this.#streams.get(stream);
    if (s === undefined) return;
    this.#drop(s);
    this.#queue(rstStreamFrame(stream, ERROR_CODES[code]));
  }

  /** The shell read `n` body bytes of `stream`: the peer may send that much more. */
  consumed(stream: number, n: number): void {
    if (n <= 0 || this.error !== undefined) return;
    const s = this.#streams.get(stream);
    if (s !== undefined && !s.remoteEnded) {
      s.recvWindow += n;
      this.#queue(windowUpdateFrame(stream, n));
    }
    this.#replenish(n);
  }

  /** Frames queued DATA as windows and output room allow, one frame per stream per round. */
  flush(): void {
    if (this.#flushing) return; // a drained producer queued more: this loop sends it
    this.#flushing = true;
    try {
      this.#flushData();
    } finally {
      this.#flushing = false;
    }
  }

  #flushData(): void {
    let progress = true;
    while (progress && this.#sendable.size > 0) {
      progress = false;
      for (const s of this.#sendable) {
        if (this.#outputBytes >= this.#limits.outputHighWater) return;
        const room = Math.min(
          s.send.window,
          this.#sendWindow,
          this.#peerMaxFrame,
        );
        const frame = s.send.take(room);
        if (frame === undefined) continue;
        progress = true;
        this.#sendWindow -= frame.bytes.byteLength;
        this.#queue(
          encodeFrame(
            FRAME_TYPES.DATA,
            frame.end ? FLAGS.END_STREAM : 0,
            s.id,
            frame.bytes,
          ),
        );
        if (s.send.queued === 0 && !s.send.pendingEnd) {
          this.#sendable.delete(s);
          if (frame.end) this.#localEnded(s);
          else this.#listener.drained(s.id);
        }
      }
    }
  }

  #queue(frame: Uint8Array): void {
    this.#output.push(frame);
    this.#outputBytes += frame.byteLength;
  }

  /** A connection error: GOAWAY with its code, then nothing more is read. */
  #fail(error: Http2Error): void {
    this.error = error;
    this.#goawaySent = true;
    this.#queue(
      goawayFrame(this.#lastStream, ERROR_CODES[error.code], error.message),
    );
    for (const s of [...this.#streams.values()]) {
      this.#drop(s);
      this.#listener.reset(s.id, error.code);
    }
  }

  /** A stream error: RST_STREAM, and the shell hears of it. */
  #resetStream(stream: number, code: ErrorName): void {
    this.#queue(rstStreamFrame(stream, ERROR_CODES[code]));
    const s = this.#streams.get(stream);
    if (s === undefined) return;
    this.#drop(s);
    this.#listener.reset(stream, code);
  }

  #drop(s: Stream): void {
    this.#streams.delete(s.id);
    this.#sendable.delete(s);
  }

  /** Our END_STREAM went out: the stream closes, or, the request body still coming, is reset with NO_ERROR (RFC 9113 section 8.1). */
  #localEnded(s: Stream): void {
    this.#drop(s);
    if (!s.remoteEnded) this.#queue(rstStreamFrame(s.id, ERROR_CODES.NO_ERROR));
  }

  /** Gives back connection window for `n` consumed or discarded bytes, in batches. */
  #replenish(n: number): void {
    this.#unacked += n;
    if (this.#unacked >= this.#limits.connectionWindow / 4) {
      this.#recvWindow += this.#unacked;
      this.#queue(windowUpdateFrame(0, this.#unacked));
      this.#unacked = 0;
    }
  }

  #frame(frame: Frame): void {
    if (!this.#settingsSeen && frame.type !== FRAME_TYPES.SETTINGS) {
      throw connectionError(
        "PROTOCOL_ERROR",
        "the first frame is not SETTINGS",
      );
    }
    if (
      this.#block !== undefined &&
      (frame.type !== FRAME_TYPES.CONTINUATION ||
        frame.stream !== this.#block.stream)
    ) {
      throw connectionError(
        "PROTOCOL_ERROR",
        "header block interrupted before END_HEADERS",
      );
    }
    switch (frame.type) {
      case FRAME_TYPES.DATA:
        return this.#data(frame);
      case FRAME_TYPES.HEADERS:
        return this.#headers(frame);
      case FRAME_TYPES.PRIORITY:
        if (frame.stream === 0) {
          throw connectionError("PROTOCOL_ERROR", "PRIORITY on stream 0");
        }
        if (frame.payload.byteLength !== 5) {
          throw streamError(
            "FRAME_SIZE_ERROR",
            "PRIORITY of wrong size",
            frame.stream,
          );
        }
        return;
      case FRAME_TYPES.RST_STREAM:
        return this.#rstStream(frame);
      case FRAME_TYPES.SETTINGS:
        return this.#settings(frame);
      case FRAME_TYPES.PUSH_PROMISE:
        throw connectionError("PROTOCOL_ERROR", "PUSH_PROMISE from a client");
      case FRAME_TYPES.PING:
        return this.#ping(frame);
      case FRAME_TYPES.GOAWAY:
        if (frame.stream !== 0) {
          throw connectionError("PROTOCOL_ERROR", "GOAWAY on a stream");
        }
        if (frame.payload.byteLength < 8) {
          throw connectionError("FRAME_SIZE_ERROR", "GOAWAY too short");
        }
        this.#goawayReceived = true;
        return;
      case FRAME_TYPES.WINDOW_UPDATE:
        return this.#windowUpdate(frame);
      case FRAME_TYPES.CONTINUATION:
        return this.#continuation(frame);
      default:
        return; // unknown types are ignored (RFC 9113 section 5.5)
    }
  }

  /** The payload without padding (RFC 9113 sections 6.1 and 6.2), and after `skip` more bytes. */
  #unpadded(frame: Frame, skip = 0): Uint8Array {
    let payload = frame.payload;
    let pad = 0;
    if (frame.flags & FLAGS.PADDED) {
      if (payload.byteLength < 1) {
        throw connectionError(
          "FRAME_SIZE_ERROR",
          "padded frame without a pad length",
        );
      }
      pad = payload[0];
      payload = payload.subarray(1);
    }
    if (pad + skip > payload.byteLength) {
      throw connectionError(
        "PROTOCOL_ERROR",
        "padding longer than the payload",
      );
    }
    return payload.subarray(skip, payload.byteLength - pad);
  }

  #data(frame: Frame): void {
    const id = frame.stream;
    if (id === 0) throw connectionError("PROTOCOL_ERROR", "DATA on stream 0");
    if (id > this.#lastStream) {
      throw connectionError("PROTOCOL_ERROR", `DATA on idle stream ${id}`);
    }
    const length = frame.payload.byteLength;
    if (length > this.#recvWindow) {
      throw connectionError(
        "FLOW_CONTROL_ERROR",
        "DATA beyond the connection window",
      );
    }
    this.#recvWindow -= length;
    const s = this.#streams.get(id);
    if (s === undefined) return this.#replenish(length); // closed: ignored (section 5.1)
    if (s.remoteEnded) {
      this.#replenish(length);
      throw streamError("STREAM_CLOSED", "DATA after END_STREAM", id);
    }
    if (length > s.recvWindow) {
      throw streamError(
        "FLOW_CONTROL_ERROR",
        "DATA beyond the stream window",
        id,
      );
    }
    s.recvWindow -= length;
    const body = this.#unpadded(frame);
    this.#replenish(length - body.byteLength); // padding counts, is never read
    s.received += body.byteLength;
    const end = (frame.flags & FLAGS.END_STREAM) !== 0;
    if (
      s.expected >= 0 &&
      (s.received > s.expected || (end && s.received !== s.expected))
    ) {
      throw streamError(
        "PROTOCOL_ERROR",
        "DATA length differs from content-length",
        id,
      );
    }
    if (end) s.remoteEnded = true;
    this.#listener.data(id, body.slice(), end);
  }

  #headers(frame: Frame): void {
    const id = frame.stream;
    if (id === 0 || id % 2 === 0) {
      throw connectionError("PROTOCOL_ERROR", `HEADERS on stream ${id}`);
    }
    const fragment = this.#unpadded(
      frame,
      frame.flags & FLAGS.PRIORITY ? 5 : 0,
    );
    this.#block = {
      stream: id,
      endStream: (frame.flags & FLAGS.END_STREAM) !== 0,
      chunks: [],
      bytes: 0,
    };
    this.#fragment(fragment, (frame.flags & FLAGS.END_HEADERS) !== 0);
  }

  #continuation(frame: Frame): void {
    if (this.#block === undefined) {
      throw connectionError("PROTOCOL_ERROR", "CONTINUATION without HEADERS");
    }
    this.#fragment(frame.payload, (frame.flags & FLAGS.END_HEADERS) !== 0);
  }

  #fragment(bytes: Uint8Array, last: boolean): void {
    const block = this.#block!;
    block.bytes += bytes.byteLength;
    if (block.bytes > 2 * this.#limits.maxHeaderListSize) {
      throw connectionError(
        "COMPRESSION_ERROR",
        `header block over ${
          2 * this.#limits.maxHeaderListSize
        } bytes not decoded`,
      );
    }
    block.chunks.push(
      last && block.chunks.length === 0 ? bytes : bytes.slice(),
    );
    if (!last) return;
    this.#block = undefined;
    const joined = block.chunks.length === 1
      ? block.chunks[0]
      : joinChunks(block.chunks, block.bytes);
    const decoded = this.#decoder.decode(
      joined,
      this.#limits.maxHeaderListSize,
    );
    this.#headerList(block, decoded.fields, decoded.tooLarge);
  }

  /** A complete header list: a new request, or trailers, or something to ignore. */
  #headerList(
    block: PendingBlock,
    fields: HeaderField[],
    tooLarge: boolean,
  ): void {
    const id = block.stream;
    const existing = this.#streams.get(id);
    if (existing !== undefined) { // trailers: must end the stream (section 8.1)
      if (existing.remoteEnded || !block.endStream) {
        throw streamError(
          "PROTOCOL_ERROR",
          "HEADERS in the middle of a stream",
          id,
        );
      }
      existing.remoteEnded = true;
      this.#listener.data(id, new Uint8Array(0), true);
      return;
    }
    if (id <= this.#lastStream) return; // a stream we closed or reset: ignored
    this.#lastStream = id;
    if (
      this.#goawaySent ||
      this.#streams.size >= this.#limits.maxConcurrentStreams
    ) {
      this.#queue(rstStreamFrame(id, ERROR_CODES.REFUSED_STREAM));
      return;
    }
    const s: Stream = {
      id,
      remoteEnded: block.endStream,
      recvWindow: DEFAULT_WINDOW,
      expected: -1,
      received: 0,
      send: new SendQueue(this.#peerInitialWindow),
    };
    this.#streams.set(id, s);
    if (tooLarge) {
      this.#listener.refused(
        id,
        431,
        `Request header fields too large: the header list exceeds ${this.#limits.maxHeaderListSize} bytes`,
      );
      return;
    }
    const parsed = requestFields(fields);
    if (!parsed.ok) throw streamError("PROTOCOL_ERROR", parsed.error, id);
    const length = parsed.request.fields.find(([name]) =>
      name === "content-length"
    )?.[1];
    if (length !== undefined) {
      if (!/^\d{1,15}$/.test(length)) {
        throw streamError("PROTOCOL_ERROR", "invalid content-length", id);
      }
      s.expected = Number(length);
      if (block.endStream && s.expected !== 0) {
        throw streamError("PROTOCOL_ERROR", "content-length without DATA", id);
      }
    }
    this.#listener.request(id, parsed.request, block.endStream);
  }

  #rstStream(frame: Frame): void {
    if (frame.stream === 0) {
      throw connectionError("PROTOCOL_ERROR", "RST_STREAM on stream 0");
    }
    if (frame.payload.byteLength !== 4) {
      throw connectionError("FRAME_SIZE_ERROR", "RST_STREAM of wrong size");
    }
    if (frame.stream > this.#lastStream) {
      throw connectionError("PROTOCOL_ERROR", "RST_STREAM on an idle stream");
    }
    const s = this.#streams.get(frame.stream);
    if (s === undefined) return;
    this.#drop(s);
    const code = readUint32(frame.payload, 0);
    const name =
      (Object.keys(ERROR_CODES) as ErrorName[]).find((k) =>
        ERROR_CODES[k] === code
      ) ?? "INTERNAL_ERROR";
    this.#listener.reset(frame.stream, name);
  }

  #settings(frame: Frame): void {
    if (frame.stream !== 0) {
      throw connectionError("PROTOCOL_ERROR", "SETTINGS on a stream");
    }
    const p = frame.payload;
    if (frame.flags & FLAGS.ACK) {
      if (p.byteLength !== 0) {
        throw connectionError(
          "FRAME_SIZE_ERROR",
          "SETTINGS ACK with a payload",
        );
      }
      return;
    }
    if (p.byteLength % 6 !== 0) {
      throw connectionError(
        "FRAME_SIZE_ERROR",
        "SETTINGS length not a multiple of 6",
      );
    }
    this.#settingsSeen = true;
    for (let at = 0; at < p.byteLength; at += 6) {
      const id = (p[at] << 8) | p[at + 1];
      const value = readUint32(p, at + 2);
      if (id === SETTINGS.ENABLE_PUSH && value > 1) {
        throw connectionError("PROTOCOL_ERROR", "ENABLE_PUSH not 0 or 1");
      }
      if (id === SETTINGS.INITIAL_WINDOW_SIZE) {
        if (value > MAX_WINDOW) {
          throw connectionError(
            "FLOW_CONTROL_ERROR",
            "INITIAL_WINDOW_SIZE too large",
          );
        }
        const delta = value - this.#peerInitialWindow;
        this.#peerInitialWindow = value;
        for (const s of this.#streams.values()) {
          if (!s.send.grow(delta)) {
            throw connectionError(
              "FLOW_CONTROL_ERROR",
              "a stream window beyond 2^31-1",
            );
          }
          if (s.send.queued > 0 || s.send.pendingEnd) this.#sendable.add(s);
        }
      }
      if (id === SETTINGS.MAX_FRAME_SIZE) {
        if (value < MIN_MAX_FRAME_SIZE || value > 0xffffff) {
          throw connectionError(
            "PROTOCOL_ERROR",
            "MAX_FRAME_SIZE out of range",
          );
        }
        this.#peerMaxFrame = value;
      }
    }
    this.#queue(encodeFrame(FRAME_TYPES.SETTINGS, FLAGS.ACK, 0));
  }

  #ping(frame: Frame): void {
    if (frame.stream !== 0) {
      throw connectionError("PROTOCOL_ERROR", "PING on a stream");
    }
    if (frame.payload.byteLength !== 8) {
      throw connectionError("FRAME_SIZE_ERROR", "PING of wrong size");
    }
    if (frame.flags & FLAGS.ACK) return;
    this.#queue(encodeFrame(FRAME_TYPES.PING, FLAGS.ACK, 0, frame.payload));
  }

  #windowUpdate(frame: Frame): void {
    if (frame.payload.byteLength !== 4) {
      throw connectionError("FRAME_SIZE_ERROR", "WINDOW_UPDATE of wrong size");
    }
    const increment = readUint32(frame.payload, 0) & 0x7fffffff;
    const id = frame.stream;
    if (id === 0) {
      if (increment === 0) {
        throw connectionError("PROTOCOL_ERROR", "WINDOW_UPDATE of 0");
      }
      this.#sendWindow += increment;
      if (this.#sendWindow > MAX_WINDOW) {
        throw connectionError(
          "FLOW_CONTROL_ERROR",
          "connection window beyond 2^31-1",
        );
      }
      return;
    }
    if (id > this.#lastStream) {
      throw connectionError(
        "PROTOCOL_ERROR",
        "WINDOW_UPDATE on an idle stream",
      );
    }
    const s = this.#streams.get(id);
    if (s === undefined) return;
    if (increment === 0) {
      throw streamError("PROTOCOL_ERROR", "WINDOW_UPDATE of 0", id);
    }
    if (!s.send.grow(increment)) {
      throw streamError(
        "FLOW_CONTROL_ERROR",
        "stream window beyond 2^31-1",
        id,
      );
    }
    if (s.send.queued > 0 || s.send.pendingEnd) this.#sendable.add(s);
  }
}

function isPrefix(seen: Uint8Array, of: Uint8Array): boolean {
  for (let i = 0; i < seen.byteLength && i < of.byteLength; i++) {
    if (seen[i] !== of[i]) return false;
  }
  return true;
}

function joinChunks(chunks: Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
