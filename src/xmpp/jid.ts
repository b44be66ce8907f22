// RFC 7622 (XMPP address format): parsing and validation of JIDs, normalised as Prosody's jid.prep does (RFC 6122 stringprep: nodeprep, nameprep, resourceprep).

import { bidiProblem, findProhibited } from "./stringprep_tables.ts";
import { BoundedMemo } from "../bounded_memo.ts";

/** Which part of a JID a problem is in. */
export type JidPart = "localpart" | "domainpart" | "resourcepart" | "jid";

/**
 * Which rule a JID breaks: its syntax (empty parts, delimiters, length),
 * a code point the stringprep profiles prohibit (RFC 3454 tables C), or
 * the bidi rule (RFC 3454 section 6, RFC 5893).
 */
export type JidRule = "syntax" | "prohibited" | "bidi";

/**
 * Thrown for a string that is not a valid JID.
 *
 * @example
 * ```ts
 * try { parseJid("a@@b"); } catch (e) {
 *   if (e instanceof InvalidJidError) console.log(e.part, e.reason);
 * }
 * ```
 */
export class InvalidJidError extends TypeError {
  /** The string that failed to parse. */
  readonly input: string;
  /** The part that is wrong. */
  readonly part: JidPart;
  /** What is wrong, e.g. `contains "<"`. */
  readonly reason: string;
  /** Which rule it breaks. */
  readonly rule: JidRule;

  /** Creates the error. */
  constructor(
    input: string,
    part: JidPart,
    reason: string,
    rule: JidRule = "syntax",
  ) {
    super(`Cannot parse JID "${input}": ${part} ${reason}`);
    this.name = "InvalidJidError";
    this.input = input;
    this.part = part;
    this.reason = reason;
    this.rule = rule;
  }
}

const MAX_PART_BYTES = 1023;
const encoder = new TextEncoder();
// RFC 7622 section 3.3.1: characters not allowed in a localpart, plus spaces and controls.
const LOCAL_FORBIDDEN = /["&'/:<>@\s\p{Cc}]/u;
// Domain labels: no spaces, controls or URI/XML delimiters.
const DOMAIN_FORBIDDEN = /[\s\p{Cc}"&'/:<>@\\[\]?#%,;=+*()!$^`{|}~]/u;
const RESOURCE_FORBIDDEN = /\p{Cc}/u;
const IPV6_LITERAL = /^\[[0-9a-f:.]+\]$/;
// RFC 3454 table B.1: code points stringprep maps to nothing.
const MAPPED_TO_NOTHING =
  /[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;
const NON_ASCII = /[\u0080-\u{10FFFF}]/u;

/**
 * Full case folding, as RFC 3454 table B.2 does it (`ß` → `ss`, `ς` → `σ`,
 * no final-sigma context); code point by code point.
 */
function foldCase(value: string): string {
  if (!NON_ASCII.test(value)) return value.toLowerCase();
  let out = "";
  for (const c of value) {
    const lower = c.toLowerCase();
    // Dotless i has no folding of its own (its upper case is plain I).
    out += lower !== c || c === "\u0131"
      ? lower
      : c.toUpperCase().toLowerCase();
  }
  return out;
}

/**
 * Stringprep mapping and normalisation (RFC 3454 sections 3-4): B.1
 * removed, then for nodeprep and nameprep case-folded (B.2), then NFKC.
 * Folding is applied again after NFKC, as B.2 is closed under it (`℃` →
 * `°c`).
 */
function stringprep(value: string, fold: boolean): string {
  if (!NON_ASCII.test(value)) return fold ? value.toLowerCase() : value;
  const mapped = value.replace(MAPPED_TO_NOTHING, "");
  if (!fold) return mapped.normalize("NFKC");
  return foldCase(foldCase(mapped).normalize("NFKC")).normalize("NFKC");
}

function byteLength(value: string): number {
  return value.length * 3 <= MAX_PART_BYTES
    ? value.length
    : encoder.encode(value).length;
}

/**
 * A parsed, normalised JID (`localpart@domainpart/resourcepart`), as
 * Prosody's jid.prep and the servers' stringprep make it: the domain is
 * case-folded with any trailing dot removed, the localpart is case-folded,
 * the resource keeps its case; all parts are NFKC-normalised (`ＡＢＣ` →
 * `abc`, `straße` → `strasse`, `ﬁ` → `fi`).
 *
 * @example
 * ```ts
 * const jid = parseJid("Bot@Rest.Example.NET/x");
 * jid.toString(); // "bot@rest.example.net/x"
 * jid.bare().toString(); // "bot@rest.example.net"
 * ```
 */
export class Jid {
  /** Localpart, "" when absent. */
  readonly local: string;
  /** Domainpart (always present). */
  readonly domain: string;
  /** Resourcepart, "" when absent. */
  readonly resource: string;
  #text?: string;

  /** Builds a JID from already-validated parts; use {@linkcode parseJid} for input. */
  constructor(local: string, domain: string, resource = "") {
    this.local = local;
    this.domain = domain;
    this.resource = resource;
  }

  /** True when the JID has no resource. */
  get isBare(): boolean {
    return this.resource === "";
  }

  /** True when the JID is a bare domain (no localpart, no resource). */
  get isDomain(): boolean {
    return this.local === "" && this.resource === "";
  }

  /** The JID without its resource. */
  bare(): Jid {
    return this.resource === "" ? this : new Jid(this.local, this.domain);
  }

  /** The string form (made once: a remembered JID is asked often). */
  toString(): string {
    if (this.#text !== undefined) return this.#text;
    let out = this.domain;
    if (this.local !== "") out = this.local + "@" + out;
    if (this.resource !== "") out += "/" + this.resource;
    return this.#text = out;
  }

  /** True when both JIDs are the same after normalisation. */
  equals(other: Jid): boolean {
    return this.local === other.local && this.domain === other.domain &&
      this.resource === other.resource;
  }
}

/** Most JIDs remembered by {@linkcode parseJid} (a few hundred KiB at most). */
export const PREPARED_JIDS = 2048;

/** JIDs already prepared: a `Jid` is immutable, so one may serve every caller. */
const prepared = new BoundedMemo<Jid>(PREPARED_JIDS);

/**
 * Parses and normalises a JID; throws {@linkcode InvalidJidError}. The
 * last {@linkcode PREPARED_JIDS} distinct valid inputs are remembered: the
 * same addresses come back on every request, and stringprep is the
 * costly part.
 */
export function parseJid(input: string): Jid {
  return prepared.get(input) ?? prepared.set(input, prepareJid(input));
}

function prepareJid(input: string): Jid {
  if (typeof input !== "string" || input === "") {
    throw new InvalidJidError(String(input), "jid", "is empty");
  }
  const slash = input.indexOf("/");
  const barePart = slash === -1 ? input : input.slice(0, slash);
  const resourceRaw = slash === -1 ? undefined : input.slice(slash + 1);
  const at = barePart.indexOf("@");
  const localRaw = at === -1 ? undefined : barePart.slice(0, at);
  const domainRaw = at === -1 ? barePart : barePart.slice(at + 1);

  let local = "";
  if (localRaw !== undefined) {
    local = stringprep(localRaw, true);
    checkPart(input, "localpart", local, LOCAL_FORBIDDEN);
  }
  const domain = normaliseDomain(input, domainRaw);
  let resource = "";
  if (resourceRaw !== undefined) {
    resource = stringprep(resourceRaw, false);
    checkPart(input, "resourcepart", resource, RESOURCE_FORBIDDEN);
  }
  return new Jid(local, domain, resource);
}

/** Parses a JID, returning undefined instead of throwing. */
export function tryParseJid(input: string): Jid | undefined {
  try {
    return parseJid(input);
  } catch (error) {
    if (error instanceof InvalidJidError) return undefined;
    throw error;
  }
}

/** Normalises a JID string (`parseJid(s).toString()`); throws {@linkcode InvalidJidError}. */
export function prepJid(input: string): string {
  return parseJid(input).toString();
}

function checkPart(
  input: string,
  part: JidPart,
  value: string,
  forbidden: RegExp,
): void {
  if (value === "") throw new InvalidJidError(input, part, "is empty");
  if (byteLength(value) > MAX_PART_BYTES) {
    throw new InvalidJidError(input, part, "is longer than 1023 bytes");
  }
  const bad = forbidden.exec(value);
  if (bad) {
    throw new InvalidJidError(input, part, `contains ${describe(bad[0])}`);
  }
  checkStringprep(input, part, value);
}

/** RFC 7622 section 3: prohibited code points, then the bidi rule. */
function checkStringprep(input: string, part: JidPart, value: string): void {
  const prohibited = findProhibited(value);
  if (prohibited) {
    throw new InvalidJidError(
      input,
      part,
      `contains ${prohibited.codePoint}, which RFC 3454 table ${prohibited.table} prohibits (${prohibited.what})`,
      "prohibited",
    );
  }
  const bidi = bidiProblem(value);
  if (bidi) {
    throw new InvalidJidError(
      input,
      part,
      `${bidi} (the bidi rule of RFC 3454 section 6 and RFC 5893)`,
      "bidi",
    );
  }
}

function normaliseDomain(input: string, raw: string): string {
  let domain = stringprep(raw, true);
  if (domain.endsWith(".")) domain = domain.slice(0, -1);
  if (domain === "") {
    throw new InvalidJidError(input, "domainpart", "is empty");
  }
  if (byteLength(domain) > MAX_PART_BYTES) {
    throw new InvalidJidError(input, "domainpart", "is longer than 1023 bytes");
  }
  if (domain.startsWith("[")) {
    if (!IPV6_LITERAL.test(domain)) {
      throw new InvalidJidError(input, "domainpart", "is not an IPv6 literal");
    }
    return domain;
  }
  const bad = DOMAIN_FORBIDDEN.exec(domain);
  if (bad) {
    throw new InvalidJidError(
      input,
      "domainpart",
      `contains ${describe(bad[0])}`,
    );
  }
  for (const label of domain.split(".")) {
    if (label !== "") checkStringprep(input, "domainpart", label);
    if (label === "") {
      throw new InvalidJidError(input, "domainpart", "has an empty label");
    }
    if (label.length > 63) {
      throw new InvalidJidError(
        input,
        "domainpart",
        "has a label longer than 63 characters",
      );
    }
    if (label.startsWith("-") || label.endsWith("-")) {
      throw new InvalidJidError(
        input,
        "domainpart",
        `has a label "${label}" starting or ending with "-"`,
      );
    }
  }
  return domain;
}

function describe(char: string): string {
  const cp = char.codePointAt(0)!;
  if (cp < 0x21 || cp === 0x7f) {
    return `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return `"${char}"`;
}
