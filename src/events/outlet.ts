// Where an SSE client's bytes go (HTML Living Standard section 9.2): a ReadableStream's queue, or a push sink the HTTP engine writes from.

import type { PushSink } from "../http/push.ts";

/** Where a client's bytes go: a ReadableStream's queue or an engine's push sink. */
export interface Outlet {
  /** Bytes the client may still take before its buffer is full. */
  room(): number;
  /** Queues bytes for the client. */
  send(bytes: Uint8Array): void;
  /** Ends the client's body; with an error, abruptly. */
  end(error?: Error): void;
}

/** The queue of a ReadableStream body (any engine). */
export class StreamOutlet implements Outlet {
  /** Wraps the stream's controller. */
  constructor(
    readonly controller: ReadableStreamDefaultController<Uint8Array>,
  ) {}
  room(): number {
    return this.controller.desiredSize ?? 0;
  }
  send(bytes: Uint8Array): void {
    this.controller.enqueue(bytes);
  }
  end(error?: Error): void {
    if (error) this.controller.error(error);
    else this.controller.close();
  }
}

/** An engine's push sink, bounded at `limit` unwritten bytes. */
export class SinkOutlet implements Outlet {
  /** Wraps the sink. */
  constructor(readonly sink: PushSink, readonly limit: number) {}
  room(): number {
    return this.limit - this.sink.unwritten;
  }
  send(bytes: Uint8Array): void {
    this.sink.write(bytes);
  }
  end(error?: Error): void {
    this.sink.end(error);
  }
}
