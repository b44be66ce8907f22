// RFC 3454 (stringprep) tables C.1-C.9 and D.1-D.2 as the XMPP profiles use them (RFC 3920 appendices A-B, RFC 6122), with the bidi rule of RFC 3454 section 6 and RFC 5893 section 2, as RFC 7622 section 3 asks.

/** Which stringprep table a prohibited code point is in. */
export type ProhibitedTable =
  | "C.1.2"
  | "C.2.2"
  | "C.3"
  | "C.4"
  | "C.5"
  | "C.6"
  | "C.7"
  | "C.8"
  | "C.9";

// Checked in this order; the first table that matches is named.
const PROHIBITED: readonly (readonly [ProhibitedTable, RegExp, string])[] = [
  [
    "C.8",
    /[\u0340\u0341\u200E\u200F\u202A-\u202E\u206A-\u206F]/u,
    "change display properties or are deprecated",
  ],
  [
    "C.1.2",
    /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/u,
    "non-ASCII space characters",
  ],
  [
    "C.2.2",
    /[\u0080-\u009F\u06DD\u070F\u180E\u200C\u200D\u2028\u2029\u2060-\u2063\uFEFF\uFFF9-\uFFFC\u{1D173}-\u{1D17A}]/u,
    "non-ASCII control characters",
  ],
  ["C.3", /\p{Co}/u, "private use"],
  ["C.4", /\p{Noncharacter_Code_Point}/u, "non-character code points"],
  ["C.5", /\p{Cs}/u, "surrogate codes"],
  ["C.6", /[\uFFF9-\uFFFD]/u, "inappropriate for plain text"],
  ["C.7", /[\u2FF0-\u2FFB]/u, "inappropriate for canonical representation"],
  ["C.9", /[\u{E0001}\u{E0020}-\u{E007F}]/u, "tagging characters"],
];

/** A prohibited code point found in a string. */
export interface Prohibited {
  /** The code point, e.g. `U+202E`. */
  readonly codePoint: string;
  /** The RFC 3454 table. */
  readonly table: ProhibitedTable;
  /** What the table holds. */
  readonly what: string;
}

const NON_ASCII = /[\u0080-\u{10FFFF}]/u;

function codePointName(char: string): string {
  return "U+" +
    char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
}

/**
 * The first code point of a (mapped and normalised) string that the XMPP
 * stringprep profiles prohibit (tables C.1.2 to C.9; ASCII spaces and
 * controls are each profile's own business), or undefined.
 *
 * @example
 * ```ts
 * findProhibited("a\u202Eb"); // { codePoint: "U+202E", table: "C.8", ... }
 * ```
 */
export function findProhibited(value: string): Prohibited | undefined {
  if (!NON_ASCII.test(value)) return undefined;
  for (const [table, pattern, what] of PROHIBITED) {
    const found = pattern.exec(value);
    if (found) return { codePoint: codePointName(found[0]), table, what };
  }
  return undefined;
}

// RFC 3454 table D.1: characters with bidi property R or AL (Unicode 3.2).
const RAND_AL =
  /[\u05BE\u05C0\u05C3\u05D0-\u05EA\u05F0-\u05F4\u061B\u061F\u0621-\u063A\u0640-\u064A\u066D-\u066F\u0671-\u06D5\u06DD\u06E5\u06E6\u06FA-\u06FE\u0700-\u070D\u0710\u0712-\u072C\u0780-\u07A5\u07B1\u200F\uFB1D\uFB1F-\uFB28\uFB2A-\uFB36\uFB38-\uFB3C\uFB3E\uFB40\uFB41\uFB43\uFB44\uFB46-\uFBB1\uFBD3-\uFD3D\uFD50-\uFD8F\uFD92-\uFDC7\uFDF0-\uFDFC\uFE70-\uFE74\uFE76-\uFEFC]/u;
// Right-to-left scripts, for characters newer than table D.1.
const RTL_SCRIPT =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}]/u;
// Table D.2 (bidi property L), read as letters and spacing marks of
// left-to-right scripts.
const LETTER = /[\p{L}\p{Mc}]/u;
// Bidi property AN (Arabic-Indic digits and separators) and EN (European
// digits); RFC 5893 rule 4 keeps them apart.
const ARABIC_NUMBER = /[\u0600-\u0605\u0660-\u0669\u066B\u066C\u08E2]/u;
const EUROPEAN_NUMBER =
  /[0-9\u00B2\u00B3\u00B9\u06F0-\u06F9\u2070\u2074-\u2079\u2080-\u2089]/u;

function isRandAL(char: string): boolean {
  return RAND_AL.test(char) ||
    (RTL_SCRIPT.test(char) && LETTER.test(char));
}

function isL(char: string): boolean {
  return LETTER.test(char) && !isRandAL(char) && !RTL_SCRIPT.test(char);
}

/**
 * Why a string breaks the bidi rule, or undefined when it keeps it. A
 * string with right-to-left characters must not hold left-to-right ones
 * and must start and end with a right-to-left character (RFC 3454 section
 * 6, what XMPP servers enforce), and must not mix European and
 * Arabic-Indic digits (RFC 5893 rule 4); a left-to-right string must not
 * hold Arabic-Indic digits (RFC 5893 rule 5).
 *
 * @example
 * ```ts
 * bidiProblem("\u05D0\u05D1"); // undefined (Hebrew only)
 * bidiProblem("a\u05D0"); // "mixes right-to-left and left-to-right characters"
 * ```
 */
export function bidiProblem(value: string): string | undefined {
  if (!NON_ASCII.test(value)) return undefined;
  const chars = [...value];
  const rtl = chars.some(isRandAL);
  if (!rtl) {
    return chars.some((c) => ARABIC_NUMBER.test(c)) && chars.some(isL)
      ? "mixes Arabic-Indic digits with left-to-right characters"
      : undefined;
  }
  if (chars.some(isL)) {
    return "mixes right-to-left and left-to-right characters";
  }
  if (!isRandAL(chars[0]) || !isRandAL(chars[chars.length - 1])) {
    return "has right-to-left characters but does not start and end with one";
  }
  if (
    chars.some((c) => ARABIC_NUMBER.test(c)) &&
    chars.some((c) => EUROPEAN_NUMBER.test(c))
  ) {
    return "mixes European and Arabic-Indic digits";
  }
  return undefined;
}
