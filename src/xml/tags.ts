// W3C XML 1.0 sections 3.1 and 3.3.3 (start, end and empty-element tags; attribute values), with RFC 6120 section 11 limits.

import type { XmlErrorCondition, XmlPosition } from "./errors.ts";
import { XmlSyntaxError } from "./errors.ts";
import { ASCII_NAME, isSpace, XML_NAME } from "./chars.ts";
import { describe, referenceProblem } from "./markup.ts";
import { decodeAttributeValue } from "./values.ts";

/** What a {@linkcode TagScanner} needs from the tokenizer around it. */
export interface TagContext {
  /** An error at buffer index `at`. */
  error(message: string, condition: XmlErrorCondition, at: number): Error;
  /** The position of buffer index `at`; measures the tag start first. */
  position(at: number): XmlPosition;
}

/** Limits on one tag. */
export interface TagLimits {
  /** Most attributes (declarations included). */
  maxAttributes: number;
  /** Longest attribute value, in characters as written. */
  maxAttributeLength: number;
  /** Longest element or attribute name. */
  maxNameLength: number;
}

const NAME = 0, TAG = 1, ATTR_NAME = 2, ATTR_EQ = 3, ATTR_QUOTE = 4;
const ATTR_VALUE = 5, ATTR_AFTER = 6, EMPTY = 7, END_AFTER = 8, DONE = 9;

/**
 * Reads one start or end tag from its name to its `>`, resumable at any
 * offset: `scan()` goes as far as the buffer allows and reports where it
 * stopped; `done` tells when the tag is complete.
 */
export class TagScanner {
  #ctx: TagContext;
  #maxAttributes: number;
  #maxValue: number;
  #maxName: number;
  #state = DONE;
  #endTag = false;
  #selfClosing = false;
  #tok = 0;
  #wide = false;
  #name = "";
  #attrs: string[] = [];
  #attrName = "";
  #quote = "";
  #valStart = 0;
  #valParts = "";
  #valPosition: XmlPosition | undefined;
  #lt = -2;

  /** Creates a scanner; `ctx` makes errors and positions. */
  constructor(ctx: TagContext, limits: TagLimits) {
    this.#ctx = ctx;
    this.#maxAttributes = limits.maxAttributes;
    this.#maxValue = limits.maxAttributeLength;
    this.#maxName = limits.maxNameLength;
  }

  /** True once the `>` was read. */
  get done(): boolean {
    return this.#state === DONE;
  }

  /** True for an end tag. */
  get endTag(): boolean {
    return this.#endTag;
  }

  /** True for an empty-element tag (`<a/>`). */
  get selfClosing(): boolean {
    return this.#selfClosing;
  }

  /** The tag's name as written. */
  get name(): string {
    return this.#name;
  }

  /** Attributes as written: `[name, decoded value, ...]`. */
  get attrs(): string[] {
    return this.#attrs;
  }

  /** Starts a tag whose name begins at buffer index `at`. */
  begin(endTag: boolean, at: number): void {
    this.#state = NAME;
    this.#endTag = endTag;
    this.#selfClosing = false;
    this.#tok = at;
    this.#wide = false;
    this.#attrs = [];
  }

  /** The first buffer index that must be kept when the buffer is compacted at `i`. */
  keepFrom(i: number): number {
    return this.#state === NAME || this.#state === ATTR_NAME ? this.#tok : i;
  }

  /** Shifts indices after the first `dropped` characters left the buffer. */
  rebase(dropped: number): void {
    this.#tok -= dropped;
    this.#valStart -= dropped;
    this.#lt = -2;
  }

  /** Scans from `i`; returns the index reached (after `>` when done). */
  scan(buf: string, len: number, from: number): number {
    let i = from;
    while (i < len) {
      const state = this.#state;
      if (state === NAME || state === ATTR_NAME) {
        i = this.#scanName(buf, len, i);
        if (i === len) return i;
        continue;
      }
      if (state === ATTR_VALUE) {
        i = this.#value(buf, len, i);
        continue;
      }
      const c = buf.charCodeAt(i);
      if (isSpace(c) && state !== EMPTY) {
        if (state === ATTR_AFTER) this.#state = TAG;
      } else if (
        c === 0x3e /* > */ && state !== ATTR_EQ && state !== ATTR_QUOTE
      ) {
        if (state === EMPTY) this.#selfClosing = true;
        this.#state = DONE;
        return i + 1;
      } else this.#step(c, i);
      i++;
    }
    return i;
  }

  #step(c: number, i: number): void {
    const state = this.#state;
    if (state === ATTR_EQ && c === 0x3d /* = */) {
      this.#state = ATTR_QUOTE;
    } else if (state === ATTR_QUOTE && (c === 0x22 || c === 0x27)) {
      this.#openValue(c, i + 1);
    } else if ((state === TAG || state === ATTR_AFTER) && c === 0x2f) {
      this.#state = EMPTY;
    } else if (state === TAG && (c >= 128 || (ASCII_NAME[c] & 1) !== 0)) {
      if (this.#attrs.length >= this.#maxAttributes * 2) {
        throw this.#ctx.error(
          `more than ${this.#maxAttributes} attributes on "${this.#name}"`,
          "policy-violation",
          i,
        );
      }
      this.#tok = i;
      this.#state = ATTR_NAME;
    } else {
      throw this.#ctx.error(this.#unexpected(c), "not-well-formed", i);
    }
  }

  #unexpected(c: number): string {
    switch (this.#state) {
      case ATTR_EQ:
        return `expected "=" after attribute "${this.#attrName}"`;
      case ATTR_QUOTE:
        return `value of attribute "${this.#attrName}" must be quoted`;
      case ATTR_AFTER:
        return `expected whitespace between attributes of "${this.#name}"`;
      case EMPTY:
        return `expected ">" after "/" in "${this.#name}"`;
      default:
        return `unexpected ${describe(c)} in ${
          this.#endTag ? "end" : "start"
        } tag "${this.#name}"`;
    }
  }

  #scanName(buf: string, len: number, from: number): number {
    const tok = this.#tok;
    let i = from;
    let c = 0;
    let wide = this.#wide;
    while (i < len) {
      c = buf.charCodeAt(i);
      if (c >= 128) wide = true;
      else if ((ASCII_NAME[c] & 2) === 0) break;
      i++;
    }
    if (i - tok > this.#maxName) {
      throw this.#ctx.error(
        `name longer than ${this.#maxName} characters`,
        "policy-violation",
        tok + this.#maxName,
      );
    }
    this.#wide = wide;
    if (i === len) return i;
    this.#wide = false;
    const name = buf.slice(tok, i);
    const first = buf.charCodeAt(tok);
    // The first character may have been read before this scan began
    // (a wide one starts an attribute name): test it on its own too.
    if (
      i === tok || (first < 128 && (ASCII_NAME[first] & 1) === 0) ||
      ((wide || first >= 128) && !XML_NAME.test(name))
    ) {
      throw this.#ctx.error(`invalid name "${name}"`, "not-well-formed", tok);
    }
    if (this.#state === NAME) {
      this.#name = name;
      this.#state = this.#endTag ? END_AFTER : TAG;
      if (c !== 0x3e && c !== 0x2f && !isSpace(c)) {
        throw this.#ctx.error(
          `unexpected ${describe(c)} after name "${name}"`,
          "not-well-formed",
          i,
        );
      }
      return i;
    }
    const attrs = this.#attrs;
    for (let j = 0; j < attrs.length; j += 2) {
      if (attrs[j] === name) {
        throw this.#ctx.error(
          `duplicate attribute "${name}"`,
          "not-well-formed",
          tok,
        );
      }
    }
    this.#attrName = name;
    this.#state = ATTR_EQ;
    // Shortcut for the usual name='value' without spaces around "=".
    const quote = buf.charCodeAt(i + 1);
    if (c !== 0x3d /* = */ || (quote !== 0x22 && quote !== 0x27)) return i;
    this.#openValue(quote, i + 2);
    return i + 2;
  }

  #openValue(quote: number, start: number): void {
    this.#quote = quote === 0x22 ? '"' : "'";
    this.#valStart = start;
    this.#valParts = "";
    this.#valPosition = undefined;
    this.#state = ATTR_VALUE;
  }

  #value(buf: string, len: number, i: number): number {
    const q = buf.indexOf(this.#quote, i);
    const end = q === -1 ? len : q;
    let lt = this.#lt;
    if (lt === -2 || (lt !== -1 && lt < i)) lt = this.#lt = buf.indexOf("<", i);
    const start = this.#valStart;
    const size = this.#valParts.length + end - start;
    const over = start + this.#maxValue - this.#valParts.length;
    if (lt !== -1 && lt < end && (size <= this.#maxValue || lt < over)) {
      throw this.#ctx.error(
        `"<" in the value of attribute "${this.#attrName}"`,
        "not-well-formed",
        lt,
      );
    }
    if (size > this.#maxValue) {
      throw this.#ctx.error(
        `value of attribute "${this.#attrName}" longer than ${this.#maxValue} characters`,
        "policy-violation",
        over,
      );
    }
    if (q === -1) {
      this.#valPosition ??= this.#ctx.position(start);
      this.#valParts += buf.slice(start, len);
      this.#valStart = len;
      return len;
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
        this.#valPosition ?? this.#ctx.position(start),
      );
    }
    this.#attrs.push(this.#attrName, value);
    this.#state = ATTR_AFTER;
    return q + 1;
  }
}
