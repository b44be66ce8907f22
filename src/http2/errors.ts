// RFC 9113 section 7 (error codes) and section 5.4 (connection and stream errors): the typed errors of the HTTP/2 codec.

/** RFC 9113 section 7: the error codes of RST_STREAM and GOAWAY frames. */
export const ERROR_CODES = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;

/** The name of an error code of {@linkcode ERROR_CODES}. */
export type ErrorName = keyof typeof ERROR_CODES;

/**
 * A protocol violation found by the codec: a connection error (GOAWAY,
 * then close; RFC 9113 section 5.4.1) when `stream` is undefined, else a
 * stream error (RST_STREAM on that stream; section 5.4.2).
 */
export class Http2Error extends Error {
  /** The code sent in GOAWAY or RST_STREAM. */
  readonly code: ErrorName;
  /** The stream of a stream error; undefined for a connection error. */
  readonly stream: number | undefined;

  /** An error with its code, a reason for the log, and the stream of a stream error. */
  constructor(code: ErrorName, message: string, stream?: number) {
    super(message);
    this.name = "Http2Error";
    this.code = code;
    this.stream = stream;
  }
}

/** A connection error (RFC 9113 section 5.4.1). */
export function connectionError(code: ErrorName, message: string): Http2Error {
  return new Http2Error(code, message);
}

/** A stream error (RFC 9113 section 5.4.2). */
export function streamError(
  code: ErrorName,
  message: string,
  stream: number,
): Http2Error {
  return new Http2Error(code, message, stream);
}

/** A header block that cannot be decoded (RFC 7541 section 2.3.3 and 5): a COMPRESSION_ERROR of the connection. */
export class HpackError extends Http2Error {
  /** A decoding error and what was wrong. */
  constructor(message: string) {
    super("COMPRESSION_ERROR", `HPACK: ${message}`);
    this.name = "HpackError";
  }
}
