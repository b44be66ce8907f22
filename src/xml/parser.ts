// RFC 6120 section 11 restricted XML: a push-based streaming parser (interface; implementation in progress).

import type { XmlElement } from "./element.ts";

/** Limits and options of the parser; every limit fails with `policy-violation`. */
export interface XmlParserOptions {
  /** Largest stanza (depth-1 element; the root element in document mode), in bytes of input. Default 1 MiB. */
  maxStanzaBytes?: number;
  /** Deepest element nesting (the stream header counts as depth 0). Default 64. */
  maxDepth?: number;
  /** Most attributes (namespace declarations included) on one element. Default 64. */
  maxAttributes?: number;
  /** Longest attribute value, in characters. Default 64 KiB. */
  maxAttributeLength?: number;
  /** Longest run of text in one element, in characters. Default 1 MiB. */
  maxTextLength?: number;
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

/**
 * Push-based parser for an XMPP stream: feed chunks, get events. The root
 * element is the stream header (reported as `open`, without children), each
 * complete depth-1 element is reported as `element`, and the root's end tag
 * as `close`. Errors are thrown as {@linkcode XmlSyntaxError}.
 */
export class XmlStreamParser {
  /** Creates a parser with the given limits. */
  constructor(options: XmlParserOptions = {}) {
    void options;
  }

  /** Feeds bytes (UTF-8) or text; returns the events completed by this chunk. */
  push(chunk: Uint8Array | string): XmlStreamEvent[] {
    void chunk;
    throw new Error("not implemented");
  }

  /** Signals the end of input; throws if the input stopped inside a construct. */
  end(): XmlStreamEvent[] {
    throw new Error("not implemented");
  }
}

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

/**
 * Parses a complete document holding exactly one element (whitespace around
 * it allowed) with the same restrictions as the stream parser.
 */
export function parseXml(
  input: string | Uint8Array,
  options: ParseXmlOptions = {},
): XmlElement {
  void input;
  void options;
  throw new Error("not implemented");
}
