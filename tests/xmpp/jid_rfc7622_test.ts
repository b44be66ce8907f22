// RFC 7622 section 3.5 examples, prohibited code points (RFC 3454 tables C) and the bidi rule (RFC 3454 section 6, RFC 5893), table-driven.

import assert from "node:assert/strict";
import { InvalidJidError, type JidRule, parseJid } from "../../src/xmpp/jid.ts";
import {
  bidiProblem,
  findProhibited,
} from "../../src/xmpp/stringprep_tables.ts";

// RFC 7622 section 3.5.1 (valid) with what xmpp-rest makes of them.
const VALID: [string, string][] = [
  ["juliet@example.com", "juliet@example.com"],
  ["juliet@example.com/foo", "juliet@example.com/foo"],
  ["juliet@example.com/foo bar", "juliet@example.com/foo bar"],
  ["juliet@example.com/foo@bar", "juliet@example.com/foo@bar"],
  ["foo\\20bar@example.com", "foo\\20bar@example.com"],
  ["fussball@example.com", "fussball@example.com"],
  ["fußball@example.com", "fussball@example.com"], // stringprep folds ß (Prosody)
  ["π@example.com", "π@example.com"],
  ["Σ@example.com/foo", "σ@example.com/foo"],
  ["σ@example.com/foo", "σ@example.com/foo"],
  ["ς@example.com/foo", "σ@example.com/foo"], // full case folding (B.2)
  ["king@example.com/♚", "king@example.com/♚"],
  ["example.com", "example.com"],
  ["example.com/foobar", "example.com/foobar"],
  ["a.example.com/b@example.net", "a.example.com/b@example.net"],
  // Right-to-left text on its own keeps the bidi rule.
  ["\u05D0\u05D1\u05D2@example.com", "\u05D0\u05D1\u05D2@example.com"],
  [
    "\u0627\u0644\u0639\u0631\u0628\u064A\u0629@example.com",
    "\u0627\u0644\u0639\u0631\u0628\u064A\u0629@example.com",
  ],
  ["juliet@example.com/\u05D0\u05D1", "juliet@example.com/\u05D0\u05D1"],
  ["juliet@\u05D0\u05D1.example.com", "juliet@\u05D0\u05D1.example.com"], // per label
];

for (const [input, prepared] of VALID) {
  Deno.test({
    name: `parseJid(${JSON.stringify(input)}) is valid: ${prepared}`,
    permissions: "none",
    fn: () => assert.equal(parseJid(input).toString(), prepared),
  });
}

// RFC 7622 section 3.5.2 (invalid), then prohibited code points and the
// bidi rule: [input, rule broken, part, reason pattern].
const INVALID: [string, JidRule, string, RegExp][] = [
  ['"juliet"@example.com', "syntax", "localpart", /contains """/],
  ["foo bar@example.com", "syntax", "localpart", /U\+0020/],
  ["juliet@example.com/", "syntax", "resourcepart", /is empty/],
  ["@example.com/", "syntax", "localpart", /is empty/],
  ["a\u202Eb@example.com", "prohibited", "localpart", /U\+202E.*C\.8/],
  ["a\u200Eb@example.com", "prohibited", "localpart", /U\+200E.*C\.8/],
  [
    "juliet@example.com/a\u202Bb",
    "prohibited",
    "resourcepart",
    /U\+202B.*C\.8/,
  ],
  ["a\uE000@example.com", "prohibited", "localpart", /U\+E000.*C\.3/],
  ["a\uFDD0@example.com", "prohibited", "localpart", /U\+FDD0.*C\.4/],
  ["a\uFFFC@example.com", "prohibited", "localpart", /U\+FFFC.*C\.2\.2/],
  ["a\u2FF0@example.com", "prohibited", "localpart", /U\+2FF0.*C\.7/],
  ["a\u{E0041}@example.com", "prohibited", "localpart", /U\+E0041.*C\.9/],
  ["juliet@example.com/a\u2028b", "prohibited", "resourcepart", /U\+2028/],
  ["juliet@exa\u202Emple.com", "prohibited", "domainpart", /U\+202E/],
  [
    "\u05D0b@example.com",
    "bidi",
    "localpart",
    /mixes right-to-left and left-to-right/,
  ],
  [
    "b\u05D0@example.com",
    "bidi",
    "localpart",
    /mixes right-to-left and left-to-right/,
  ],
  ["\u05D01@example.com", "bidi", "localpart", /start and end/],
  ["1\u05D0@example.com", "bidi", "localpart", /start and end/],
  ["juliet@example.com/\u05D0x", "bidi", "resourcepart", /mixes/],
  [
    "\u0627\u0661\u0031\u0628@example.com",
    "bidi",
    "localpart",
    /European and Arabic-Indic digits/,
  ],
  [
    "ab\u0661@example.com",
    "bidi",
    "localpart",
    /Arabic-Indic digits with left-to-right/,
  ],
];

for (const [input, rule, part, reason] of INVALID) {
  Deno.test({
    name: `parseJid(${
      JSON.stringify(input)
    }) breaks the ${rule} rule in the ${part}`,
    permissions: "none",
    fn() {
      assert.throws(
        () => parseJid(input),
        (e: unknown) =>
          e instanceof InvalidJidError && e.rule === rule &&
          e.part === part && reason.test(e.reason),
      );
    },
  });
}

Deno.test({
  name:
    "findProhibited() and bidiProblem() pass plain ASCII without looking further",
  permissions: "none",
  fn() {
    assert.equal(findProhibited("juliet_01"), undefined);
    assert.equal(bidiProblem("123-abc"), undefined);
  },
});
