// W3C XML 1.0 sections 2.11 and 3.3.3: end-of-line handling and attribute-value normalisation, with references decoded.

import {
  decodeReference,
  isReferenceProblem,
  type ReferenceProblem,
} from "./chars.ts";

const CR = /\r\n?/g;
const ATTR_SPACE = /\r\n|[\t\n\r]/g;
const HAS_ATTR_SPACE = /[\t\n\r]/;
const SPECIAL = /[&\t\n\r]/;

/** Normalises line ends in literal text: CRLF and lone CR become LF. */
export function normaliseLineEnds(raw: string): string {
  return raw.indexOf("\r") === -1 ? raw : raw.replace(CR, "\n");
}

function normaliseSpace(raw: string): string {
  return HAS_ATTR_SPACE.test(raw) ? raw.replace(ATTR_SPACE, " ") : raw;
}

/** Why an attribute value could not be decoded, and where (index in the raw value). */
export interface ValueProblem {
  /** What is wrong with the reference. */
  problem: ReferenceProblem;
  /** Index of the `&` in the raw value. */
  at: number;
}

/**
 * Decodes a raw attribute value (between the quotes, `<` already excluded):
 * literal whitespace becomes spaces, references are replaced.
 */
export function decodeAttributeValue(raw: string): string | ValueProblem {
  if (!SPECIAL.test(raw)) return raw;
  let amp = raw.indexOf("&");
  if (amp === -1) return normaliseSpace(raw);
  let out = "";
  let from = 0;
  while (amp !== -1) {
    out += normaliseSpace(raw.slice(from, amp));
    const semi = raw.indexOf(";", amp + 1);
    if (semi === -1) return { problem: "malformed", at: amp };
    const value = decodeReference(raw.slice(amp + 1, semi));
    if (isReferenceProblem(value)) return { problem: value, at: amp };
    out += value;
    from = semi + 1;
    amp = raw.indexOf("&", from);
  }
  return out + normaliseSpace(raw.slice(from));
}
