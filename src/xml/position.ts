// RFC 6120 section 11 parser support: line, column and byte offsets of decoded XML text (W3C XML 1.0 section 2.11 line ends).

import type { XmlPosition } from "./errors.ts";
import { NOT_PLAIN_ASCII } from "./chars.ts";

/**
 * Tracks the position of a moving mark over a sliding text buffer. The mark
 * only moves forward and each character is measured once; runs of ASCII are
 * measured natively (`indexOf` for line ends), only non-ASCII characters one
 * by one, so keeping positions costs little even for mixed text.
 */
export class PositionTracker {
  #buf = "";
  #mark = 0; // index in #buf
  #nextNewline = -2; // cached index of the next "\n" at or after #mark; -2 = unknown
  #nextWide = -2; // cached index of the next non-ASCII character; -2 = unknown
  #chars = 0;
  #bytes = 0;
  #line = 1;
  #column = 1;
  #reportBytes: boolean;
  #chars0 = 0; // characters before #buf
  #tag = 0; // index of the "<" of the current tag
  #tagByte = -1;
  #tagPosition: XmlPosition | undefined;

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
   * were discarded; the mark must already be at `dropped` or beyond.
   */
  rebase(buf: string, dropped: number): void {
    this.#buf = buf;
    this.#mark -= dropped;
    this.#tag -= dropped;
    this.#chars0 += dropped;
    this.#nextNewline = -2;
    this.#nextWide = -2;
  }

  /** Moves the mark to buffer index `to` (no-op when already past it). */
  advance(to: number): void {
    let from = this.#mark;
    if (to <= from) return;
    const buf = this.#buf;
    this.#chars += to - from;
    this.#mark = to;
    while (from < to) {
      let wide = this.#nextWide;
      if (wide === -2 || (wide !== -1 && wide < from)) {
        NOT_PLAIN_ASCII.lastIndex = from;
        wide = this.#nextWide = NOT_PLAIN_ASCII.exec(buf)?.index ?? -1;
      }
      const end = wide === -1 || wide >= to ? to : wide;
      if (end > from) this.#ascii(buf, from, end);
      if (end === to) return;
      const c = buf.charCodeAt(end);
      // A surrogate pair is 4 bytes and one column: 2 + 2 bytes, one column for the high half.
      this.#bytes += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
      if (c < 0xdc00 || c > 0xdfff) this.#column++;
      from = end + 1;
    }
  }

  #ascii(buf: string, from: number, to: number): void {
    this.#bytes += to - from;
    let nl = this.#nextNewline;
    if (nl === -2 || (nl !== -1 && nl < from)) nl = buf.indexOf("\n", from);
    if (nl === -1 || nl >= to) {
      this.#column += to - from;
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
  }

  /** Notes that a tag starts at buffer index `at`; it is measured on demand. */
  startTag(at: number): void {
    this.#tag = at;
    this.#tagPosition = undefined;
  }

  /** Buffer index of the current tag's `<` (negative once dropped). */
  get tagIndex(): number {
    return this.#tag;
  }

  /** Character offset from the start of the input of the current tag's `<`. */
  get tagChar(): number {
    return this.#chars0 + this.#tag;
  }

  /** Characters before the current buffer. */
  get base(): number {
    return this.#chars0;
  }

  /**
   * Byte offset of the current tag's `<`. Measured once, so it must be asked
   * before the mark passes the tag start (before compacting the buffer and
   * before measuring anything inside the tag).
   */
  tagByte(): number {
    if (this.#tagPosition === undefined) {
      this.#tagPosition = this.position(this.#tag);
      this.#tagByte = this.#bytes;
    }
    return this.#tagByte;
  }

  /** Position of the current tag's `<` (see {@linkcode tagByte}). */
  tagPosition(): XmlPosition {
    this.tagByte();
    return this.#tagPosition!;
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
