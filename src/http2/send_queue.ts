// RFC 9113 sections 5.2 and 6.9: one stream's response bytes waiting for its send window, cut into DATA frame payloads.

const MAX_WINDOW = 2 ** 31 - 1;
const EMPTY = new Uint8Array(0);

/** A DATA frame's payload and whether it ends the stream. */
export interface DataPiece {
  readonly bytes: Uint8Array;
  readonly end: boolean;
}

/**
 * The bytes a stream has to send and its send window (which a SETTINGS
 * change may make negative, RFC 9113 section 6.9.2).
 *
 * @example
 * ```ts
 * const queue = new SendQueue(65535);
 * queue.push(new Uint8Array(10), true);
 * queue.take(16384); // { bytes: (10 bytes), end: true }
 * ```
 */
export class SendQueue {
  #chunks: Uint8Array[] = [];
  #queued = 0;
  #end = false;
  #window: number;

  /** An empty queue with the peer's initial stream window. */
  constructor(window: number) {
    this.#window = window;
  }

  /** Bytes waiting. */
  get queued(): number {
    return this.#queued;
  }

  /** The end was asked for and END_STREAM is not framed yet. */
  get pendingEnd(): boolean {
    return this.#end;
  }

  /** What the stream may send now. */
  get window(): number {
    return this.#window;
  }

  /** Queues bytes, and the end of the body when `end`. */
  push(bytes: Uint8Array, end: boolean): void {
    if (bytes.byteLength > 0) {
      this.#chunks.push(bytes);
      this.#queued += bytes.byteLength;
    }
    if (end) this.#end = true;
  }

  /** Changes the window by `delta`; false when it would exceed 2^31-1 (FLOW_CONTROL_ERROR). */
  grow(delta: number): boolean {
    if (this.#window + delta > MAX_WINDOW) return false;
    this.#window += delta;
    return true;
  }

  /**
   * The next payload of at most `room` bytes (within the window, which it
   * uses up), or undefined when nothing can go; an empty payload carries
   * an end with nothing left (not flow-controlled).
   */
  take(room: number): DataPiece | undefined {
    if (this.#queued === 0) {
      if (!this.#end) return undefined;
      this.#end = false;
      return { bytes: EMPTY, end: true };
    }
    const n = Math.min(room, this.#queued);
    if (n <= 0) return undefined;
    let bytes: Uint8Array;
    const head = this.#chunks[0];
    if (head.byteLength >= n) {
      bytes = head.byteLength === n ? head : head.subarray(0, n);
      if (head.byteLength === n) this.#chunks.shift();
      else this.#chunks[0] = head.subarray(n);
    } else {
      bytes = new Uint8Array(n);
      let at = 0;
      while (at < n) {
        const chunk = this.#chunks[0];
        const part = Math.min(chunk.byteLength, n - at);
        bytes.set(chunk.subarray(0, part), at);
        at += part;
        if (part === chunk.byteLength) this.#chunks.shift();
        else this.#chunks[0] = chunk.subarray(part);
      }
    }
    this.#queued -= n;
    this.#window -= n;
    const end = this.#end && this.#queued === 0;
    if (end) this.#end = false;
    return { bytes, end };
  }
}
