// An in-memory, TCP-like byte pipe (two connected ComponentSockets) for testing XEP-0114 streams without sockets.

import type { ComponentSocket } from "../../src/component/connection.ts";

/** One direction of the pipe: what one end writes, the other end reads. */
class Channel {
  controller!: ReadableStreamDefaultController<Uint8Array>;
  closed = false;
  readonly readable = new ReadableStream<Uint8Array>({
    start: (controller) => {
      this.controller = controller;
    },
  });

  push(chunk: Uint8Array): void {
    if (this.closed) throw new Error("Broken pipe: the other end is closed");
    this.controller.enqueue(chunk.slice());
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.controller.close();
  }
}

class PipeEnd implements ComponentSocket {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  #incoming: Channel;
  #outgoing: Channel;

  constructor(incoming: Channel, outgoing: Channel) {
    this.#incoming = incoming;
    this.#outgoing = outgoing;
    this.readable = incoming.readable;
    this.writable = new WritableStream({
      write: (chunk) => outgoing.push(chunk),
    });
  }

  close(): void {
    this.#outgoing.end();
    this.#incoming.end();
  }
}

/**
 * Two connected sockets: bytes written to one are read from the other.
 * Closing either end ends both directions, as a TCP close does.
 *
 * @example
 * ```ts
 * const [client, server] = memoryPipe();
 * ```
 */
export function memoryPipe(): [ComponentSocket, ComponentSocket] {
  const toServer = new Channel();
  const toClient = new Channel();
  return [new PipeEnd(toClient, toServer), new PipeEnd(toServer, toClient)];
}
