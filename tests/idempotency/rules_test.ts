import assert from "node:assert/strict";
import {
  keepsResponse,
  parseIdempotencyKey,
  requestFingerprint,
  scopedIdempotencyKey,
} from "../../src/idempotency/rules.ts";

const keyCases: [string, string | undefined][] = [
  [
    '"8e03978e-40d5-43e8-bc93-6894a57f9324"',
    "8e03978e-40d5-43e8-bc93-6894a57f9324",
  ],
  ["8e03978e-40d5", "8e03978e-40d5"],
  ['"with space"', "with space"],
  ['"esc\\"aped\\\\"', 'esc"aped\\'],
  ["  padded  ", "padded"],
  ['""', undefined],
  ["", undefined],
  ['"unterminated', undefined],
  ["two words", undefined],
  ['"caf\u00e9"', undefined],
  [`"${"k".repeat(256)}"`, undefined],
  [`"${"k".repeat(255)}"`, "k".repeat(255)],
];

for (const [header, want] of keyCases) {
  Deno.test({
    name: `parseIdempotencyKey(${JSON.stringify(header.slice(0, 24))}) ${
      want === undefined ? "refuses" : "accepts"
    }`,
    permissions: "none",
    fn() {
      const result = parseIdempotencyKey(header);
      if (want === undefined) {
        assert.ok(!result.ok);
        assert.match(result.reason, /Idempotency-Key/);
      } else {
        assert.deepEqual(result, { ok: true, key: want });
      }
    },
  });
}

const body = (text: string) => new TextEncoder().encode(text);
const base = {
  method: "POST",
  target: "/rest",
  contentType: "application/json",
  body: body('{"kind":"message"}'),
};

Deno.test({
  name: "requestFingerprint() is stable and differs when any part differs",
  permissions: "none",
  async fn() {
    const first = await requestFingerprint(base);
    assert.match(first, /^[0-9a-f]{64}$/);
    assert.equal(
      await requestFingerprint({ ...base, body: body('{"kind":"message"}') }),
      first,
    );
    const variants = [
      { ...base, method: "PUT" },
      { ...base, target: "/rest/message/chat/a@b" },
      { ...base, contentType: "application/xmpp+xml" },
      { ...base, body: body('{"kind":"message" }') },
      // Length prefixes: moving a character between parts changes the hash.
      {
        ...base,
        target: "/rest",
        contentType: "application/jso",
        body: body('n{"kind":"message"}'),
      },
    ];
    const seen = new Set([first]);
    for (const variant of variants) seen.add(await requestFingerprint(variant));
    assert.equal(seen.size, variants.length + 1);
  },
});

Deno.test({
  name: "scopedIdempotencyKey() separates credentials and never contains them",
  permissions: "none",
  async fn() {
    const a = await scopedIdempotencyKey("Bearer one", "k");
    const b = await scopedIdempotencyKey("Bearer two", "k");
    assert.notEqual(a, b);
    assert.ok(a.endsWith(":k"));
    assert.ok(!a.includes("one"));
    assert.equal(await scopedIdempotencyKey("Bearer one", "k"), a);
  },
});

const keepCases: [number, boolean][] = [
  [200, true],
  [202, true],
  [502, true],
  [504, true],
  [400, false],
  [401, false],
  [409, false],
  [413, false],
  [422, false],
  [500, false],
  [503, false],
];
for (const [status, want] of keepCases) {
  Deno.test({
    name: `keepsResponse(${status}) is ${want}`,
    permissions: "none",
    fn() {
      assert.equal(keepsResponse(status), want);
    },
  });
}
