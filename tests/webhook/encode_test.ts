import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import {
  type CallbackContentType,
  encodeStanza,
} from "../../src/webhook/encode.ts";
import { C, MSG, PRES } from "./support.ts";

const LANG_MSG = el(
  "message",
  C,
  {
    to: "bot@rest.example.net",
    from: "a@b/c",
    type: "chat",
    id: "1",
    "xml:lang": "en",
  },
  el("body", C, {}, "Hi & bye"),
);

Deno.test({
  name: "encodeStanza() writes each body format",
  permissions: "none",
  fn() {
    const cases: [CallbackContentType, string][] = [
      [
        "application/xmpp+xml",
        '<message to="bot@rest.example.net" from="a@b/c" type="chat" id="1" xml:lang="en"><body>Hi &amp; bye</body></message>',
      ],
      [
        "application/json",
        JSON.stringify({
          kind: "message",
          type: "chat",
          to: "bot@rest.example.net",
          from: "a@b/c",
          id: "1",
          lang: "en",
          body: "Hi & bye",
        }),
      ],
      ["text/plain", "Hi & bye"],
    ];
    for (const [type, expected] of cases) {
      const encoded = encodeStanza(LANG_MSG, type);
      assert.equal(encoded.contentType, type);
      assert.equal(encoded.fallbackReason, undefined);
      if (type === "application/json") {
        assert.deepEqual(JSON.parse(encoded.body), JSON.parse(expected));
      } else assert.equal(encoded.body, expected, type);
    }
  },
});

Deno.test({
  name:
    "encodeStanza() writes top-level strings, numbers and true as form fields",
  permissions: "none",
  fn() {
    const encoded = encodeStanza(LANG_MSG, "application/x-www-form-urlencoded");
    assert.equal(encoded.contentType, "application/x-www-form-urlencoded");
    assert.deepEqual(Object.fromEntries(new URLSearchParams(encoded.body)), {
      kind: "message",
      type: "chat",
      to: "bot@rest.example.net",
      from: "a@b/c",
      id: "1",
      lang: "en",
      body: "Hi & bye",
    });
  },
});

Deno.test({
  name: "encodeStanza() writes XML without xmlns on the top element",
  permissions: "none",
  fn() {
    assert.ok(
      !encodeStanza(MSG, "application/xmpp+xml").body.includes("xmlns"),
    );
  },
});

Deno.test({
  name:
    "encodeStanza() sends an empty text/plain body for a stanza without <body>",
  permissions: "none",
  fn() {
    assert.equal(encodeStanza(PRES, "text/plain").body, "");
  },
});

Deno.test({
  name:
    "encodeStanza() falls back to XML for a stanza without a JSON form (decisions.md)",
  permissions: "none",
  fn() {
    const bad = el(
      "message",
      C,
      { to: "bot@rest.example.net", from: "a@b/c", type: "chat" },
      el(
        "payload",
        "urn:xmpp:json-msg:0",
        { datatype: "urn:lab:data" },
        "not json",
      ),
    );
    for (
      const type of [
        "application/json",
        "application/x-www-form-urlencoded",
      ] as const
    ) {
      const encoded = encodeStanza(bad, type);
      assert.equal(encoded.contentType, "application/xmpp+xml", type);
      assert.match(
        encoded.body,
        /^<message .*<payload xmlns="urn:xmpp:json-msg:0"/,
      );
      assert.ok(encoded.fallbackReason, type);
    }
  },
});
