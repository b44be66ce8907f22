// A push body (src/http/push.ts) written as DATA frames of one HTTP/2 stream (RFC 9113 section 6.1), held back by the stream's flow-control window.

import type { Http2Connection } from "../http2/connection.ts";
import type { PushEvents, PushSink, PushSource } from "./push.ts";

const EMPTY = new Uint8Array(0);

/** The engine's side of one push body on an HTTP/2 stream. */
export class Http2Push implements PushSink {
  readonly #h2: Http2Connection;
  readonly #stream: number;
  readonly #done: () => void;
  readonly #flush: () => void;
  #events?: PushEvents;
  #finished = false;

  /** A sink for `stream`; `done` is called once when the body ends or the stream goes; `flush` writes frames. */
  constructor(
    h2: Http2Connection,
    stream: number,
    done: () => void,
    flush: () => void,
  ) {
    this.#h2 = h2;
    this.#stream = stream;
    this.#done = done;
    this.#flush = flush;
  }

  /** Starts the source. */
  start(source: PushSource): void {
    this.#events = source(this);
  }

  get unwritten(): number {
    return this.#finished ? 0 : this.#h2.unsent(this.#stream);
  }

  write(bytes: Uint8Array): number {
    if (this.#finished || bytes.byteLength === 0) return this.unwritten;
    const left = this.#h2.sendData(this.#stream, bytes, false);
    this.#flush();
    return left;
  }

  end(error?: Error): void {
    if (this.#finished) return;
    this.#finished = true;
    if (error !== undefined) this.#h2.cancel(this.#stream, "INTERNAL_ERROR");
    else this.#h2.sendData(this.#stream, EMPTY, true);
    this.#flush();
    this.#done();
  }

  /** The stream's queue was framed: the source may produce more. */
  drained(): void {
    if (!this.#finished) this.#events?.drained();
  }

  /** The client reset the stream or the connection ended. */
  closed(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#done();
    this.#events?.closed();
  }
}
