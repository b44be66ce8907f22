// RFC 6120 section 11 restricted XML: the tokens the tokenizer reports and the options it takes.

import type { TagLimits } from "./tags.ts";

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

/** Limits and switches of the tokenizer. */
export interface TokenizerOptions extends TagLimits {
  /** Accept `<?xml ...?>` at the very start. */
  allowXmlDeclaration: boolean;
}
