import assert from "node:assert/strict";
import {
  InvalidJidError,
  Jid,
  parseJid,
  prepJid,
  tryParseJid,
} from "../../src/xmpp/jid.ts";

const VALID: [input: string, normalised: string][] = [
  ["example.com", "example.com"],
  ["Example.COM", "example.com"],
  ["example.com.", "example.com"],
  ["user@example.com", "user@example.com"],
  ["User@Example.com", "user@example.com"],
  ["user@example.com/Res", "user@example.com/Res"],
  ["user@example.com/res/with/slashes", "user@example.com/res/with/slashes"],
  ["user@example.com/res@at", "user@example.com/res@at"],
  ["example.com/resource", "example.com/resource"],
  ["room@muc.example.com/Nick Name", "room@muc.example.com/Nick Name"],
  ["élise@exämple.com", "élise@exämple.com"],
  ["ÉLISE@example.com", "élise@example.com"],
  ["e\u0301lise@example.com", "élise@example.com"], // NFC
  // Stringprep as Prosody's jid.prep (and ejabberd) do it: NFKC, full case
  // folding for localpart and domain, B.1 characters removed.
  ["\uFF21\uFF2C\uFF29\uFF23\uFF25@example.com", "alice@example.com"],
  ["user@\uFF45\uFF58\uFF41\uFF4D\uFF50\uFF4C\uFF45.com", "user@example.com"],
  ["stra\u00DFe@example.com", "strasse@example.com"],
  ["\u03A3\u0391\u03A3@example.com", "\u03C3\u03B1\u03C3@example.com"],
  ["\uFB01le@example.com", "file@example.com"],
  ["\u2103@example.com", "\u00B0c@example.com"],
  ["al\u00ADice@exam\u200Bple.com", "alice@example.com"],
  ["user@example.com/\uFB01le\u00AD", "user@example.com/file"],
  ["user@example.com/Caf\u00C9 \u2162", "user@example.com/Caf\u00C9 III"],
  ["user@[::1]", "user@[::1]"],
  ["user@127.0.0.1", "user@127.0.0.1"],
  ["localhost", "localhost"],
  [`${"a".repeat(1023)}@example.com`, `${"a".repeat(1023)}@example.com`],
];

const INVALID: [input: string, part: string, reason: RegExp][] = [
  ["", "jid", /empty/],
  ["@example.com", "localpart", /empty/],
  ["user@", "domainpart", /empty/],
  ["user@example.com/", "resourcepart", /empty/],
  ["a@b@example.com", "domainpart", /"@"/],
  ["us er@example.com", "localpart", /U\+0020/],
  ["us<er@example.com", "localpart", /"<"/],
  ["us'er@example.com", "localpart", /"'"/],
  ["us:er@example.com", "localpart", /":"/],
  ["us\uFF20er@example.com", "localpart", /"@"/], // NFKC: fullwidth @
  ["user@example.com/\u200B", "resourcepart", /empty/],
  ["user@exa mple.com", "domainpart", /U\+0020/],
  ["user@exa<mple.com", "domainpart", /"<"/],
  ["user@example..com", "domainpart", /empty label/],
  ["user@-example.com", "domainpart", /"-example"/],
  ["user@[not-ipv6]", "domainpart", /IPv6/],
  ["user@example.com/a\u0000b", "resourcepart", /U\+0000/],
  [`${"a".repeat(1024)}@example.com`, "localpart", /1023 bytes/],
  [`${"é".repeat(600)}@example.com`, "localpart", /1023 bytes/],
  [`user@example.com/${"r".repeat(1024)}`, "resourcepart", /1023 bytes/],
  [`user@${"a".repeat(64)}.com`, "domainpart", /63/],
];

for (const [input, normalised] of VALID) {
  Deno.test({
    name: `parseJid() accepts ${JSON.stringify(input.slice(0, 40))}`,
    permissions: "none",
    fn() {
      assert.equal(parseJid(input).toString(), normalised);
      assert.equal(prepJid(input), normalised);
    },
  });
}

for (const [input, part, reason] of INVALID) {
  Deno.test({
    name: `parseJid() rejects ${JSON.stringify(input.slice(0, 40))} (${part})`,
    permissions: "none",
    fn() {
      assert.throws(() => parseJid(input), (error: unknown) => {
        assert.ok(error instanceof InvalidJidError);
        assert.ok(error instanceof TypeError);
        assert.equal(error.part, part);
        assert.match(error.reason, reason);
        assert.equal(error.input, input);
        assert.match(error.message, /^Cannot parse JID /);
        return true;
      });
      assert.equal(tryParseJid(input), undefined);
    },
  });
}

Deno.test({
  name: "Jid exposes its parts, bare form and equality",
  permissions: "none",
  fn() {
    const full = parseJid("Bot@Rest.Example.net/Desk");
    assert.equal(full.local, "bot");
    assert.equal(full.domain, "rest.example.net");
    assert.equal(full.resource, "Desk");
    assert.equal(full.isBare, false);
    assert.equal(full.isDomain, false);
    assert.equal(full.bare().toString(), "bot@rest.example.net");
    assert.ok(full.bare().isBare);
    assert.ok(full.equals(parseJid("bot@rest.example.net/Desk")));
    assert.ok(!full.equals(parseJid("bot@rest.example.net/desk")));
    assert.ok(parseJid("rest.example.net").isDomain);
    const bare = parseJid("a@b");
    assert.equal(bare.bare(), bare);
    assert.equal(new Jid("", "x").toString(), "x");
  },
});
