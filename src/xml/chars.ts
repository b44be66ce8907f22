// W3C XML 1.0 (fifth edition) sections 2.2-2.3 and 4.1: characters, names and references, as used by RFC 6120 section 11.

/** Character classes of ASCII code points: bit 1 = NameStartChar, bit 2 = NameChar. */
export const ASCII_NAME: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    const start = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
      c === 0x5f || c === 0x3a;
    const char = start || (c >= 0x30 && c <= 0x39) || c === 0x2d ||
      c === 0x2e;
    table[c] = (start ? 1 : 0) | (char ? 2 : 0);
  }
  return table;
})();

const NAME_START_CLASS =
  ":A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D" +
  "\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF" +
  "\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}";
const NAME_CHAR_CLASS = NAME_START_CLASS +
  "\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040";

/** An XML 1.0 `Name` (colons allowed; namespace rules are checked elsewhere). */
export const XML_NAME: RegExp = new RegExp(
  `^[${NAME_START_CLASS}][${NAME_CHAR_CLASS}]*$`,
  "u",
);

/** An XML namespaces `NCName`: a `Name` without colons. */
export const XML_NCNAME: RegExp = new RegExp(
  `^[${NAME_START_CLASS.slice(1)}][${NAME_CHAR_CLASS.slice(1)}]*$`,
  "u",
);

/** True when `name` matches the XML 1.0 `Name` production. */
function isXmlName(name: string): boolean {
  return XML_NAME.test(name);
}

/**
 * Finds characters XML 1.0 forbids anywhere in a document: C0 controls
 * other than tab, LF and CR, lone surrogates, U+FFFE and U+FFFF (global:
 * set `lastIndex` to start).
 */
export const FORBIDDEN_CHAR: RegExp =
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  /[\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/gu;

/**
 * Like {@linkcode FORBIDDEN_CHAR} for text from a fatal UTF-8 decoder, which
 * cannot contain lone surrogates (a simpler, faster pattern).
 */
export const FORBIDDEN_DECODED: RegExp =
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g;

/**
 * Finds characters other than printable ASCII, tab, LF and CR (global: set
 * `lastIndex` to start). In text without forbidden characters these are the
 * non-ASCII ones.
 */
export const NOT_PLAIN_ASCII: RegExp = /[^\t\n\r\x20-\x7F]/g;

/** True when `code` is an XML 1.0 `Char`. */
function isXmlChar(code: number): boolean {
  if (code >= 0x20) {
    return code <= 0xd7ff || (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
  }
  return code === 0x9 || code === 0xa || code === 0xd;
}

/** True for the XML whitespace characters space, tab, CR and LF. */
export function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d;
}

/** The number of UTF-8 bytes needed for `s` (lone surrogates count 2). */
export function utf8Length(s: string): number {
  let bytes = s.length;
  NOT_PLAIN_ASCII.lastIndex = 0;
  for (
    let m = NOT_PLAIN_ASCII.exec(s);
    m !== null;
    m = NOT_PLAIN_ASCII.exec(s)
  ) {
    const c = m[0].charCodeAt(0);
    if (c >= 0x80) bytes += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return bytes;
}

/** Why a reference could not be decoded. */
export type ReferenceProblem =
  | "malformed"
  | "forbidden-char"
  | "undeclared-entity";

/** True when a {@linkcode decodeReference} result is a problem rather than text (text is one code point). */
export function isReferenceProblem(
  value: string | ReferenceProblem,
): value is ReferenceProblem {
  return value.length > 2;
}

/**
 * Decodes the body of a reference (the text between `&` and `;`): one of the
 * five predefined entities or a character reference. Anything else is a
 * problem: RFC 6120 restricted XML has no DTD, so no other entity exists.
 */
export function decodeReference(body: string): string | ReferenceProblem {
  switch (body) {
    case "lt":
      return "<";
    case "gt":
      return ">";
    case "amp":
      return "&";
    case "quot":
      return '"';
    case "apos":
      return "'";
  }
  if (body.charCodeAt(0) !== 0x23 /* # */) {
    return isXmlName(body) ? "undeclared-entity" : "malformed";
  }
  const hex = body.charCodeAt(1) === 0x78; /* x */
  const start = hex ? 2 : 1;
  if (body.length === start) return "malformed";
  let code = 0;
  for (let i = start; i < body.length; i++) {
    const c = body.charCodeAt(i);
    let digit: number;
    if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
    else if (hex && c >= 0x61 && c <= 0x66) digit = c - 0x57;
    else if (hex && c >= 0x41 && c <= 0x46) digit = c - 0x37;
    else return "malformed";
    code = code * (hex ? 16 : 10) + digit;
    if (code > 0x10ffff) code = 0x110000; // stays out of range, no overflow
  }
  return isXmlChar(code) ? String.fromCodePoint(code) : "forbidden-char";
}
