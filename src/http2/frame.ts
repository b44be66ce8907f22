// RFC 9113 section 4 (frame format) and section 6 (frame definitions): reading frames from bytes split anywhere, and writing them.

import { connectionError } from "./errors.ts";

/** RFC 9113 section 6: frame types. */
export const FRAME_TYPES = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/** RFC 9113 section 6: frame flags (END_STREAM and ACK share a bit). */
export const FLAGS = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

/** RFC 9113 section 6.5.2: setting identifiers. */
export const SETTINGS = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

/** RFC 9113 section 3.4: the client connection preface. */
export const PREFACE: Uint8Array = new TextEncoder().encode(
  "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
);

/** The frame header's size (RFC 9113 section 4.1). */
export const FRAME_HEADER_BYTES = 9;

/** RFC 9113 section 4.2: the initial and smallest SETTINGS_MAX_FRAME_SIZE. */
export const MIN_MAX_FRAME_SIZE = 16384;

/** One frame; `payload` is a view that stays valid only until the next `push`. */
export interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly stream: number;
  readonly payload: Uint8Array;
}

/**
 * Cuts frames out of bytes as they arrive, split anywhere: `push` the
 * bytes read, then take `next()` until it returns undefined. A frame
 * longer than `maxFrameSize` (what we advertise) is a FRAME_SIZE_ERROR
 * of the connection (RFC 9113 section 4.2).
 *
 * @example
 * ```ts
 * const reader = new FrameReader(16384);
 * reader.push(encodeFrame(FRAME_TYPES.PING, 0, 0, new Uint8Array(8)));
 * reader.next()?.type; // 6
 * ```
 */
export class FrameReader {
  #buffer: Uint8Array = new Uint8Array(0);
  #start = 0;
  #end = 0;
  /** The buffer is the caller's (see `push`). */
  #borrowed = false;
  readonly #maxFrameSize: number;

  /** A reader refusing frames longer than `maxFrameSize` bytes of payload. */
  constructor(maxFrameSize: number = MIN_MAX_FRAME_SIZE) {
    this.#maxFrameSize = maxFrameSize;
  }

  /** Bytes pushed and not yet taken as a frame. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /**
   * Appends bytes read from the connection. With nothing pending, frames
   * are cut straight from the caller's bytes: call `detach` before the
   * caller reuses them.
   */
  push(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    if (this.#start === this.#end) {
      this.#start = 0;
      this.#buffer = bytes;
      this.#end = bytes.byteLength;
      this.#borrowed = true;
      return;
    }
    const pending = this.#end - this.#start;
    const grown = new Uint8Array(pending + bytes.byteLength);
    grown.set(this.#buffer.subarray(this.#start, this.#end));
    grown.set(bytes, pending);
    this.#buffer = grown;
    this.#start = 0;
    this.#end = grown.byteLength;
    this.#borrowed = false;
  }

  /** Copies what is not yet taken out of the caller's bytes (they may be reused now). */
  detach(): void {
    if (!this.#borrowed) return;
    this.#borrowed = false;
    this.#buffer = this.#start === this.#end
      ? new Uint8Array(0)
      : this.#buffer.slice(this.#start, this.#end);
    this.#end -= this.#start;
    this.#start = 0;
  }

  /** Up to `n` buffered bytes, left in place. */
  peek(n: number): Uint8Array {
    return this.#buffer.subarray(
      this.#start,
      Math.min(this.#end, this.#start + n),
    );
  }

  /** Takes `n` raw bytes (the preface) once that many are buffered. */
  take(n: number): Uint8Array | undefined {
    if (this.#end - this.#start < n) return undefined;
    const bytes = this.#buffer.subarray(this.#start, this.#start + n);
    this.#start += n;
    return bytes;
  }

  /** The next complete frame, or undefined until more bytes come. Throws a connection error on an oversized frame. */
  next(): Frame | undefined {
    const b = this.#buffer;
    const at = this.#start;
    if (this.#end - at < FRAME_HEADER_BYTES) return undefined;
    const length = (b[at] << 16) | (b[at + 1] << 8) | b[at + 2];
    if (length > this.#maxFrameSize) {
      throw connectionError(
        "FRAME_SIZE_ERROR",
        `frame of ${length} bytes exceeds SETTINGS_MAX_FRAME_SIZE ${this.#maxFrameSize}`,
      );
    }
    if (this.#end - at < FRAME_HEADER_BYTES + length) return undefined;
    const stream = ((b[at + 5] & 0x7f) << 24 | (b[at + 6] << 16) |
      (b[at + 7] << 8) | b[at + 8]) >>> 0;
    this.#start = at + FRAME_HEADER_BYTES + length;
    return {
      type: b[at + 3],
      flags: b[at + 4],
      stream,
      payload: b.subarray(at + FRAME_HEADER_BYTES, this.#start),
    };
  }
}

/** Serialises one frame: the 9-byte header and the payload (RFC 9113 section 4.1). */
export function encodeFrame(
  type: number,
  flags: number,
  stream: number,
  payload: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.byteLength);
  const length = payload.byteLength;
  out[0] = length >>> 16;
  out[1] = (length >>> 8) & 0xff;
  out[2] = length & 0xff;
  out[3] = type;
  out[4] = flags;
  writeUint31(out, 5, stream);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/** Writes a 31-bit value (reserved bit clear) big-endian at `at`. */
export function writeUint31(out: Uint8Array, at: number, value: number): void {
  out[at] = (value >>> 24) & 0x7f;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
}

/** Reads a 32-bit big-endian value at `at`. */
export function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) |
    bytes[at + 3]) >>> 0;
}

/** A SETTINGS frame carrying `values` (RFC 9113 section 6.5.1). */
export function settingsFrame(
  values: readonly (readonly [number, number])[],
): Uint8Array {
  const payload = new Uint8Array(6 * values.length);
  values.forEach(([id, value], i) => {
    payload[6 * i] = id >>> 8;
    payload[6 * i + 1] = id & 0xff;
    payload[6 * i + 2] = value >>> 24;
    payload[6 * i + 3] = (value >>> 16) & 0xff;
    payload[6 * i + 4] = (value >>> 8) & 0xff;
    payload[6 * i + 5] = value & 0xff;
  });
  return encodeFrame(FRAME_TYPES.SETTINGS, 0, 0, payload);
}

/** A GOAWAY frame (RFC 9113 section 6.8) with a debug text. */
export function goawayFrame(
  lastStream: number,
  code: number,
  debug = "",
): Uint8Array {
  const text = new TextEncoder().encode(debug.slice(0, 200));
  const payload = new Uint8Array(8 + text.byteLength);
  writeUint31(payload, 0, lastStream);
  writeUint31(payload, 4, code);
  payload.set(text, 8);
  return encodeFrame(FRAME_TYPES.GOAWAY, 0, 0, payload);
}

/** An RST_STREAM frame (RFC 9113 section 6.4). */
export function rstStreamFrame(stream: number, code: number): Uint8Array {
  const payload = new Uint8Array(4);
  writeUint31(payload, 0, code);
  return encodeFrame(FRAME_TYPES.RST_STREAM, 0, stream, payload);
}

/** A WINDOW_UPDATE frame (RFC 9113 section 6.9). */
export function windowUpdateFrame(
  stream: number,
  increment: number,
): Uint8Array {
  const payload = new Uint8Array(4);
  writeUint31(payload, 0, increment);
  return encodeFrame(FRAME_TYPES.WINDOW_UPDATE, 0, stream, payload);
}

/**
 * A field block as HEADERS and, beyond `maxFrame` bytes, CONTINUATION
 * frames; END_STREAM on the HEADERS frame, END_HEADERS on the last
 * (RFC 9113 sections 6.2 and 6.10).
 */
export function headersFrames(
  stream: number,
  block: Uint8Array,
  endStream: boolean,
  maxFrame: number,
): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let type: number = FRAME_TYPES.HEADERS;
  let at = 0;
  do {
    const last = block.byteLength - at <= maxFrame;
    const flags =
      (type === FRAME_TYPES.HEADERS && endStream ? FLAGS.END_STREAM : 0) |
      (last ? FLAGS.END_HEADERS : 0);
    frames.push(
      encodeFrame(type, flags, stream, block.subarray(at, at + maxFrame)),
    );
    at += maxFrame;
    type = FRAME_TYPES.CONTINUATION;
  } while (at < block.byteLength);
  return frames;
}
