// RFC 9112 section 7.1: a push body (src/http/push.ts) written as chunks, one write at a time, with what its source queued meanwhile batched into the next.

import { encodeChunk, LAST_CHUNK } from "../http1/chunked.ts";
import type { PushEvents, PushSink, PushSource } from "./push.ts";
import type { ResponseTarget } from "./http1_write.ts";
import { concatBytes } from "../wire/read.ts";

/** The engine's side of one push body. */
class Sink implements PushSink {
  #target: ResponseTarget;
  #queue: Uint8Array[];
  #queuedPayload = 0;
  #unwritten = 0;
  #writing = false;
  #ended = false;
  #finished = false;
  #resolve: (ok: boolean) => void;
  events?: PushEvents;

  constructor(
    target: ResponseTarget,
    head: Uint8Array,
    resolve: (ok: boolean) => void,
  ) {
    this.#target = target;
    this.#queue = [head];
    this.#resolve = resolve;
  }

  get unwritten(): number {
    return this.#unwritten;
  }

  write(bytes: Uint8Array): number {
    if (this.#ended || this.#finished || bytes.byteLength === 0) {
      return this.#unwritten;
    }
    this.#unwritten += bytes.byteLength;
    this.#queuedPayload += bytes.byteLength;
    this.#queue.push(encodeChunk(bytes));
    void this.flush();
    return this.#unwritten;
  }

  end(error?: Error): void {
    if (this.#ended || this.#finished) return;
    this.#ended = true;
    if (error !== undefined) return this.finish(false);
    this.#queue.push(LAST_CHUNK);
    void this.flush();
  }

  /** The client left or the connection failed. */
  cancel(): void {
    if (this.#finished) return;
    this.finish(false);
    this.events?.closed();
  }

  finish(ok: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#queue = [];
    this.#resolve(ok);
  }

  async flush(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    while (this.#queue.length > 0 && !this.#finished) {
      const queue = this.#queue;
      const payload = this.#queuedPayload;
      this.#queue = [];
      this.#queuedPayload = 0;
      const ok = await this.#target.write(
        queue.length === 1 ? queue[0] : concatBytes(queue),
      );
      if (!ok) return this.cancel();
      this.#unwritten -= payload;
    }
    this.#writing = false;
    if (this.#finished) return;
    if (this.#ended) return this.finish(!this.#target.close);
    if (this.#unwritten === 0) this.events?.drained();
  }
}

/**
 * Writes `head` and then what `source` produces, as chunks; what it
 * queues while a write is in progress goes out with the next one. Resolves
 * when the body ended (true when the connection may serve on) or the
 * client left.
 */
export function writePush(
  source: PushSource,
  head: Uint8Array,
  target: ResponseTarget,
): Promise<boolean> {
  return new Promise((resolve) => {
    const sink = new Sink(target, head, resolve);
    target.onCancel(() => sink.cancel());
    sink.events = source(sink);
    void sink.flush();
  });
}
