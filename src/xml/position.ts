// RFC 6120 section 11 parser support: line, column and byte offsets of decoded XML text (W3C XML 1.0 section 2.11 line ends).

import type { XmlPosition } from "./errors.ts";

/**
 * Tracks the position of a moving mark over a sliding text buffer. The mark
 * only moves forward; each character is measured once, so keeping positions
 * costs one pass over the input (a native `indexOf` pass for ASCII text).
 */
export class PositionTracker {
  #buf = "";
  #ascii = true;
  #mark = 0; // index in #buf
  #nextNewline = -2; // cached index of the next "\n" at or after #mark; -2 = unknown
  #chars = 0;
  #bytes = 0;
  #line = 1;
  #column = 1;
  #reportBytes: boolean;

  /** `reportBytes` chooses the unit of {@linkcode XmlPosition.offset}. */
  constructor(reportBytes: boolean) {
    this.#reportBytes = reportBytes;
  }

  /** Chooses the unit of reported offsets (bytes or UTF-16 code units). */
  set reportBytes(value: boolean) {
    this.#reportBytes = value;
  }

  /**
   * Replaces the buffer after the first `dropped` characters of the old one
   * were discarded; the mark must already be at `dropped`.
   */
  rebase(buf: string, dropped: number, ascii: boolean): void {
    this.#buf = buf;
    this.#mark -= dropped;
    this.#ascii = ascii;
    this.#nextNewline = -2;
  }

  /** Moves the mark to buffer index `to` (no-op when already past it). */
  advance(to: number): void {
    const from = this.#mark;
    if (to <= from) return;
    const buf = this.#buf;
    const n = to - from;
    this.#chars += n;
    this.#mark = to;
    if (this.#ascii) {
      this.#bytes += n;
      let nl = this.#nextNewline;
      if (nl === -2 || (nl !== -1 && nl < from)) nl = buf.indexOf("\n", from);
      if (nl === -1 || nl >= to) {
        this.#column += n;
      } else {
        let last = nl;
        while (nl !== -1 && nl < to) {
          this.#line++;
          last = nl;
          nl = buf.indexOf("\n", nl + 1);
        }
        this.#column = to - last;
      }
      this.#nextNewline = nl;
      return;
    }
    let bytes = this.#bytes;
    let column = this.#column;
    for (let i = from; i < to; i++) {
      const c = buf.charCodeAt(i);
      if (c < 0x80) {
        bytes++;
        if (c === 0x0a) {
          this.#line++;
          column = 1;
        } else column++;
      } else if (c < 0x800) {
        bytes += 2;
        column++;
      } else if (c >= 0xd800 && c <= 0xdfff) {
        bytes += 2; // a surrogate pair is 4 bytes and one column
        if (c < 0xdc00) column++;
      } else {
        bytes += 3;
        column++;
      }
    }
    this.#bytes = bytes;
    this.#column = column;
    this.#nextNewline = -2;
  }

  /** Byte offset of buffer index `at` (moves the mark there). */
  byteOffset(at: number): number {
    this.advance(at);
    return this.#bytes;
  }

  /** Position of buffer index `at` (moves the mark there). */
  position(at: number): XmlPosition {
    this.advance(at);
    return {
      line: this.#line,
      column: this.#column,
      offset: this.#reportBytes ? this.#bytes : this.#chars,
    };
  }
}
