// RFC 6120 section 11 restricted XML: a push tokenizer over decoded text (W3C XML 1.0 sections 2.4-2.8, 3.1, 4.1).

import {
  type XmlErrorCondition,
  type XmlPosition,
  XmlSyntaxError,
} from "./errors.ts";
import {
  ASCII_NAME,
  ASCII_ONLY,
  FORBIDDEN_CHAR,
  isSpace,
  utf8Length,
  XML_NAME,
} from "./chars.ts";
import {
  checkDeclaration,
  describe,
  type MarkupProblem,
  MAX_DECLARATION,
  processingInstruction,
  referenceProblem,
  scanDeclarationStart,
  scanReference,
  stepBang,
} from "./markup.ts";
import { PositionTracker } from "./position.ts";
import { decodeAttributeValue, normalizeText } from "./values.ts";

/** Kinds of character data passed to {@linkcode TokenHandler.text}. */
export const TextKind = {
  /** Literal character data. */
  literal: 0,
  /** The replacement of an entity or character reference. */
  reference: 1,
  /** The content of a CDATA section ("" when the section starts). */
  cdata: 2,
} as const;
/** One of {@linkcode TextKind}. */
export type TextKind = typeof TextKind[keyof typeof TextKind];

/** Receives tokens; may throw (usually an error made by {@linkcode XmlTokenizer.error}). */
export interface TokenHandler {
  /** A start tag; `attrs` is `[name, value, name, value, ...]` with values decoded. */
  startTag(name: string, attrs: string[], selfClosing: boolean): void;
  /** An end tag. */
  endTag(name: string): void;
  /** A piece of character data; adjacent pieces belong together. */
  text(value: string, kind: TextKind): void;
}

/** Limits enforced while tokenizing. */
export interface TokenizerOptions {
  /** Most attributes (declarations included) on one start tag. */
  maxAttributes: number;
  /** Longest attribute value in characters as written. */
  maxAttributeLength: number;
  /** Longest element or attribute name. */
  maxNameLength: number;
  /** Accept `<?xml ...?>` at the very start. */
  allowXmlDeclaration: boolean;
}

const TEXT = 0, LT = 1, START_NAME = 2, TAG = 3, ATTR_NAME = 4, ATTR_EQ = 5;
const ATTR_QUOTE = 6, ATTR_VALUE = 7, ATTR_AFTER = 8, EMPTY = 9;
const END_NAME = 10, END_AFTER = 11, BANG = 12, CDATA = 13, DECL = 14;
const REF = 15;

/**
 * A push tokenizer for restricted XML: `feed()` decoded text in any pieces,
 * the handler gets start tags, end tags and text in document order. Comments,
 * processing instructions and DOCTYPEs are rejected as they are recognised.
 */
export class XmlTokenizer {
  #h: TokenHandler;
  #maxAttributes: number;
  #maxValue: number;
  #maxName: number;
  #declAllowed: boolean;
  #pos: PositionTracker;
  #buf = "";
  #base = 0; // characters dropped before #buf
  #ascii = true;
  #i = 0;
  #state = TEXT;
  #final = false;
  #started = false;
  #declAt = 0;
  #fedBytes = 0;
  #lt = -2; // cached index of the next "<" (-1 none, -2 unknown)
  #amp = -2; // cached index of the next "&"
  #tok = 0; // start of the token that must stay in the buffer
  #tagStart = 0;
  #tagByte = -1;
  #tagPosition: XmlPosition | undefined;
  #valPosition: XmlPosition | undefined;
  #name = "";
  #attrs: string[] = [];
  #attrName = "";
  #quote = "";
  #valStart = 0;
  #valParts = "";
  #bang = 0;
  #wide = false;
  #textStart = 0;

  /** Creates a tokenizer reporting to `handler`. */
  constructor(
    handler: TokenHandler,
    options: TokenizerOptions,
    reportBytes: boolean,
  ) {
    this.#h = handler;
    this.#maxAttributes = options.maxAttributes;
    this.#maxValue = options.maxAttributeLength;
    this.#maxName = options.maxNameLength;
    this.#declAllowed = options.allowXmlDeclaration;
    this.#pos = new PositionTracker(reportBytes);
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
    return state !== TEXT && state !== CDATA && state !== REF;
  }

  /** Byte offset of the `<` of the tag being reported. */
  tagStartByte(): number {
    if (this.#tagPosition === undefined) {
      this.#tagPosition = this.#pos.position(this.#tagStart);
      this.#tagByte = this.#pos.byteOffset(this.#tagStart);
    }
    return this.#tagByte;
  }

  /** Byte offset just after the token being reported. */
  currentByte(): number {
    return this.#pos.byteOffset(this.#i);
  }

  /** An error at the start of the current tag. */
  errorAtTag(message: string, condition: XmlErrorCondition): XmlSyntaxError {
    this.tagStartByte();
    return new XmlSyntaxError(
      `Cannot parse XML: ${message}`,
      condition,
      this.#tagPosition!,
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
    return new XmlSyntaxError(
      `Cannot parse XML: ${message}`,
      condition,
      this.#pos.position(Math.min(at, this.#buf.length)),
    );
  }

  /** Feeds decoded text; the handler is called for every completed token. */
  feed(chunk: string): void {
    const ascii = ASCII_ONLY.test(chunk);
    this.#fedBytes += ascii ? chunk.length : utf8Length(chunk);
    const bad = FORBIDDEN_CHAR.exec(chunk);
    this.#append(bad === null ? chunk : chunk.slice(0, bad.index), ascii);
    this.#run();
    if (bad !== null) {
      const cp = bad[0].charCodeAt(0).toString(16).toUpperCase();
      throw this.error(
        `character U+${cp.padStart(4, "0")} is not allowed in XML`,
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
    const where = this.#state === CDATA
      ? "a CDATA section"
      : this.#state === REF
      ? "a reference"
      : "a tag";
    throw this.error(
      `unexpected end of input inside ${where}`,
      "not-well-formed",
      this.#buf.length,
    );
  }

  #append(chunk: string, ascii: boolean): void {
    const state = this.#state;
    let keep = this.#i;
    if (state === START_NAME || state === ATTR_NAME || state === END_NAME) {
      keep = this.#tok;
    } else if (state === REF || state === DECL) keep = this.#tok;
    else if (state === LT) keep = this.#tagStart; // "<?" may start a declaration
    if (state !== TEXT && state !== CDATA && state !== REF) this.tagStartByte();
    this.#pos.advance(keep);
    const tail = keep === this.#buf.length ? "" : this.#buf.slice(keep);
    this.#buf = tail + chunk;
    this.#ascii = ascii &&
      (tail === "" || this.#ascii || ASCII_ONLY.test(tail));
    this.#pos.rebase(this.#buf, keep, this.#ascii);
    this.#base += keep;
    this.#i -= keep;
    this.#tok -= keep;
    this.#tagStart -= keep;
    this.#valStart -= keep;
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
        case LT:
          this.#afterLt(buf.charCodeAt(this.#i));
          break;
        case START_NAME:
        case ATTR_NAME:
        case END_NAME:
          more = this.#scanName(buf, len);
          break;
        case ATTR_VALUE:
          more = this.#value(buf, len);
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
        case REF:
          more = this.#reference(buf, len);
          break;
        default:
          this.#inTag(buf.charCodeAt(this.#i));
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
      this.#tagStart = end;
      this.#tagPosition = undefined;
    }
    return true;
  }

  #emitText(buf: string, from: number, to: number): void {
    const raw = buf.slice(from, to);
    const bad = raw.indexOf("]]>");
    if (bad !== -1) {
      throw this.error(
        '"]]>" is not allowed in text',
        "not-well-formed",
        from + bad,
      );
    }
    this.#i = to;
    this.#textStart = from;
    this.#h.text(normalizeText(raw), TextKind.literal);
  }

  #afterLt(c: number): void {
    if (c < 128 ? (ASCII_NAME[c] & 1) !== 0 : true) {
      this.#tok = this.#i;
      this.#attrs = [];
      this.#state = START_NAME;
    } else if (c === 0x2f /* / */) {
      this.#tok = ++this.#i;
      this.#state = END_NAME;
    } else if (c === 0x21 /* ! */) {
      this.#i++;
      this.#bang = 0;
      this.#state = BANG;
    } else if (c === 0x3f /* ? */) {
      if (!this.#declAllowed || this.#base + this.#tagStart !== this.#declAt) {
        throw this.#noPi();
      }
      this.#i++;
      this.#tok = this.#tagStart;
      this.#state = DECL;
    } else {
      throw this.error(
        `unexpected ${describe(c)} after "<"`,
        "not-well-formed",
      );
    }
  }

  #scanName(buf: string, len: number): boolean {
    const tok = this.#tok;
    let i = this.#i;
    let c = 0;
    let wide = this.#wide;
    while (i < len) {
      c = buf.charCodeAt(i);
      if (c >= 128) wide = true;
      else if ((ASCII_NAME[c] & 2) === 0) break;
      i++;
    }
    if (i - tok > this.#maxName) {
      throw this.error(
        `name longer than ${this.#maxName} characters`,
        "policy-violation",
        tok + this.#maxName,
      );
    }
    this.#i = i;
    this.#wide = wide;
    if (i === len) return false;
    this.#wide = false;
    const name = buf.slice(tok, i);
    const first = buf.charCodeAt(tok);
    if (
      i === tok || (first < 128 && (ASCII_NAME[first] & 1) === 0) ||
      (wide && !XML_NAME.test(name))
    ) {
      throw this.error(`invalid name "${name}"`, "not-well-formed", tok);
    }
    const state = this.#state;
    if (state === ATTR_NAME) {
      const attrs = this.#attrs;
      for (let j = 0; j < attrs.length; j += 2) {
        if (attrs[j] === name) {
          throw this.error(
            `duplicate attribute "${name}"`,
            "not-well-formed",
            tok,
          );
        }
      }
      this.#attrName = name;
      this.#state = ATTR_EQ;
      return true;
    }
    this.#name = name;
    if (isSpace(c)) {
      this.#i++;
      this.#state = state === START_NAME ? TAG : END_AFTER;
    } else if (c === 0x3e /* > */) {
      if (state === START_NAME) this.#emitStart(false);
      else this.#emitEnd();
    } else if (c === 0x2f /* / */ && state === START_NAME) {
      this.#i++;
      this.#state = EMPTY;
    } else {
      throw this.error(
        `unexpected ${describe(c)} after name "${name}"`,
        "not-well-formed",
      );
    }
    return true;
  }

  #inTag(c: number): void {
    const state = this.#state;
    if (isSpace(c)) {
      if (state === EMPTY) {
        throw this.error('expected ">" after "/"', "not-well-formed");
      }
      this.#i++;
      if (state === ATTR_AFTER) this.#state = TAG;
      return;
    }
    if (state === TAG || state === ATTR_AFTER) {
      if (c === 0x3e /* > */) return this.#emitStart(false);
      if (c === 0x2f /* / */) {
        this.#i++;
        this.#state = EMPTY;
        return;
      }
      if (state === TAG && (c < 128 ? (ASCII_NAME[c] & 1) !== 0 : true)) {
        if (this.#attrs.length >= this.#maxAttributes * 2) {
          throw this.error(
            `more than ${this.#maxAttributes} attributes on element "${this.#name}"`,
            "policy-violation",
          );
        }
        this.#tok = this.#i;
        this.#state = ATTR_NAME;
        return;
      }
      throw this.error(
        state === TAG
          ? `unexpected ${describe(c)} in start tag "${this.#name}"`
          : `expected whitespace between attributes of "${this.#name}"`,
        "not-well-formed",
      );
    }
    if (state === ATTR_EQ) {
      if (c !== 0x3d /* = */) {
        throw this.error(
          `expected "=" after attribute "${this.#attrName}"`,
          "not-well-formed",
        );
      }
      this.#i++;
      this.#state = ATTR_QUOTE;
    } else if (state === ATTR_QUOTE) {
      if (c !== 0x22 && c !== 0x27) {
        throw this.error(
          `value of attribute "${this.#attrName}" must be quoted`,
          "not-well-formed",
        );
      }
      this.#quote = c === 0x22 ? '"' : "'";
      this.#valStart = ++this.#i;
      this.#valPosition = undefined;
      this.#valParts = "";
      this.#state = ATTR_VALUE;
    } else if (state === EMPTY && c === 0x3e) {
      this.#emitStart(true);
    } else if (state === END_AFTER && c === 0x3e) {
      this.#emitEnd();
    } else {
      throw this.error(
        `unexpected ${describe(c)} in ${
          state === EMPTY ? "empty-element tag" : "end tag"
        }`,
        "not-well-formed",
      );
    }
  }

  #emitStart(selfClosing: boolean): void {
    this.#i++;
    this.#state = TEXT;
    this.#h.startTag(this.#name, this.#attrs, selfClosing);
  }

  #emitEnd(): void {
    this.#i++;
    this.#state = TEXT;
    this.#h.endTag(this.#name);
  }

  #value(buf: string, len: number): boolean {
    const i = this.#i;
    const q = buf.indexOf(this.#quote, i);
    const end = q === -1 ? len : q;
    let lt = this.#lt;
    if (lt === -2 || (lt !== -1 && lt < i)) lt = this.#lt = buf.indexOf("<", i);
    const start = this.#valStart;
    const size = this.#valParts.length + end - start;
    const over = start + this.#maxValue - this.#valParts.length;
    if (lt !== -1 && lt < end && (size <= this.#maxValue || lt < over)) {
      throw this.error(
        `"<" in the value of attribute "${this.#attrName}"`,
        "not-well-formed",
        lt,
      );
    }
    if (size > this.#maxValue) {
      throw this.error(
        `value of attribute "${this.#attrName}" longer than ${this.#maxValue} characters`,
        "policy-violation",
        over,
      );
    }
    if (q === -1) {
      if (this.#valPosition === undefined) {
        this.tagStartByte(); // the mark must pass the tag start first
        this.#valPosition = this.#pos.position(start);
      }
      this.#valParts += buf.slice(start, len);
      this.#i = this.#valStart = len;
      return false;
    }
    const raw = this.#valParts + buf.slice(start, q);
    this.#valParts = "";
    const value = decodeAttributeValue(raw);
    if (typeof value !== "string") {
      const semi = raw.indexOf(";", value.at);
      const body = raw.slice(value.at + 1, semi === -1 ? raw.length : semi);
      const problem = referenceProblem(value.problem, body, start);
      throw new XmlSyntaxError(
        `Cannot parse XML: ${problem.message} in the value of "${this.#attrName}"`,
        problem.condition,
        this.#valPosition ?? this.#pos.position(start),
      );
    }
    this.#attrs.push(this.#attrName, value);
    this.#i = q + 1;
    this.#state = ATTR_AFTER;
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
        this.#h.text(normalizeText(buf.slice(i, end)), TextKind.cdata);
      }
      return true;
    }
    let stop = len - 2; // "]]" may start the end marker
    if (stop > i && buf.charCodeAt(stop - 1) === 0x0d) stop--;
    if (stop > i) {
      this.#i = stop;
      this.#textStart = i;
      this.#h.text(normalizeText(buf.slice(i, stop)), TextKind.cdata);
    }
    return false;
  }

  #declaration(buf: string, len: number): boolean {
    const tok = this.#tok;
    if (this.#i - tok < 6) {
      const reached = scanDeclarationStart(buf, tok, this.#i, len);
      if (typeof reached !== "number") throw this.#fail(reached);
      this.#i = reached;
      if (reached - tok < 6) return false;
    }
    const end = buf.indexOf("?>", this.#i);
    if (
      end === -1 ? len - tok > MAX_DECLARATION : end + 2 - tok > MAX_DECLARATION
    ) {
      throw this.error("XML declaration too long", "not-well-formed", tok);
    }
    if (end === -1) {
      this.#i = Math.max(this.#i, len - 1);
      return false;
    }
    const problem = checkDeclaration(buf.slice(tok, end + 2), tok);
    if (problem !== undefined) throw this.#fail(problem);
    this.#i = end + 2;
    this.#state = TEXT;
    return true;
  }

  #reference(buf: string, len: number): boolean {
    const found = scanReference(buf, this.#tok, this.#i, len);
    if (found === -1) {
      this.#i = len;
      return false;
    }
    if (typeof found === "number") throw new Error("unreachable");
    if ("message" in found) throw this.#fail(found);
    this.#i = found.end;
    this.#state = TEXT;
    this.#textStart = this.#tok;
    this.#h.text(found.value, TextKind.reference);
    return true;
  }

  #noPi(): XmlSyntaxError {
    return this.#fail(processingInstruction("tag"));
  }

  #fail(problem: MarkupProblem): XmlSyntaxError {
    if (problem.at === "tag") {
      return this.errorAtTag(problem.message, problem.condition);
    }
    return this.error(problem.message, problem.condition, problem.at);
  }
}
