// RFC 9113 sections 5.1, 6 and 8.1: what the server does with each frame a client sends: stream states, header blocks with CONTINUATION, SETTINGS, WINDOW_UPDATE, PING, GOAWAY.

import { connectionError, ERROR_CODES, streamError } from "./errors.ts";
import {
  encodeFrame,
  FLAGS,
  type Frame,
  FRAME_TYPES,
  rstStreamFrame,
} from "./frame.ts";
import { type HeaderField, HpackDecoder } from "./hpack.ts";
import { requestFields } from "./request_fields.ts";
import { SendQueue } from "./send_queue.ts";
import { HeaderBlock } from "./header_block.ts";
import {
  checkGoaway,
  checkPriority,
  pingNeedsAck,
  rstStreamCode,
  settingsOf,
  unpadded,
  windowIncrement,
} from "./frame_checks.ts";
import { type ConnectionState, DEFAULT_WINDOW, type Stream } from "./state.ts";

/**
 * The frames a client sends, applied to a connection's state: requests,
 * bodies and resets go to its listener, answers (SETTINGS ack, PING ack,
 * RST_STREAM) to its output. Violations throw an `Http2Error`: a stream
 * error carries the stream, a connection error does not.
 */
export class InboundFrames {
  readonly #c: ConnectionState;
  readonly #decoder = new HpackDecoder();
  #settingsSeen = false;
  #block?: HeaderBlock;

  /** The frame handler of the connection whose state is `state`. */
  constructor(state: ConnectionState) {
    this.#c = state;
  }

  /** Applies one frame (RFC 9113 section 5.5: unknown types are ignored). */
  frame(frame: Frame): void {
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
        return checkPriority(frame);
      case FRAME_TYPES.RST_STREAM:
        return this.#rstStream(frame);
      case FRAME_TYPES.SETTINGS:
        return this.#settings(frame);
      case FRAME_TYPES.PUSH_PROMISE:
        throw connectionError("PROTOCOL_ERROR", "PUSH_PROMISE from a client");
      case FRAME_TYPES.PING:
        if (pingNeedsAck(frame)) {
          this.#c.queue(
            encodeFrame(FRAME_TYPES.PING, FLAGS.ACK, 0, frame.payload),
          );
        }
        return;
      case FRAME_TYPES.GOAWAY:
        checkGoaway(frame);
        this.#c.goawayReceived = true;
        return;
      case FRAME_TYPES.WINDOW_UPDATE:
        return this.#windowUpdate(frame);
      case FRAME_TYPES.CONTINUATION:
        return this.#continuation(frame);
      default:
        return; // unknown types are ignored (RFC 9113 section 5.5)
    }
  }

  #data(frame: Frame): void {
    const c = this.#c;
    const id = frame.stream;
    if (id === 0) throw connectionError("PROTOCOL_ERROR", "DATA on stream 0");
    if (id > c.lastStream) {
      throw connectionError("PROTOCOL_ERROR", `DATA on idle stream ${id}`);
    }
    const length = frame.payload.byteLength;
    if (length > c.recvWindow) {
      throw connectionError(
        "FLOW_CONTROL_ERROR",
        "DATA beyond the connection window",
      );
    }
    c.recvWindow -= length;
    const s = c.streams.get(id);
    if (s === undefined) return c.replenish(length); // closed: ignored (section 5.1)
    if (s.remoteEnded) {
      c.replenish(length);
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
    const body = unpadded(frame);
    c.replenish(length - body.byteLength); // padding counts, is never read
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
    c.listener.data(id, body.slice(), end);
  }

  #headers(frame: Frame): void {
    const id = frame.stream;
    if (id === 0 || id % 2 === 0) {
      throw connectionError("PROTOCOL_ERROR", `HEADERS on stream ${id}`);
    }
    const fragment = unpadded(frame, frame.flags & FLAGS.PRIORITY ? 5 : 0);
    const end = (frame.flags & FLAGS.END_STREAM) !== 0;
    this.#block = new HeaderBlock(
      id,
      end,
      2 * this.#c.limits.maxHeaderListSize,
    );
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
    const whole = block.add(bytes, last);
    if (whole === undefined) return;
    this.#block = undefined;
    const decoded = this.#decoder.decode(
      whole,
      this.#c.limits.maxHeaderListSize,
    );
    this.#headerList(block, decoded.fields, decoded.tooLarge);
  }

  /** A complete header list: a new request, or trailers, or something to ignore. */
  #headerList(
    block: HeaderBlock,
    fields: HeaderField[],
    tooLarge: boolean,
  ): void {
    const c = this.#c;
    const id = block.stream;
    const existing = c.streams.get(id);
    if (existing !== undefined) { // trailers: must end the stream (section 8.1)
      if (existing.remoteEnded || !block.endStream) {
        throw streamError(
          "PROTOCOL_ERROR",
          "HEADERS in the middle of a stream",
          id,
        );
      }
      existing.remoteEnded = true;
      c.listener.data(id, new Uint8Array(0), true);
      return;
    }
    if (id <= c.lastStream) return; // a stream we closed or reset: ignored
    c.lastStream = id;
    if (
      c.goawaySent ||
      c.streams.size >= c.limits.maxConcurrentStreams
    ) {
      c.queue(rstStreamFrame(id, ERROR_CODES.REFUSED_STREAM));
      return;
    }
    const s: Stream = {
      id,
      remoteEnded: block.endStream,
      recvWindow: DEFAULT_WINDOW,
      expected: -1,
      received: 0,
      send: new SendQueue(c.peerInitialWindow),
    };
    c.streams.set(id, s);
    if (tooLarge) {
      c.listener.refused(
        id,
        431,
        `Request header fields too large: the header list exceeds ${c.limits.maxHeaderListSize} bytes`,
      );
      return;
    }
    const parsed = requestFields(fields);
    if (!parsed.ok) throw streamError("PROTOCOL_ERROR", parsed.error, id);
    s.expected = parsed.request.contentLength;
    if (block.endStream && s.expected > 0) {
      throw streamError("PROTOCOL_ERROR", "content-length without DATA", id);
    }
    c.listener.request(id, parsed.request, block.endStream);
  }

  #rstStream(frame: Frame): void {
    const c = this.#c;
    const code = rstStreamCode(frame, c.lastStream);
    const s = c.streams.get(frame.stream);
    if (s === undefined) return;
    c.drop(s);
    c.listener.reset(frame.stream, code);
  }

  #settings(frame: Frame): void {
    const c = this.#c;
    const settings = settingsOf(frame);
    if (settings.ack) return;
    this.#settingsSeen = true;
    if (settings.initialWindow !== undefined) {
      // Section 6.9.2: open streams' windows move by the difference.
      const delta = settings.initialWindow - c.peerInitialWindow;
      c.peerInitialWindow = settings.initialWindow;
      for (const s of c.streams.values()) {
        if (!s.send.grow(delta)) {
          throw connectionError(
            "FLOW_CONTROL_ERROR",
            "a stream window beyond 2^31-1",
          );
        }
        c.scheduler.add(s);
      }
    }
    if (settings.maxFrameSize !== undefined) {
      c.scheduler.maxFrame = settings.maxFrameSize;
    }
    c.queue(encodeFrame(FRAME_TYPES.SETTINGS, FLAGS.ACK, 0));
  }

  #windowUpdate(frame: Frame): void {
    const c = this.#c;
    const increment = windowIncrement(frame);
    const id = frame.stream;
    if (id === 0) {
      if (!c.scheduler.grow(increment)) {
        throw connectionError(
          "FLOW_CONTROL_ERROR",
          "connection window beyond 2^31-1",
        );
      }
      return;
    }
    if (id > c.lastStream) {
      throw connectionError(
        "PROTOCOL_ERROR",
        "WINDOW_UPDATE on an idle stream",
      );
    }
    const s = c.streams.get(id);
    if (s === undefined) return;
    if (!s.send.grow(increment)) {
      throw streamError(
        "FLOW_CONTROL_ERROR",
        "stream window beyond 2^31-1",
        id,
      );
    }
    c.scheduler.add(s);
  }
}
