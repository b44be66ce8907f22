// The stanza size rule of the port (README "Stanza size"): a serialised stanza larger than the limit in UTF-8 bytes is refused before it is written.

import assert from "node:assert/strict";
import { assertStanzaFits, StanzaTooLargeError } from "../../src/xmpp/port.ts";

const FITS: [string, string, number, number | undefined][] = [
  ["short ASCII, far below", "<message/>", 100, undefined],
  ["ASCII exactly at the limit", "x".repeat(100), 100, undefined],
  ["ASCII one byte over", "x".repeat(101), 100, 101],
  ["2-byte characters counted as bytes", "é".repeat(50), 100, undefined],
  ["2-byte characters over", "é".repeat(51), 100, 102],
  ["3-byte characters over", "€".repeat(34), 100, 102],
];

for (const [name, text, limit, over] of FITS) {
  Deno.test(`assertStanzaFits(): ${name}`, () => {
    if (over === undefined) {
      assert.doesNotThrow(() => assertStanzaFits(text, limit));
      return;
    }
    assert.throws(
      () => assertStanzaFits(text, limit),
      (error) =>
        error instanceof StanzaTooLargeError && error.bytes === over &&
        error.limit === limit,
    );
  });
}
