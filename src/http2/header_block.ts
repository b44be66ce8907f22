// RFC 9113 section 4.3: a field block arriving as one HEADERS frame and any number of CONTINUATION frames, assembled under a size cap.

import { connectionError } from "./errors.ts";
import { concatBytes } from "../wire/read.ts";

/**
 * The fragments of one field block until END_HEADERS. A block larger than
 * `maxBytes` is refused before it is decoded: a COMPRESSION_ERROR of the
 * connection, since the decoding context is then lost (section 4.3).
 *
 * @example
 * ```ts
 * const block = new HeaderBlock(1, true, 32768);
 * block.add(Uint8Array.of(0x82), false); // undefined: more to come
 * block.add(Uint8Array.of(0x84), true); // Uint8Array [0x82, 0x84]
 * ```
 */
export class HeaderBlock {
  /** The stream the block opens or ends. */
  readonly stream: number;
  /** The HEADERS frame had END_STREAM. */
  readonly endStream: boolean;
  readonly #maxBytes: number;
  #chunks: Uint8Array[] = [];
  #bytes = 0;

  /** A block for `stream` of at most `maxBytes` bytes. */
  constructor(stream: number, endStream: boolean, maxBytes: number) {
    this.stream = stream;
    this.endStream = endStream;
    this.#maxBytes = maxBytes;
  }

  /** Adds a fragment (copied unless it is the whole block); the block once `last`. */
  add(bytes: Uint8Array, last: boolean): Uint8Array | undefined {
    this.#bytes += bytes.byteLength;
    if (this.#bytes > this.#maxBytes) {
      throw connectionError(
        "COMPRESSION_ERROR",
        `header block over ${this.#maxBytes} bytes not decoded`,
      );
    }
    if (last && this.#chunks.length === 0) return bytes;
    this.#chunks.push(bytes.slice());
    if (!last) return undefined;
    const out = concatBytes(this.#chunks);
    this.#chunks = [];
    return out;
  }
}
