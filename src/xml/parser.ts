// RFC 6120 section 11 restricted XML: a push-based streaming parser and a whole-document parser.

import type { XmlElement } from "./element.ts";
import { TreeBuilder } from "./builder.ts";
import { Utf8Stream } from "./utf8.ts";

/** Limits and options of the parser; every limit fails with `policy-violation`. */
export interface XmlParserOptions {
  /** Largest stanza (depth-1 element; the root element in document mode), in bytes of input. Default 1 MiB. */
  maxStanzaBytes?: number;
  /** Deepest element nesting (the stream header counts as depth 0; a document's root as depth 1). Default 64. */
  maxDepth?: number;
  /** Most attributes (namespace declarations included) on one element. Default 64. */
  maxAttributes?: number;
  /** Longest attribute value, in characters as written in the input. Default 64 KiB. */
  maxAttributeLength?: number;
  /** Longest run of text in one element, in characters. Default 1 MiB. */
  maxTextLength?: number;
  /** Longest element or attribute name, in characters. Default 1024. */
  maxNameLength?: number;
  /**
   * Namespaces to rename as they are resolved, e.g.
   * `{ "jabber:component:accept": "jabber:client" }` so stanzas read from a
   * component stream look like client stanzas to everything above.
   */
  namespaceAliases?: Readonly<Record<string, string>>;
}

/** What the stream parser reports. */
export type XmlStreamEvent =
  | { type: "open"; header: XmlElement }
  | { type: "element"; element: XmlElement }
  | { type: "close" };

/** Options for {@linkcode parseXml}. */
export interface ParseXmlOptions extends XmlParserOptions {
  /** Accept an XML declaration before the root element. Default false. */
  allowXmlDeclaration?: boolean;
  /**
   * Default namespace in scope at the root, e.g. `jabber:client` so that a
   * bare `<message/>` from an HTTP body resolves like a client stanza.
   * Default "" (no namespace).
   */
  defaultNamespace?: string;
}

const KiB = 1024;

/** Drives a builder: decoding, sticky errors, end of input. */
class Core {
  #builder: TreeBuilder;
  #utf8 = new Utf8Stream();
  #error: unknown;
  #started = false;
  #ended = false;

  constructor(options: ParseXmlOptions, document: boolean) {
    this.#builder = new TreeBuilder({
      document,
      defaultNamespace: options.defaultNamespace ?? "",
      namespaceAliases: options.namespaceAliases,
      allowXmlDeclaration: document
        ? options.allowXmlDeclaration ?? false
        : true,
      reportBytes: false,
      maxStanzaBytes: options.maxStanzaBytes ?? 1024 * KiB,
      maxDepth: options.maxDepth ?? 64,
      maxAttributes: options.maxAttributes ?? 64,
      maxAttributeLength: options.maxAttributeLength ?? 64 * KiB,
      maxTextLength: options.maxTextLength ?? 1024 * KiB,
      maxNameLength: options.maxNameLength ?? 1024,
    });
  }

  get result(): XmlElement | undefined {
    return this.#builder.result;
  }

  push(chunk: Uint8Array | string): XmlStreamEvent[] {
    if (this.#error !== undefined) throw this.#error;
    if (this.#ended) {
      throw new TypeError("Cannot push XML: the parser has already ended");
    }
    try {
      const builder = this.#builder;
      if (!this.#started) {
        this.#started = true;
        builder.reportBytes = typeof chunk !== "string";
      }
      const decoded = typeof chunk === "string"
        ? this.#utf8.string(chunk)
        : this.#utf8.bytes(chunk);
      const events = builder.feed(
        decoded.text,
        typeof chunk === "string" ? -1 : chunk.length,
      );
      if (decoded.invalid) throw builder.failAtEnd("invalid UTF-8");
      return events;
    } catch (error) {
      this.#error = error;
      throw error;
    }
  }

  end(): XmlStreamEvent[] {
    if (this.#error !== undefined) throw this.#error;
    if (this.#ended) return [];
    this.#ended = true;
    try {
      const builder = this.#builder;
      const decoded = this.#utf8.end();
      const events = builder.feed(decoded.text);
      if (decoded.invalid) throw builder.failAtEnd("incomplete UTF-8 sequence");
      return events.concat(builder.finish());
    } catch (error) {
      this.#error = error;
      throw error;
    }
  }
}

/**
 * Push-based parser for an XMPP stream: feed chunks, get events. The root
 * element is the stream header (reported as `open`, without children), each
 * complete depth-1 element is reported as `element`, and the root's end tag
 * as `close`. Errors are thrown as {@linkcode XmlSyntaxError} and are sticky:
 * once one was thrown, every later call throws it again.
 *
 * @example
 * ```ts
 * const parser = new XmlStreamParser();
 * parser.push("<stream:stream xmlns='jabber:component:accept' " +
 *   "xmlns:stream='http://etherx.jabber.org/streams'>");
 * // [{ type: "open", header: <stream> }]
 * parser.push("<message to='a@b'><body>hi</body></message>");
 * // [{ type: "element", element: <message> }]
 * ```
 */
export class XmlStreamParser {
  #core: Core;

  /** Creates a parser with the given limits. */
  constructor(options: XmlParserOptions = {}) {
    this.#core = new Core(options, false);
  }

  /** Feeds bytes (UTF-8) or text; returns the events completed by this chunk. */
  push(chunk: Uint8Array | string): XmlStreamEvent[] {
    return this.#core.push(chunk);
  }

  /**
   * Signals the end of input; throws if the input stopped inside a tag or a
   * stanza. A stream that is open but not closed is not an error here.
   */
  end(): XmlStreamEvent[] {
    return this.#core.end();
  }
}

/**
 * Parses a complete document holding exactly one element (whitespace around
 * it allowed) with the same restrictions as the stream parser.
 *
 * @example
 * ```ts
 * const msg = parseXml("<message to='a@b'><body>hi</body></message>", {
 *   defaultNamespace: "jabber:client",
 * });
 * msg.getChildText("body"); // "hi"
 * ```
 */
export function parseXml(
  input: string | Uint8Array,
  options: ParseXmlOptions = {},
): XmlElement {
  const core = new Core(options, true);
  core.push(input);
  core.end();
  return core.result!;
}
