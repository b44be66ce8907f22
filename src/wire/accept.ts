// RFC 9110 section 12.5.1 (Accept): parsing and proactive negotiation of a body format.

import {
  MEDIA_TYPES,
  type RequestFormat,
  STANZA_FORMATS,
  type StanzaFormat,
} from "./media.ts";
import { BoundedMemo } from "../bounded_memo.ts";

/** One media range of an `Accept` header. */
export interface MediaRange {
  /** Type, lower-cased; `*` for a wildcard. */
  type: string;
  /** Subtype, lower-cased; `*` for a wildcard. */
  subtype: string;
  /** Weight from 0 to 1. */
  q: number;
  /** Position in the header (0-based), for "listed first wins". */
  index: number;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * Parses an `Accept` header into media ranges. Malformed entries (no
 * `/`, bad tokens, `*` type with a concrete subtype, bad q-values) are
 * skipped, as RFC 9110 lets a recipient ignore what it cannot parse.
 *
 * @example
 * ```ts
 * parseAccept("application/json;q=0.5, *\/*;q=0.1");
 * // [{type:"application",subtype:"json",q:0.5,index:0}, {type:"*",subtype:"*",q:0.1,index:1}]
 * ```
 */
export function parseAccept(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  const parts = header.split(",");
  for (let index = 0; index < parts.length; index++) {
    const [range, ...params] = parts[index].split(";");
    const slash = range.indexOf("/");
    if (slash === -1) continue;
    const type = range.slice(0, slash).trim().toLowerCase();
    const subtype = range.slice(slash + 1).trim().toLowerCase();
    if (!TOKEN.test(type) || !TOKEN.test(subtype)) continue;
    if (type === "*" && subtype !== "*") continue;
    let q = 1;
    let valid = true;
    for (const param of params) {
      const eq = param.indexOf("=");
      if (eq === -1) continue;
      if (param.slice(0, eq).trim().toLowerCase() !== "q") continue;
      const value = param.slice(eq + 1).trim();
      if (!QVALUE.test(value)) valid = false;
      else q = Number(value);
    }
    if (valid) out.push({ type, subtype, q, index });
  }
  return out;
}

/** The most specific range matching a media type (RFC 9110: specificity decides the weight). */
function bestRange(
  ranges: readonly MediaRange[],
  mediaType: string,
): MediaRange | undefined {
  const [type, subtype] = mediaType.split("/");
  let best: MediaRange | undefined;
  let bestRank = -1;
  for (const range of ranges) {
    let rank: number;
    if (range.type === type && range.subtype === subtype) rank = 2;
    else if (range.type === type && range.subtype === "*") rank = 1;
    else if (range.type === "*") rank = 0;
    else continue;
    if (rank > bestRank) {
      best = range;
      bestRank = rank;
    }
  }
  return best;
}

/**
 * Chooses one of `formats` from an `Accept` header. Each format gets the
 * weight of the most specific range that matches it; the highest weight
 * wins, ties go to the range listed first, then to `fallback`, then to the
 * order of `formats`. No `Accept`, or one that accepts none of them,
 * yields `fallback` (never a 406).
 *
 * @example
 * ```ts
 * chooseFormat("application/*", ["xml", "json"], "json"); // "json"
 * chooseFormat("application/xmpp+xml;q=0.5, application/json", ["xml", "json"], "xml"); // "json"
 * ```
 */
export function chooseFormat<F extends StanzaFormat>(
  accept: string | null | undefined,
  formats: readonly F[],
  fallback: F,
): F {
  if (accept === null || accept === undefined || accept.trim() === "") {
    return fallback;
  }
  const ranges = parseAccept(accept);
  const order: F[] = [fallback, ...formats.filter((f) => f !== fallback)];
  let chosen: F | undefined;
  let chosenQ = 0;
  let chosenIndex = Infinity;
  for (const format of order) {
    const range = bestRange(ranges, MEDIA_TYPES[format]);
    if (range === undefined || range.q <= 0) continue;
    if (
      range.q > chosenQ || (range.q === chosenQ && range.index < chosenIndex)
    ) {
      chosen = format;
      chosenQ = range.q;
      chosenIndex = range.index;
    }
  }
  return chosen ?? fallback;
}

/** The format a request's own body format stands for in responses (`text`/`none` → XML). */
export function defaultOutputFormat(
  requestFormat: RequestFormat,
): StanzaFormat {
  return requestFormat === "text" || requestFormat === "none"
    ? "xml"
    : requestFormat;
}

/**
 * Chooses the format of a stanza response from the `Accept` header
 * ({@linkcode chooseFormat} over XML, JSON, form), falling back to the
 * request's own format (XML for `text/plain` and body-less requests), as
 * the README section "Response format" states.
 *
 * @example
 * ```ts
 * negotiate("application/json;q=0.9, application/xmpp+xml", "json"); // "xml"
 * negotiate("*\/*", "json"); // "json"
 * negotiate(null, "text"); // "xml"
 * ```
 */
export function negotiate(
  accept: string | null | undefined,
  requestFormat: RequestFormat,
): StanzaFormat {
  const fallback = defaultOutputFormat(requestFormat);
  if (accept === null || accept === undefined) return fallback;
  const memo = NEGOTIATED[fallback];
  return memo.get(accept) ??
    memo.set(accept, chooseFormat(accept, STANZA_FORMATS, fallback));
}

/** Most `Accept` values remembered per fallback: clients send the same few on every request. */
const MEMO_SIZE = 64;

/** The choices of {@linkcode negotiate} per fallback, by `Accept` value (a bounded memo). */
const NEGOTIATED: Record<StanzaFormat, BoundedMemo<StanzaFormat>> = {
  xml: new BoundedMemo(MEMO_SIZE),
  json: new BoundedMemo(MEMO_SIZE),
  form: new BoundedMemo(MEMO_SIZE),
};

/** The formats of error bodies. */
const ERROR_FORMATS = ["xml", "json"] as const;

/** The choices of {@linkcode negotiateError} per fallback, by `Accept` value (a bounded memo). */
const NEGOTIATED_ERRORS: Record<"xml" | "json", BoundedMemo<"xml" | "json">> = {
  xml: new BoundedMemo(MEMO_SIZE),
  json: new BoundedMemo(MEMO_SIZE),
};

/**
 * The format of an error body: XML or JSON only, chosen by `Accept`, else
 * the request's own format (JSON in, JSON error; anything else, XML);
 * never form fields, which mod_rest does not produce for errors either.
 *
 * @example
 * ```ts
 * negotiateError(null, "form"); // "xml"
 * negotiateError("application/json", "form"); // "json"
 * ```
 */
export function negotiateError(
  accept: string | null | undefined,
  requestFormat: RequestFormat,
): "xml" | "json" {
  const fallback = requestFormat === "json" ? "json" : "xml";
  if (accept === null || accept === undefined) return fallback;
  const memo = NEGOTIATED_ERRORS[fallback];
  return memo.get(accept) ??
    memo.set(accept, chooseFormat(accept, ERROR_FORMATS, fallback));
}

/**
 * The first stanza format an `Accept` header lists by its exact media type,
 * in the header's order (weights ignored but `q=0` refuses; wildcards
 * skipped); undefined when none is listed. mod_rest's webhook probe reads
 * an endpoint's `Accept` this way.
 *
 * @example
 * ```ts
 * firstListedFormat("text/html, application/json;q=0.9, application/xmpp+xml");
 * // "json"
 * ```
 */
export function firstListedFormat(
  accept: string | null | undefined,
): StanzaFormat | undefined {
  if (!accept) return undefined;
  for (const range of parseAccept(accept)) {
    if (range.q <= 0) continue;
    const mediaType = `${range.type}/${range.subtype}`;
    const found = STANZA_FORMATS.find((f) => MEDIA_TYPES[f] === mediaType);
    if (found !== undefined) return found;
  }
  return undefined;
}
