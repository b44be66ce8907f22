// RFC 6120 sections 4.1-4.3 and 11: the stream header, depth-1 stanzas and whole documents, built from restricted-XML tokens.

import type { XmlElement, XmlNode } from "./element.ts";
import { type XmlPosition, XmlSyntaxError } from "./errors.ts";
import { NamespaceScope } from "./namespaces.ts";
import { XmlTokenizer } from "./tokenizer.ts";
import { TextKind, type TokenHandler } from "./tokens.ts";

const NOT_SPACE = /[^ \t\r\n]/;
/** Largest stream header (start tag of the root in stream mode), in bytes. */
const MAX_HEADER_BYTES = 64 * 1024;

/** What a {@linkcode TreeBuilder} reports in stream mode. */
export type BuilderEvent =
  | { type: "open"; header: XmlElement }
  | { type: "element"; element: XmlElement }
  | { type: "close" };

/** Settings of a {@linkcode TreeBuilder}, all limits resolved. */
export interface BuilderSettings {
  /** Document mode (one root, returned by `result`) instead of stream mode. */
  document: boolean;
  /** Default namespace in scope at the root. */
  defaultNamespace: string;
  /** Namespace renames. */
  namespaceAliases: Readonly<Record<string, string>> | undefined;
  /** Accept an XML declaration at the start. */
  allowXmlDeclaration: boolean;
  /** Whether error offsets count bytes. */
  reportBytes: boolean;
  /** Largest stanza in bytes. */
  maxStanzaBytes: number;
  /** Deepest nesting (stream header = 0). */
  maxDepth: number;
  /** Most attributes per element. */
  maxAttributes: number;
  /** Longest attribute value. */
  maxAttributeLength: number;
  /** Longest text run. */
  maxTextLength: number;
  /** Longest name. */
  maxNameLength: number;
}

/**
 * Builds elements from tokens. In stream mode the root is the stream header
 * and each depth-1 element is an event; in document mode the single root
 * element is the result.
 */
export class TreeBuilder implements TokenHandler {
  #tok: XmlTokenizer;
  #scope: NamespaceScope;
  #document: boolean;
  #offset: number; // depth of the outermost element: 0 in streams, 1 in documents
  #maxStanza: number;
  #maxDepth: number;
  #maxText: number;
  #events: BuilderEvent[] = [];
  #names: string[] = [];
  #kids: XmlNode[][] = [];
  #depth = 0; // open elements
  #text = "";
  #stanza: XmlElement | undefined;
  #stanzaStart = -1;
  #stanzaStartChar = 0;
  #stanzaPosition: XmlPosition | undefined;
  #done = false;
  #result: XmlElement | undefined;

  /** Creates a builder and its tokenizer. */
  constructor(settings: BuilderSettings) {
    this.#document = settings.document;
    this.#offset = settings.document ? 1 : 0;
    this.#maxStanza = settings.maxStanzaBytes;
    this.#maxDepth = settings.maxDepth;
    this.#maxText = settings.maxTextLength;
    this.#tok = new XmlTokenizer(this, settings, settings.reportBytes);
    this.#scope = new NamespaceScope(
      settings.defaultNamespace,
      settings.namespaceAliases,
      (message) => this.#tok.errorAtTag(message, "not-well-formed"),
    );
  }

  /** Chooses whether error offsets count bytes. */
  set reportBytes(value: boolean) {
    this.#tok.reportBytes = value;
  }

  /** The root element once a document is complete. */
  get result(): XmlElement | undefined {
    return this.#result;
  }

  /** Feeds decoded text (of `byteLength` input bytes, if known) and returns the events it completed. */
  feed(text: string, byteLength = -1): BuilderEvent[] {
    this.#events = [];
    try {
      this.#tok.feed(text, byteLength);
    } catch (error) {
      // A chunk that ends past the size limit is refused before the next
      // one is read; so an error found only after the limit was passed is
      // the size error too, or the same bytes would give a different
      // condition depending on how they were split.
      const open = error instanceof XmlSyntaxError &&
          error.condition !== "policy-violation"
        ? this.#measured()
        : null;
      if (open && this.#tok.errorEnd - 1 - open.start > open.max) {
        throw this.#tooLarge(open.position, open.what);
      }
      throw error;
    }
    this.#checkBuffered();
    return this.#events;
  }

  /** Fails at the end of the text fed so far (e.g. for invalid UTF-8 that follows it). */
  failAtEnd(message: string): Error {
    return this.#tok.error(message, "not-well-formed", Infinity);
  }

  /** Ends the input; throws when it stopped inside a tag, a stanza or (documents) the root. */
  finish(): BuilderEvent[] {
    this.#events = [];
    this.#tok.finish();
    const level = this.#depth + this.#offset;
    if (this.#document ? !this.#done : level >= 2) {
      throw this.#tok.error(
        this.#depth > 0
          ? `unexpected end of input: element "${
            this.#names[this.#depth - 1]
          }" is not closed`
          : "no root element",
        "not-well-formed",
        Infinity,
      );
    }
    return this.#events;
  }

  /** Opens an element: the stream header, a stanza, or a child of the open stanza. */
  startTag(name: string, attrs: string[], selfClosing: boolean): void {
    const tok = this.#tok;
    if (this.#done) {
      throw tok.errorAtTag(
        this.#document
          ? `element "${name}" after the root element`
          : `element "${name}" after the end of the stream`,
        "not-well-formed",
      );
    }
    const level = this.#depth + this.#offset;
    if (level > this.#maxDepth) {
      throw tok.errorAtTag(
        `elements nested deeper than ${this.#maxDepth}`,
        "policy-violation",
      );
    }
    const kids: XmlNode[] = [];
    const element = this.#scope.open(name, attrs, kids);
    if (level === 0) {
      const start = tok.tagStartByte(); // before currentByte(): the mark only moves forward
      if (tok.currentByte() - start > MAX_HEADER_BYTES) {
        throw this.#tooLarge(tok.tagStartPosition(), "stream header");
      }
      this.#events.push({ type: "open", header: element });
      if (selfClosing) {
        this.#scope.close();
        return this.#closeStream();
      }
    } else if (level === 1) {
      this.#stanzaStart = tok.tagStartByte();
      this.#stanzaStartChar = tok.tagStartChar();
      this.#stanzaPosition = tok.tagStartPosition();
      this.#stanza = element;
    } else {
      const parent = this.#kids[this.#kids.length - 1];
      if (this.#text !== "") {
        parent.push(this.#text);
        this.#text = "";
      }
      parent.push(element);
      this.#checkSize();
    }
    if (selfClosing) {
      this.#scope.close();
      if (level === 1) this.#complete(element);
      return;
    }
    this.#names.push(name);
    this.#kids.push(kids);
    this.#depth++;
  }

  /** Closes the innermost element; a depth-1 element becomes an event (or the document). */
  endTag(name: string): void {
    const depth = this.#depth;
    const expected = this.#names[depth - 1];
    if (name !== expected) {
      throw this.#tok.errorAtTag(
        depth === 0
          ? `unexpected end tag "${name}"`
          : `unexpected end tag "${name}", expected "${expected}"`,
        "not-well-formed",
      );
    }
    const kids = this.#kids.pop()!;
    this.#names.pop();
    this.#depth = depth - 1;
    this.#scope.close();
    if (this.#text !== "") {
      kids.push(this.#text);
      this.#text = "";
    }
    const level = depth - 1 + this.#offset;
    if (level === 0) this.#closeStream();
    else if (level === 1) this.#complete(this.#stanza!);
    else this.#checkSize();
  }

  /** Adds character data to the open stanza; outside stanzas only whitespace is allowed. */
  text(value: string, kind: TextKind): void {
    const level = this.#depth === 0 ? 0 : this.#depth + this.#offset;
    if (level >= 2) {
      const text = this.#text + value;
      if (text.length > this.#maxText) {
        throw this.#tok.errorInText(
          `text longer than ${this.#maxText} characters`,
          "policy-violation",
          this.#maxText - this.#text.length,
        );
      }
      this.#text = text;
      return;
    }
    const visible = kind === TextKind.literal || level === 1
      ? value.search(NOT_SPACE)
      : 0;
    if (visible === -1) return;
    if (level === 1) {
      throw this.#tok.errorInText(
        "text between stanzas",
        "bad-format",
        visible,
      );
    }
    const what = kind === TextKind.cdata
      ? "CDATA section"
      : kind === TextKind.reference
      ? "reference"
      : "text";
    throw this.#tok.errorInText(
      `${what} outside the root element`,
      "not-well-formed",
      visible,
    );
  }

  #closeStream(): void {
    this.#done = true;
    this.#events.push({ type: "close" });
  }

  #complete(element: XmlElement): void {
    this.#checkSize();
    this.#stanzaStart = -1;
    this.#stanza = undefined;
    if (this.#document) {
      this.#done = true;
      this.#result = element;
    } else this.#events.push({ type: "element", element });
  }

  #checkSize(): void {
    const tok = this.#tok;
    // A UTF-16 unit is at most 3 bytes: measure bytes only when that could exceed the limit.
    if ((tok.currentChar() - this.#stanzaStartChar) * 3 <= this.#maxStanza) {
      return;
    }
    if (tok.currentByte() - this.#stanzaStart > this.#maxStanza) {
      throw this.#tooLarge(this.#stanzaPosition!);
    }
  }

  #checkBuffered(): void {
    const open = this.#measured();
    if (open && this.#tok.fedBytes - open.start > open.max) {
      throw this.#tooLarge(open.position, open.what);
    }
  }

  /** The open stanza, or the unfinished start tag of a stanza or stream header, with its limit. */
  #measured():
    | { start: number; position: XmlPosition; what: string; max: number }
    | null {
    const tok = this.#tok;
    if (this.#stanzaStart >= 0) {
      return {
        start: this.#stanzaStart,
        position: this.#stanzaPosition!,
        what: "stanza",
        max: this.#maxStanza,
      };
    }
    const level = this.#depth + this.#offset;
    if (level > 1 || !tok.inTag) return null;
    return {
      start: tok.tagStartByte(),
      position: tok.tagStartPosition(),
      what: level === 0 ? "stream header" : "stanza",
      max: level === 0 ? MAX_HEADER_BYTES : this.#maxStanza,
    };
  }

  #tooLarge(position: XmlPosition, what = "stanza"): XmlSyntaxError {
    const max = what === "stanza" ? this.#maxStanza : MAX_HEADER_BYTES;
    return new XmlSyntaxError(
      `Cannot parse XML: ${what} larger than ${max} bytes`,
      "policy-violation",
      position,
    );
  }
}
