// Test support: a client's side of RFC 9113 frames, built by hand for the codec and engine tests.

import {
  encodeFrame,
  FLAGS,
  FRAME_TYPES,
  FrameReader,
  PREFACE,
  readUint32,
  settingsFrame,
} from "../../src/http2/frame.ts";
import { encodeFields, type HeaderField } from "../../src/http2/hpack.ts";

export { encodeFrame, FLAGS, FRAME_TYPES, PREFACE };

/** The preface and an empty SETTINGS, as a client opens. */
export function clientStart(): Uint8Array {
  return join(PREFACE, settingsFrame([]));
}

/** A request HEADERS frame (END_HEADERS) on `stream`. */
export function headers(
  stream: number,
  fields: HeaderField[],
  endStream: boolean,
): Uint8Array {
  return encodeFrame(
    FRAME_TYPES.HEADERS,
    FLAGS.END_HEADERS | (endStream ? FLAGS.END_STREAM : 0),
    stream,
    encodeFields(fields),
  );
}

/** The pseudo-header fields of a request. */
export function requestFields(
  method: string,
  path: string,
  extra: HeaderField[] = [],
): HeaderField[] {
  return [
    [":method", method],
    [":scheme", "https"],
    [":authority", "gw.test"],
    [":path", path],
    ...extra,
  ];
}

/** A DATA frame. */
export function data(
  stream: number,
  text: string,
  endStream: boolean,
): Uint8Array {
  return encodeFrame(
    FRAME_TYPES.DATA,
    endStream ? FLAGS.END_STREAM : 0,
    stream,
    new TextEncoder().encode(text),
  );
}

/** Concatenates byte arrays. */
export function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** A frame as the tests look at it (payload copied). */
export interface SeenFrame {
  type: number;
  flags: number;
  stream: number;
  payload: Uint8Array;
}

/** All frames in `bytes`. */
export function frames(bytes: Uint8Array): SeenFrame[] {
  const reader = new FrameReader((1 << 24) - 1);
  reader.push(bytes);
  const out: SeenFrame[] = [];
  for (let f = reader.next(); f !== undefined; f = reader.next()) {
    out.push({ ...f, payload: f.payload.slice() });
  }
  return out;
}

/** The error code of an RST_STREAM or GOAWAY frame. */
export function errorCode(frame: SeenFrame): number {
  return readUint32(frame.payload, frame.type === FRAME_TYPES.GOAWAY ? 4 : 0);
}
