import assert from "node:assert/strict";
import { assertWireResult } from "./support.ts";
import {
  bodyStanza,
  decodeBody,
  type DecodeOptions,
  decodeUtf8,
} from "../../src/wire/decode.ts";
import type { RequestFormat } from "../../src/wire/media.ts";
import { serialize } from "../../src/xml/serialize.ts";

// [name, body, format, options, expected decoded value or a failure pattern]
const cases: [string, string, RequestFormat, DecodeOptions, unknown][] = [
  ["no body", "ignored", "none", {}, { format: "none" }],
  ["text as is", "Hi+there", "text", {}, { format: "text", text: "Hi+there" }],
  ["form fields", "to=a%40b&body=Hi+there", "form", {}, {
    format: "form",
    fields: { to: "a@b", body: "Hi there" },
  }],
  ["form without = is text", "Hi+there%21", "form", {}, {
    format: "text",
    text: "Hi there!",
  }],
  ["form text keeps a malformed escape", "100%+sure", "form", {}, {
    format: "text",
    text: "100% sure",
  }],
  ["form without = on a path is refused", "Hi", "form", { path: true }, /=/],
  ["empty form on a path is no body", " ", "form", { path: true }, {
    format: "none",
  }],
  ["JSON object", '{"kind":"presence"}', "json", {}, {
    format: "json",
    json: { kind: "presence" },
  }],
  ["JSON array refused", "[1]", "json", {}, /not an object/],
  ["JSON array as a payload", "[1]", "json", { anyJson: true }, {
    format: "json",
    json: [1],
  }],
  [
    "JSON false refused even as a payload",
    "false",
    "json",
    { anyJson: true },
    /not an object/,
  ],
  ["malformed JSON", "{", "json", {}, /JSON/],
  ["malformed XML", "<message>", "xml", {}, /./],
  [
    "XML declaration refused by default",
    '<?xml version="1.0"?><message/>',
    "xml",
    {},
    /./,
  ],
];

for (const [name, body, format, options, expected] of cases) {
  Deno.test({
    name: `decodeBody(): ${name}`,
    permissions: "none",
    fn() {
      assertWireResult(decodeBody(body, format, options), expected);
    },
  });
}

Deno.test({
  name:
    "decodeBody() reads XML in jabber:client, with a declaration when allowed",
  permissions: "none",
  fn() {
    const xml =
      '<?xml version="1.0"?><message to="a@b"><body>Hi</body></message>';
    const result = decodeBody(xml, "xml", { allowXmlDeclaration: true });
    assert.ok(result.ok && result.value.format === "xml");
    assert.equal(result.value.element.ns, "jabber:client");
  },
});

Deno.test({
  name: "decodeUtf8() refuses invalid UTF-8",
  permissions: "none",
  fn() {
    assert.deepEqual(decodeUtf8(new TextEncoder().encode("é")), {
      ok: true,
      value: "é",
    });
    assert.equal(decodeUtf8(new Uint8Array([0xc3])).ok, false);
    const enc = (text: string) => new TextEncoder().encode(text);
    const cases: [string, Uint8Array, string | false][] = [
      ["a real U+FFFD is kept", enc("a\uFFFDb"), "a\uFFFDb"],
      [
        "a real U+FFFD beside an invalid byte",
        new Uint8Array([...enc("\uFFFD"), 0xff]),
        false,
      ],
      [
        "a BOM is dropped",
        new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69]),
        "hi",
      ],
      ["a lone surrogate encoding", new Uint8Array([0xed, 0xa0, 0x80]), false],
      ["an overlong slash", new Uint8Array([0xc0, 0xaf]), false],
      ["empty", new Uint8Array(0), ""],
    ];
    for (const [name, bytes, want] of cases) {
      const got = decodeUtf8(bytes);
      assert.deepEqual(got.ok ? got.value : false, want, name);
    }
  },
});

const stanzaCases: [string, string, RequestFormat, string | RegExp][] = [
  ["XML as is", "<presence/>", "xml", "<presence/>"],
  [
    "JSON via the mapping",
    '{"kind":"message","body":"Hi"}',
    "json",
    "<message><body>Hi</body></message>",
  ],
  [
    "form values coerced",
    "kind=presence&priority=5",
    "form",
    "<presence><priority>5</priority></presence>",
  ],
  [
    "text as a chat message",
    "Hi",
    "text",
    '<message type="chat"><body>Hi</body></message>',
  ],
  ["no body is a failure", "", "none", /no body/],
  ["a mapping error keeps its cause", '{"kind":"nope"}', "json", /kind/],
];

for (const [name, body, format, expected] of stanzaCases) {
  Deno.test({
    name: `bodyStanza(): ${name}`,
    permissions: "none",
    fn() {
      const decoded = decodeBody(body, format);
      assert.ok(decoded.ok);
      const result = bodyStanza(decoded.value);
      if (expected instanceof RegExp) {
        assert.equal(result.ok, false);
        if (!result.ok) {
          assert.match(result.reason, expected);
          if (format === "json") assert.ok(result.cause instanceof TypeError);
        }
      } else {
        assert.ok(result.ok);
        assert.equal(
          serialize(result.value, { parentNs: "jabber:client" }),
          expected,
        );
      }
    },
  });
}
