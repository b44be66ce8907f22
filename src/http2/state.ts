// RFC 9113: the state one HTTP/2 connection shares between the frames it reads and the responses it writes: the stream table (section 5.1), flow-control windows (section 6.9), the output and GOAWAY.

import { ERROR_CODES, type ErrorName, type Http2Error } from "./errors.ts";
import { goawayFrame, rstStreamFrame, windowUpdateFrame } from "./frame.ts";
import type { Http2Limits, Http2Listener } from "./api.ts";
import type { SendQueue } from "./send_queue.ts";
import { DataScheduler } from "./scheduler.ts";

/** RFC 9113 section 6.9.2: the initial window of a stream and of the connection. */
export const DEFAULT_WINDOW = 65535;

/** One stream as the connection tracks it (RFC 9113 section 5.1). */
export interface Stream {
  /** The stream identifier (odd: opened by the client). */
  readonly id: number;
  /** The peer sent END_STREAM (half-closed remote). */
  remoteEnded: boolean;
  /** Request body bytes the peer may still send before a WINDOW_UPDATE. */
  recvWindow: number;
  /** Content-Length of the request, when given (checked against DATA, section 8.1.1). */
  expected: number;
  /** Request body bytes received so far. */
  received: number;
  /** Response frames still to send. */
  readonly send: SendQueue;
}

/**
 * The state of one HTTP/2 connection, shared by the frame handler
 * (`InboundFrames`) and the response side (`Http2Connection`): open
 * streams, windows, frames queued for output, GOAWAY. Only those two
 * use it; it does no I/O.
 */
export class ConnectionState {
  /** Where requests, bodies and resets go. */
  readonly listener: Http2Listener;
  /** Our limits, defaults filled in. */
  readonly limits: Http2Limits;
  /** Streams open or half-closed, by id. */
  readonly streams = new Map<number, Stream>();
  /** Streams with DATA waiting for window or room, in round-robin order. */
  readonly scheduler = new DataScheduler<Stream>();
  /** Frames not yet taken by the shell. */
  output: Uint8Array[] = [];
  /** Bytes of `output`. */
  outputBytes = 0;
  /** The highest stream id the peer opened. */
  lastStream = 0;
  /** Connection window left for the peer's DATA. */
  recvWindow: number;
  /** Bytes consumed and not yet given back with a WINDOW_UPDATE. */
  unacked = 0;
  /** The peer's SETTINGS_INITIAL_WINDOW_SIZE. */
  peerInitialWindow: number = DEFAULT_WINDOW;
  /** GOAWAY sent (`error`: a connection error). */
  goawaySent = false;
  /** GOAWAY received. */
  goawayReceived = false;
  /** The connection error that ended the connection, if any. */
  error?: Http2Error;

  /** The state of a fresh connection serving `listener` under `limits`. */
  constructor(listener: Http2Listener, limits: Http2Limits) {
    this.listener = listener;
    this.limits = limits;
    this.recvWindow = limits.connectionWindow;
  }

  /** Appends a frame to the output. */
  queue(frame: Uint8Array): void {
    this.output.push(frame);
    this.outputBytes += frame.byteLength;
  }

  /** Forgets a stream: out of the table and the scheduler. */
  drop(s: Stream): void {
    this.streams.delete(s.id);
    this.scheduler.remove(s);
  }

  /** Our END_STREAM went out: the stream closes, or, the request body still coming, is reset with NO_ERROR (RFC 9113 section 8.1). */
  localEnded(s: Stream): void {
    this.drop(s);
    if (!s.remoteEnded) this.queue(rstStreamFrame(s.id, ERROR_CODES.NO_ERROR));
  }

  /** Gives back connection window for `n` consumed or discarded bytes, in batches. */
  replenish(n: number): void {
    this.unacked += n;
    if (this.unacked >= this.limits.connectionWindow / 4) {
      this.recvWindow += this.unacked;
      this.queue(windowUpdateFrame(0, this.unacked));
      this.unacked = 0;
    }
  }

  /** A stream error: RST_STREAM, and the listener hears of it. */
  resetStream(stream: number, code: ErrorName): void {
    this.queue(rstStreamFrame(stream, ERROR_CODES[code]));
    const s = this.streams.get(stream);
    if (s === undefined) return;
    this.drop(s);
    this.listener.reset(stream, code);
  }

  /** A connection error: GOAWAY with its code, then nothing more is read. */
  fail(error: Http2Error): void {
    this.error = error;
    this.goawaySent = true;
    this.queue(
      goawayFrame(this.lastStream, ERROR_CODES[error.code], error.message),
    );
    for (const s of [...this.streams.values()]) {
      this.drop(s);
      this.listener.reset(s.id, error.code);
    }
  }
}
