import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import {
  type CallbackContentType,
  encodeWebhookBody,
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
  name: "encodeWebhookBody() writes each body format",
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
      const encoded = encodeWebhookBody(LANG_MSG, type);
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
    "encodeWebhookBody() writes top-level strings, numbers and true as form fields",
  permissions: "none",
  fn() {
    const encoded = encodeWebhookBody(
      LANG_MSG,
      "application/x-www-form-urlencoded",
    );
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
  name: "encodeWebhookBody() writes XML without xmlns on the top element",
  permissions: "none",
  fn() {
    assert.ok(
      !encodeWebhookBody(MSG, "application/xmpp+xml").body.includes("xmlns"),
    );
  },
});

Deno.test({
  name:
    "encodeWebhookBody() sends an empty text/plain body for a stanza without <body>",
  permissions: "none",
  fn() {
    assert.equal(encodeWebhookBody(PRES, "text/plain").body, "");
  },
});

Deno.test({
  name:
    "encodeWebhookBody() falls back to XML for a stanza without a JSON form (README, The request)",
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
      const encoded = encodeWebhookBody(bad, type);
      assert.equal(encoded.contentType, "application/xmpp+xml", type);
      assert.match(
        encoded.body,
        /^<message .*<payload xmlns="urn:xmpp:json-msg:0"/,
      );
      assert.ok(encoded.fallbackReason, type);
    }
  },
});
