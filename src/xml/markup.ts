// RFC 6120 section 11 restricted XML: recognising the markup it forbids or limits (W3C XML 1.0 sections 2.5-2.8, 4.1).

import type { XmlErrorCondition } from "./errors.ts";
import {
  ASCII_NAME,
  decodeReference,
  isReferenceProblem,
  isSpace,
  type ReferenceProblem,
} from "./chars.ts";

/** A problem found by a markup scanner: message, condition and index in the buffer. */
export interface MarkupProblem {
  /** What is wrong (without the "Cannot parse XML: " prefix). */
  message: string;
  /** The stream error to send. */
  condition: XmlErrorCondition;
  /** Index in the scanned buffer, or "tag" for the start of the current tag. */
  at: number | "tag";
}

/** Longest reference body looked at (`#x0010FFFF` is 9 characters). */
const MAX_REFERENCE = 32;
/** Longest XML declaration accepted. */
const MAX_DECLARATION = 256;

const CDATA_OPEN = "[CDATA[";
const DECL_OPEN = "<?xml";
const S = "[ \\t\\r\\n]";
const DECLARATION = new RegExp(
  `^<\\?xml${S}+version${S}*=${S}*(["'])1\\.[0-9]+\\1` +
    `(?:${S}+encoding${S}*=${S}*(["'])([A-Za-z][A-Za-z0-9._-]*)\\2)?` +
    `(?:${S}+standalone${S}*=${S}*(["'])(?:yes|no)\\4)?${S}*\\?>$`,
);

/** Describes a character for messages: `"x"` or `U+0020`. */
export function describe(code: number): string {
  if (code > 0x20 && code < 0x7f) return `"${String.fromCharCode(code)}"`;
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** The error for a reference that cannot be decoded. */
export function referenceProblem(
  problem: ReferenceProblem,
  body: string,
  at: number,
): MarkupProblem {
  if (problem === "undeclared-entity") {
    return {
      message:
        `entity "&${body};" is not allowed (only the five predefined entities are)`,
      condition: "restricted-xml",
      at,
    };
  }
  if (problem === "forbidden-char") {
    return {
      message: `character reference "&${body};" is to a character XML forbids`,
      condition: "not-well-formed",
      at,
    };
  }
  return {
    message: `malformed reference "&${body.slice(0, MAX_REFERENCE)}"`,
    condition: "not-well-formed",
    at,
  };
}

/**
 * Reads the character after `<!` and the ones after it: `matched` is the
 * state so far (0 at the start). Returns the new state, 7 when a CDATA
 * section opened, or a problem for comments, DOCTYPE and anything else.
 */
export function stepBang(
  code: number,
  matched: number,
  at: number,
): number | MarkupProblem {
  if (matched === 0) {
    if (code === 0x2d /* - */) return 100;
    if (code === 0x5b /* [ */) return 1;
    if (code >= 0x41 && code <= 0x5a) {
      return {
        message: "DOCTYPE and markup declarations are not allowed",
        condition: "restricted-xml",
        at: "tag",
      };
    }
  } else if (matched === 100) {
    if (code === 0x2d) {
      return {
        message: "comments are not allowed",
        condition: "restricted-xml",
        at: "tag",
      };
    }
  } else if (code === CDATA_OPEN.charCodeAt(matched)) {
    return matched + 1;
  }
  return {
    message: `unexpected ${describe(code)} after "<!"`,
    condition: "not-well-formed",
    at,
  };
}

/**
 * Scans a reference in text: `tok` is the index of `&`, `from` where to go
 * on. Returns the index after `;` with the decoded text, -1 when more input
 * is needed, or a problem.
 */
export function scanReference(
  buf: string,
  tok: number,
  from: number,
  len: number,
): { end: number; value: string } | -1 | MarkupProblem {
  const limit = Math.min(len, tok + 2 + MAX_REFERENCE);
  let i = from;
  for (; i < limit; i++) {
    const c = buf.charCodeAt(i);
    if (c === 0x3b /* ; */) {
      const body = buf.slice(tok + 1, i);
      const value = decodeReference(body);
      if (isReferenceProblem(value)) return referenceProblem(value, body, tok);
      return { end: i + 1, value };
    }
    if (c < 128 && (ASCII_NAME[c] & 2) === 0 && c !== 0x23 /* # */) {
      return referenceProblem("malformed", buf.slice(tok + 1, i), tok);
    }
  }
  if (i === tok + 2 + MAX_REFERENCE) {
    return referenceProblem("malformed", buf.slice(tok + 1, i), tok);
  }
  return -1;
}

/**
 * Scans an XML declaration starting at `tok` (its `<`): returns the index
 * after `?>`, -1 when more input is needed, or a problem (any other
 * processing instruction is restricted XML; only UTF-8 is supported).
 */
export function scanDeclaration(
  buf: string,
  tok: number,
  len: number,
): number | MarkupProblem {
  const start = scanDeclarationStart(buf, tok, tok + 2, len);
  if (typeof start !== "number") return start;
  if (start - tok < 6) return -1;
  const end = buf.indexOf("?>", start);
  if ((end === -1 ? len : end + 2) - tok > MAX_DECLARATION) {
    return {
      message: "XML declaration too long",
      condition: "not-well-formed",
      at: tok,
    };
  }
  if (end === -1) return -1;
  return checkDeclaration(buf.slice(tok, end + 2), tok) ?? end + 2;
}

/**
 * Checks the start of a would-be XML declaration (`<?xml` and whitespace)
 * from index `from`; returns the index reached (6 past `tok` when complete)
 * or a problem: any other processing instruction is restricted XML.
 */
function scanDeclarationStart(
  buf: string,
  tok: number,
  from: number,
  len: number,
): number | MarkupProblem {
  let i = from;
  for (; i < len && i - tok < 6; i++) {
    const c = buf.charCodeAt(i);
    const k = i - tok;
    if (k < 5 ? c === DECL_OPEN.charCodeAt(k) : isSpace(c)) continue;
    if (k < 5 || (c < 128 && (ASCII_NAME[c] & 2) !== 0) || c >= 128) {
      return processingInstruction(tok);
    }
    return {
      message: "malformed XML declaration",
      condition: "not-well-formed",
      at: tok,
    };
  }
  return i;
}

/** The problem for a processing instruction at `at`. */
export function processingInstruction(at: number | "tag"): MarkupProblem {
  return {
    message: "processing instructions are not allowed",
    condition: "restricted-xml",
    at,
  };
}

/** Validates a complete XML declaration; only UTF-8 is supported. */
function checkDeclaration(
  decl: string,
  at: number,
): MarkupProblem | undefined {
  const m = DECLARATION.exec(decl);
  if (m === null) {
    return {
      message: "malformed XML declaration",
      condition: "not-well-formed",
      at,
    };
  }
  if (m[3] !== undefined && m[3].toLowerCase() !== "utf-8") {
    return {
      message: `encoding "${m[3]}" is not supported (only UTF-8 is)`,
      condition: "unsupported-encoding",
      at,
    };
  }
  return undefined;
}
