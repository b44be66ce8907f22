// RFC 6120 section 11 restricted XML: a push tokenizer over decoded text (W3C XML 1.0 sections 2.4-2.8, 3.1, 4.1).

import {
  type XmlErrorCondition,
  type XmlPosition,
  XmlSyntaxError,
} from "./errors.ts";
import {
  ASCII_NAME,
  FORBIDDEN_CHAR,
  FORBIDDEN_DECODED,
  NOT_PLAIN_ASCII,
  utf8Length,
} from "./chars.ts";
import {
  describe,
  type MarkupProblem,
  processingInstruction,
  scanDeclaration,
  scanReference,
  stepBang,
} from "./markup.ts";
import { PositionTracker } from "./position.ts";
import { TagScanner } from "./tags.ts";
import {
  TextKind,
  type TokenHandler,
  type TokenizerOptions,
} from "./tokens.ts";
import { normaliseLineEnds } from "./values.ts";

const TEXT = 0, LT = 1, TAG = 2, BANG = 3, CDATA = 4, DECL = 5, REF = 6;

/**
 * A push tokenizer for restricted XML: `feed()` decoded text in any pieces,
 * the handler gets start tags, end tags and text in document order. Comments,
 * processing instructions and DOCTYPEs are rejected as they are recognised.
 */
export class XmlTokenizer {
  #h: TokenHandler;
  #tag: TagScanner;
  #declAllowed: boolean;
  #pos: PositionTracker;
  #buf = "";
  #i = 0;
  #state = TEXT;
  #final = false;
  #started = false;
  #declAt = 0;
  #fedBytes = 0;
  #lt = -2; // cached index of the next "<" (-1 none, -2 unknown)
  #amp = -2; // cached index of the next "&"
  #tok = 0; // start of a reference or declaration (kept in the buffer)
  #bang = 0;
  #textStart = 0;

  /** Creates a tokenizer reporting to `handler`. */
  constructor(
    handler: TokenHandler,
    options: TokenizerOptions,
    reportBytes: boolean,
  ) {
    this.#h = handler;
    this.#declAllowed = options.allowXmlDeclaration;
    this.#pos = new PositionTracker(reportBytes);
    this.#tag = new TagScanner({
      error: (message, condition, at) => this.error(message, condition, at),
      position: (at) => {
        this.#pos.tagByte();
        return this.#pos.position(at);
      },
    }, options);
  }

  /** Chooses whether error offsets count bytes or UTF-16 code units. */
  set reportBytes(value: boolean) {
    this.#pos.reportBytes = value;
  }

  /** UTF-8 bytes of all text fed so far. */
  get fedBytes(): number {
    return this.#fedBytes;
  }

  /** True while inside a tag (between its `<` and `>`). */
  get inTag(): boolean {
    const state = this.#state;
    return state === LT || state === TAG || state === BANG || state === DECL;
  }

  /** Byte offset of the `<` of the tag being reported. */
  tagStartByte(): number {
    return this.#pos.tagByte();
  }

  /** Position of the `<` of the tag being reported. */
  tagStartPosition(): XmlPosition {
    return this.#pos.tagPosition();
  }

  /** Character offset (UTF-16 units since the start) of the `<` of the tag being reported. */
  tagStartChar(): number {
    return this.#pos.tagChar;
  }

  /** Character offset just after the token being reported. */
  currentChar(): number {
    return this.#pos.base + this.#i;
  }

  /** Byte offset just after the token being reported. */
  currentByte(): number {
    this.#pos.tagByte(); // measured first: the position mark only moves forward
    return this.#pos.byteOffset(this.#i);
  }

  /** An error at the start of the current tag. */
  errorAtTag(message: string, condition: XmlErrorCondition): XmlSyntaxError {
    const position = this.#pos.tagPosition();
    this.#errorEnd = this.currentByte();
    return new XmlSyntaxError(
      `Cannot parse XML: ${message}`,
      condition,
      position,
    );
  }

  /** An error `offset` characters into the text piece being reported (0 for references). */
  errorInText(
    message: string,
    condition: XmlErrorCondition,
    offset: number,
  ): XmlSyntaxError {
    return this.error(message, condition, this.#textStart + offset);
  }

  /** An error at buffer index `at` (default: just after the current token). */
  error(
    message: string,
    condition: XmlErrorCondition,
    at: number = this.#i,
  ): XmlSyntaxError {
    const index = Math.min(at, this.#buf.length);
    if (this.inTag) this.#pos.tagByte(); // measured first: the mark only moves forward
    const position = this.#pos.position(index);
    this.#errorEnd = this.#pos.byteOffset(
      Math.min(Math.max(index + 1, this.#i), this.#buf.length),
    );
    return new XmlSyntaxError(
      `Cannot parse XML: ${message}`,
      condition,
      position,
    );
  }

  #errorEnd = -1;

  /**
   * Byte offset just after the input the last error needed to be found
   * (its character, or the whole tag for an error reported at the tag).
   */
  get errorEnd(): number {
    return this.#errorEnd;
  }

  /**
   * Feeds decoded text; the handler is called for every completed token.
   * `byteLength` is the size of the UTF-8 input it was decoded from by a
   * fatal decoder (so it has no lone surrogates); -1 for other text.
   */
  feed(chunk: string, byteLength = -1): void {
    NOT_PLAIN_ASCII.lastIndex = 0;
    const special = NOT_PLAIN_ASCII.exec(chunk);
    let bad = -1;
    if (special !== null) {
      const forbidden = byteLength >= 0 ? FORBIDDEN_DECODED : FORBIDDEN_CHAR;
      forbidden.lastIndex = special.index;
      bad = forbidden.exec(chunk)?.index ?? -1;
    }
    this.#fedBytes += byteLength >= 0
      ? byteLength
      : special === null
      ? chunk.length
      : utf8Length(chunk);
    this.#append(bad === -1 ? chunk : chunk.slice(0, bad));
    this.#run();
    if (bad !== -1) {
      throw this.error(
        `character ${describe(chunk.charCodeAt(bad))} is not allowed in XML`,
        "not-well-formed",
        this.#buf.length,
      );
    }
  }

  /** Ends the input; throws when it stopped inside markup. */
  finish(): void {
    this.#final = true;
    this.#run();
    if (this.#state === TEXT) return;
    const where = ["a tag", "a CDATA section", "a reference"][
      this.#state === CDATA ? 1 : this.#state === REF ? 2 : 0
    ];
    const message = `unexpected end of input inside ${where}`;
    throw this.error(message, "not-well-formed", this.#buf.length);
  }

  #append(chunk: string): void {
    const state = this.#state;
    let keep = this.#i;
    if (state === REF || state === DECL) keep = this.#tok;
    else if (state === LT) keep = this.#pos.tagIndex; // "<?" may start a declaration
    else if (state === TAG) keep = this.#tag.keepFrom(keep);
    if (this.inTag) this.#pos.tagByte();
    this.#pos.advance(keep);
    const tail = keep === this.#buf.length ? "" : this.#buf.slice(keep);
    this.#buf = tail + chunk;
    this.#pos.rebase(this.#buf, keep);
    this.#tag.rebase(keep);
    this.#i -= keep;
    this.#tok -= keep;
    this.#lt = -2;
    this.#amp = -2;
    if (!this.#started && this.#buf.length > 0) {
      this.#started = true;
      if (this.#buf.charCodeAt(0) === 0xfeff) this.#i = this.#declAt = 1;
    }
  }

  #run(): void {
    const buf = this.#buf;
    const len = buf.length;
    let more = true;
    while (more && this.#i < len) {
      switch (this.#state) {
        case TEXT:
          more = this.#text(buf, len);
          break;
        case TAG:
          more = this.#scanTag(buf, len);
          break;
        case LT:
          this.#afterLt(buf.charCodeAt(this.#i));
          break;
        case BANG:
          this.#afterBang(buf.charCodeAt(this.#i));
          break;
        case CDATA:
          more = this.#cdata(buf, len);
          break;
        case DECL:
          more = this.#declaration(buf, len);
          break;
        default:
          more = this.#reference(buf, len);
      }
    }
  }

  #text(buf: string, len: number): boolean {
    const i = this.#i;
    let lt = this.#lt;
    if (lt === -2 || (lt !== -1 && lt < i)) lt = this.#lt = buf.indexOf("<", i);
    let amp = this.#amp;
    if (amp === -2 || (amp !== -1 && amp < i)) {
      amp = this.#amp = buf.indexOf("&", i);
    }
    let end = lt === -1 ? len : lt;
    if (amp !== -1 && amp < end) end = amp;
    if (end === len) {
      if (!this.#final) {
        // Hold back what could join the next chunk: "\r\n" or "]]>".
        const last = buf.charCodeAt(len - 1);
        if (last === 0x0d) end--;
        else if (last === 0x5d) end -= buf.charCodeAt(len - 2) === 0x5d ? 2 : 1;
        if (end < i) end = i;
      }
      if (end > i) this.#emitText(buf, i, end);
      return false;
    }
    if (end > i) this.#emitText(buf, i, end);
    this.#tok = end;
    this.#i = end + 1;
    if (end === amp) {
      this.#state = REF;
    } else {
      this.#state = LT;
      this.#pos.startTag(end);
    }
    return true;
  }

  #emitText(buf: string, from: number, to: number): void {
    const raw = buf.slice(from, to);
    const bad = raw.indexOf("]]>");
    this.#i = to;
    this.#textStart = from;
    // Text before a "]]>" goes first: its own fault wins, as in any chunking.
    const text = bad === -1 ? raw : raw.slice(0, bad);
    if (text !== "") this.#h.text(normaliseLineEnds(text), TextKind.literal);
    const message = '"]]>" is not allowed in text';
    if (bad !== -1) throw this.error(message, "not-well-formed", from + bad);
  }

  #afterLt(c: number): void {
    if (c >= 128 || (ASCII_NAME[c] & 1) !== 0) {
      this.#tag.begin(false, this.#i);
      this.#state = TAG;
    } else if (c === 0x2f /* / */) {
      this.#tag.begin(true, ++this.#i);
      this.#state = TAG;
    } else if (c === 0x21 /* ! */) {
      this.#i++;
      this.#bang = 0;
      this.#state = BANG;
    } else if (c === 0x3f /* ? */) {
      if (!this.#declAllowed || this.#pos.tagChar !== this.#declAt) {
        throw this.#fail(processingInstruction("tag"));
      }
      this.#i++;
      this.#tok = this.#pos.tagIndex;
      this.#state = DECL;
    } else {
      throw this.error(
        `unexpected ${describe(c)} after "<"`,
        "not-well-formed",
      );
    }
  }

  #scanTag(buf: string, len: number): boolean {
    const tag = this.#tag;
    this.#i = tag.scan(buf, len, this.#i);
    if (!tag.done) return false;
    this.#state = TEXT;
    if (tag.endTag) this.#h.endTag(tag.name);
    else this.#h.startTag(tag.name, tag.attrs, tag.selfClosing);
    return true;
  }

  #afterBang(c: number): void {
    const next = stepBang(c, this.#bang, this.#i);
    if (typeof next !== "number") throw this.#fail(next);
    this.#i++;
    this.#bang = next;
    if (next === 7) {
      this.#state = CDATA;
      this.#textStart = this.#i;
      this.#h.text("", TextKind.cdata);
    }
  }

  #cdata(buf: string, len: number): boolean {
    const i = this.#i;
    const end = buf.indexOf("]]>", i);
    if (end !== -1) {
      this.#i = end + 3;
      this.#state = TEXT;
      if (end > i) {
        this.#textStart = i;
        this.#h.text(normaliseLineEnds(buf.slice(i, end)), TextKind.cdata);
      }
      return true;
    }
    let stop = len - 2; // "]]" may start the end marker
    if (stop > i && buf.charCodeAt(stop - 1) === 0x0d) stop--;
    if (stop > i) {
      this.#i = stop;
      this.#textStart = i;
      this.#h.text(normaliseLineEnds(buf.slice(i, stop)), TextKind.cdata);
    }
    return false;
  }

  #declaration(buf: string, len: number): boolean {
    const end = scanDeclaration(buf, this.#tok, len);
    if (typeof end !== "number") throw this.#fail(end);
    this.#i = end === -1 ? len : end;
    if (end !== -1) this.#state = TEXT;
    return end !== -1;
  }

  #reference(buf: string, len: number): boolean {
    const found = scanReference(buf, this.#tok, this.#i, len);
    if (found === -1) {
      this.#i = len;
      return false;
    }
    if ("message" in found) throw this.#fail(found);
    this.#i = found.end;
    this.#state = TEXT;
    this.#textStart = this.#tok;
    this.#h.text(found.value, TextKind.reference);
    return true;
  }

  #fail(problem: MarkupProblem): XmlSyntaxError {
    if (problem.at === "tag") {
      return this.errorAtTag(problem.message, problem.condition);
    }
    return this.error(problem.message, problem.condition, problem.at);
  }
}
