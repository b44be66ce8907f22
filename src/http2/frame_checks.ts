// RFC 9113 section 6: the checks each frame type needs on its own (sizes, stream 0 or not, value ranges), as pure functions that throw the typed error of the section that requires it.

import {
  connectionError,
  ERROR_CODES,
  type ErrorName,
  streamError,
} from "./errors.ts";
import {
  FLAGS,
  type Frame,
  MIN_MAX_FRAME_SIZE,
  readUint32,
  SETTINGS,
} from "./frame.ts";

/** RFC 9113 section 6.9.1: the largest flow-control window. */
export const MAX_WINDOW = 2 ** 31 - 1;

/** The payload of DATA or HEADERS without padding (sections 6.1, 6.2), after `skip` more bytes (the priority fields). */
export function unpadded(frame: Frame, skip = 0): Uint8Array {
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
    throw connectionError("PROTOCOL_ERROR", "padding longer than the payload");
  }
  return payload.subarray(skip, payload.byteLength - pad);
}

/** Section 6.3: PRIORITY is on a stream and 5 bytes long (its content is ignored, section 5.3.2). */
export function checkPriority(frame: Frame): void {
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
}

/** Section 6.4: the error code of an RST_STREAM (unknown codes read as INTERNAL_ERROR, section 7). */
export function rstStreamCode(frame: Frame, lastStream: number): ErrorName {
  if (frame.stream === 0) {
    throw connectionError("PROTOCOL_ERROR", "RST_STREAM on stream 0");
  }
  if (frame.payload.byteLength !== 4) {
    throw connectionError("FRAME_SIZE_ERROR", "RST_STREAM of wrong size");
  }
  if (frame.stream > lastStream) {
    throw connectionError("PROTOCOL_ERROR", "RST_STREAM on an idle stream");
  }
  const code = readUint32(frame.payload, 0);
  return (Object.keys(ERROR_CODES) as ErrorName[]).find((k) =>
    ERROR_CODES[k] === code
  ) ?? "INTERNAL_ERROR";
}

/** What a SETTINGS frame carries: an ACK, or the values it sets. */
export type SettingsFrame =
  | { readonly ack: true }
  | {
    readonly ack: false;
    /** SETTINGS_INITIAL_WINDOW_SIZE, if set. */
    readonly initialWindow?: number;
    /** SETTINGS_MAX_FRAME_SIZE, if set. */
    readonly maxFrameSize?: number;
  };

/** Section 6.5: a SETTINGS frame's values, checked (the last value of an identifier wins). */
export function settingsOf(frame: Frame): SettingsFrame {
  if (frame.stream !== 0) {
    throw connectionError("PROTOCOL_ERROR", "SETTINGS on a stream");
  }
  const p = frame.payload;
  if (frame.flags & FLAGS.ACK) {
    if (p.byteLength !== 0) {
      throw connectionError("FRAME_SIZE_ERROR", "SETTINGS ACK with a payload");
    }
    return { ack: true };
  }
  if (p.byteLength % 6 !== 0) {
    throw connectionError(
      "FRAME_SIZE_ERROR",
      "SETTINGS length not a multiple of 6",
    );
  }
  let initialWindow: number | undefined;
  let maxFrameSize: number | undefined;
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
      initialWindow = value;
    }
    if (id === SETTINGS.MAX_FRAME_SIZE) {
      if (value < MIN_MAX_FRAME_SIZE || value > 0xffffff) {
        throw connectionError("PROTOCOL_ERROR", "MAX_FRAME_SIZE out of range");
      }
      maxFrameSize = value;
    }
  }
  return { ack: false, initialWindow, maxFrameSize };
}

/** Section 6.7: a PING is on stream 0 and 8 bytes long; true when it needs an ACK. */
export function pingNeedsAck(frame: Frame): boolean {
  if (frame.stream !== 0) {
    throw connectionError("PROTOCOL_ERROR", "PING on a stream");
  }
  if (frame.payload.byteLength !== 8) {
    throw connectionError("FRAME_SIZE_ERROR", "PING of wrong size");
  }
  return (frame.flags & FLAGS.ACK) === 0;
}

/** Section 6.8: a GOAWAY is on stream 0 and at least 8 bytes long. */
export function checkGoaway(frame: Frame): void {
  if (frame.stream !== 0) {
    throw connectionError("PROTOCOL_ERROR", "GOAWAY on a stream");
  }
  if (frame.payload.byteLength < 8) {
    throw connectionError("FRAME_SIZE_ERROR", "GOAWAY too short");
  }
}

/** Section 6.9: the increment of a WINDOW_UPDATE (0 is an error of its stream, or of the connection on stream 0). */
export function windowIncrement(frame: Frame): number {
  if (frame.payload.byteLength !== 4) {
    throw connectionError("FRAME_SIZE_ERROR", "WINDOW_UPDATE of wrong size");
  }
  const increment = readUint32(frame.payload, 0) & 0x7fffffff;
  if (increment === 0) {
    if (frame.stream === 0) {
      throw connectionError("PROTOCOL_ERROR", "WINDOW_UPDATE of 0");
    }
    throw streamError("PROTOCOL_ERROR", "WINDOW_UPDATE of 0", frame.stream);
  }
  return increment;
}
