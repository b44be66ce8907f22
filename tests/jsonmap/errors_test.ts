// JSON mapping errors (README "Differences from mod_rest"): wrong shapes, invalid JIDs, malformed html, coercion.

import assert from "node:assert/strict";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { canonicalize } from "../../src/xml/serialize.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import {
  containerToJson,
  JsonMappingError,
  jsonToStanza,
  stanzaToJson,
} from "../../src/jsonmap/mod.ts";

const STATES = '"active", "inactive", "gone", "composing", "paused"';
const PRIORITY = "expected an integer from -128 to 127";
const UINT = "expected an integer of at least 0";

/** [description, JSON input, expected path, expected reason (string = exact, RegExp = match)] */
type WrongShape = readonly [string, unknown, string, string | RegExp];

const WRONG_SHAPES: readonly WrongShape[] = [
  ["a number is not a stanza", 5, "", "expected an object"],
  ["an array is not a stanza", [], "", "expected an object"],
  ["null is not a stanza", null, "", "expected an object"],
  [
    "unknown kind",
    { kind: "foo" },
    "/kind",
    'expected one of "message", "presence", "iq"',
  ],
  [
    "kind must be a string",
    { kind: 1 },
    "/kind",
    'expected one of "message", "presence", "iq"',
  ],
  ["type must be a string", { type: 5 }, "/type", "expected a string"],
  ["id must be a string", { id: 5 }, "/id", "expected a string"],
  ["lang must be a string", { lang: true }, "/lang", "expected a string"],
  ["to must be a string", { to: 5 }, "/to", "expected a string"],
  ["from must be a string", { from: ["a@b"] }, "/from", "expected a string"],
  [
    "to with two @",
    { to: "a@b@c" },
    "/to",
    'expected a valid JID: domainpart contains "@"',
  ],
  ["to empty", { to: "" }, "/to", "expected a valid JID: jid is empty"],
  [
    "to with markup",
    { to: "<evil>" },
    "/to",
    'expected a valid JID: domainpart contains "<"',
  ],
  [
    "from with a space",
    { to: "a@b", from: "x y@rest.example.net" },
    "/from",
    /^expected a valid JID: localpart contains/,
  ],
  [
    "from invalid even without to",
    { from: "@rest.example.net" },
    "/from",
    "expected a valid JID: localpart is empty",
  ],
  ["body 5", { body: 5 }, "/body", "expected a string"],
  ["body object", { body: {} }, "/body", "expected a string"],
  [
    "body with NUL",
    { body: "a\u0000b" },
    "/body",
    "expected a string without characters XML forbids (U+0000)",
  ],
  [
    "body with a lone surrogate",
    { body: "\ud800" },
    "/body",
    "expected a string without characters XML forbids (U+D800)",
  ],
  [
    "body with U+FFFE",
    { body: "\ufffe" },
    "/body",
    "expected a string without characters XML forbids (U+FFFE)",
  ],
  ["subject array", { subject: [] }, "/subject", "expected a string"],
  ["thread 3", { thread: 3 }, "/thread", "expected an object"],
  ["thread as 2020 string", { thread: "t1" }, "/thread", "expected an object"],
  [
    "thread id number",
    { thread: { id: 5 } },
    "/thread/id",
    "expected a string",
  ],
  [
    "thread parent false",
    { thread: { parent: false } },
    "/thread/parent",
    "expected a string",
  ],
  ["state unknown", { state: "typing" }, "/state", `expected one of ${STATES}`],
  ["state true", { state: true }, "/state", `expected one of ${STATES}`],
  ["html number", { html: 5 }, "/html", "expected a string"],
  ["oob string", { oob: "https://x" }, "/oob", "expected an object"],
  ["oob url number", { oob: { url: 1 } }, "/oob/url", "expected a string"],
  ["oob_url object", { oob_url: {} }, "/oob_url", "expected a string"],
  ["replace number", { replace: 1 }, "/replace", "expected a string"],
  [
    "reactions list as string",
    { reactions: { reactions: "x" } },
    "/reactions/reactions",
    "expected an array",
  ],
  [
    "reactions item number",
    { reactions: { reactions: ["a", 1] } },
    "/reactions/reactions/1",
    "expected a string",
  ],
  ["reply to number", { reply: { to: 1 } }, "/reply/to", "expected a string"],
  ["fallback word", { fallback: "yes" }, "/fallback", "expected a boolean"],
  [
    "fallback 'true' without coerce",
    { fallback: "true" },
    "/fallback",
    "expected a boolean",
  ],
  ["markable 1", { markable: 1 }, "/markable", "expected a boolean"],
  [
    "occupant_id number",
    { occupant_id: 1 },
    "/occupant_id",
    "expected a string",
  ],
  [
    "attach_to null-ish object",
    { attach_to: {} },
    "/attach_to",
    "expected a string",
  ],
  ["stanza_ids object", { stanza_ids: {} }, "/stanza_ids", "expected an array"],
  [
    "stanza_ids item string",
    { stanza_ids: ["x"] },
    "/stanza_ids/0",
    "expected an object",
  ],
  [
    "stanza_ids id number",
    { stanza_ids: [{ id: "a", by: "b" }, { id: 1 }] },
    "/stanza_ids/1/id",
    "expected a string",
  ],
  [
    "reference begin negative",
    { reference: { begin: -1 } },
    "/reference/begin",
    UINT,
  ],
  [
    "reference begin fraction",
    { reference: { begin: 1.5 } },
    "/reference/begin",
    UINT,
  ],
  [
    "reference end string without coerce",
    { reference: { end: "3" } },
    "/reference/end",
    UINT,
  ],
  ["displayed number", { displayed: 1 }, "/displayed", "expected a string"],
  ["encryption array", { encryption: [] }, "/encryption", "expected a string"],
  [
    "invite continue word",
    { invite: { continue: "yes" } },
    "/invite/continue",
    "expected a boolean",
  ],
  [
    "invite jid number",
    { invite: { jid: 1 } },
    "/invite/jid",
    "expected a string",
  ],
  ["forwarded string", { forwarded: "x" }, "/forwarded", "expected an object"],
  [
    "forwarded delay number",
    { forwarded: { delay: 5 } },
    "/forwarded/delay",
    "expected a string",
  ],
  [
    "forwarded message string",
    { forwarded: { message: "x" } },
    "/forwarded/message",
    "expected an object",
  ],
  [
    "forwarded message body",
    { forwarded: { message: { body: 5 } } },
    "/forwarded/message/body",
    "expected a string",
  ],
  [
    "nested forwarded",
    { forwarded: { message: { forwarded: { message: { thread: 1 } } } } },
    "/forwarded/message/forwarded/message/thread",
    "expected an object",
  ],
  [
    "archive result forward",
    { kind: "message", archive: { forward: { message: { subject: 1 } } } },
    "/archive/forward/message/subject",
    "expected a string",
  ],
  [
    "archive result queryid",
    { kind: "message", archive: { queryid: 1 } },
    "/archive/queryid",
    "expected a string",
  ],
  ["priority word", { priority: "high" }, "/priority", PRIORITY],
  ["priority too high", { priority: 128 }, "/priority", PRIORITY],
  ["priority too low", { priority: -129 }, "/priority", PRIORITY],
  ["priority fraction", { priority: 1.5 }, "/priority", PRIORITY],
  ["priority string without coerce", { priority: "5" }, "/priority", PRIORITY],
  [
    "show unknown",
    { show: "busy" },
    "/show",
    'expected one of "away", "chat", "dnd", "xa"',
  ],
  [
    "status number",
    { kind: "presence", status: 1 },
    "/status",
    "expected a string",
  ],
  [
    "caps ver number",
    { kind: "presence", caps: { ver: 1 } },
    "/caps/ver",
    "expected a string",
  ],
  [
    "vcard_update photo number",
    { kind: "presence", vcard_update: { photo: 1 } },
    "/vcard_update/photo",
    "expected a string",
  ],
  [
    "idle_since number",
    { kind: "presence", idle_since: 0 },
    "/idle_since",
    "expected a string",
  ],
  ["muc array", { kind: "presence", muc: [] }, "/muc", "expected an object"],
  [
    "muc history number",
    { kind: "presence", muc: { history: 5 } },
    "/muc/history",
    "expected an object",
  ],
  [
    "muc maxstanzas negative",
    { kind: "presence", muc: { history: { maxstanzas: -1 } } },
    "/muc/history/maxstanzas",
    UINT,
  ],
  [
    "muc since number",
    { kind: "presence", muc: { history: { since: 5 } } },
    "/muc/history/since",
    "expected a string",
  ],
  ["join word", { join: "yes" }, "/join", "expected a boolean"],
  ["nick number", { nick: 1 }, "/nick", "expected a string"],
  [
    "delay number on iq",
    { kind: "iq", delay: 1 },
    "/delay",
    "expected a string",
  ],
  ["payload string", { payload: "x" }, "/payload", "expected an object"],
  [
    "payload datatype number",
    { payload: { datatype: 1 } },
    "/payload/datatype",
    "expected a string",
  ],
  [
    "payload data BigInt",
    { payload: { data: 10n } },
    "/payload/data",
    /^expected JSON data: /,
  ],
  ["error string", { error: "oops" }, "/error", "expected an object"],
  [
    "error unknown condition",
    { error: { condition: "nope" } },
    "/error/condition",
    "expected a stanza error condition (RFC 6120 section 8.3.3)",
  ],
  [
    "error unknown type",
    { error: { type: "fatal" } },
    "/error/type",
    'expected one of "auth", "cancel", "continue", "modify", "wait"',
  ],
  [
    "error text number",
    { error: { text: 1 } },
    "/error/text",
    "expected a string",
  ],
  [
    "error by invalid",
    { error: { by: "a@@b" } },
    "/error/by",
    'expected a valid JID: domainpart contains "@"',
  ],
  [
    "legacy error_code boolean",
    { type: "error", error_code: true },
    "/error_code",
    "expected an integer",
  ],
  [
    "legacy error_code fraction",
    { type: "error", error_code: 4.04 },
    "/error_code",
    "expected an integer",
  ],
  [
    "html unclosed",
    { html: "<body><p>x</body>" },
    "/html",
    /^expected well-formed XHTML: /,
  ],
  [
    "html closing the wrapper",
    { html: "</html><evil/><html>" },
    "/html",
    /^expected well-formed XHTML: /,
  ],
  [
    "html with a comment",
    { html: "<body>x<!-- c --></body>" },
    "/html",
    /^expected well-formed XHTML: /,
  ],
  [
    "html with a DOCTYPE",
    { html: '<!DOCTYPE x [<!ENTITY e "boom">]><body>&e;</body>' },
    "/html",
    /^expected well-formed XHTML: /,
  ],
  [
    "html with an undefined entity",
    { html: "<body>&nbsp;</body>" },
    "/html",
    /^expected well-formed XHTML: /,
  ],
  [
    "html with an unbound prefix",
    { html: "<body><x:p>a</x:p></body>" },
    "/html",
    /^expected well-formed XHTML: /,
  ],
  [
    "html plain text with <",
    { html: "a < b" },
    "/html",
    /^expected well-formed XHTML: /,
  ],
];

function assertMappingError(
  fn: () => unknown,
  path: string,
  reason: string | RegExp,
): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(
    caught instanceof JsonMappingError,
    `expected JsonMappingError, got ${caught}`,
  );
  assert.equal(caught.path, path);
  if (typeof reason === "string") assert.equal(caught.reason, reason);
  else assert.match(caught.reason, reason);
  assert.equal(caught.message, `${path || "/"}: ${caught.reason}`);
}

for (const [what, input, path, reason] of WRONG_SHAPES) {
  Deno.test({
    name: `jsonToStanza() rejects ${what} at ${path || "/"}`,
    permissions: "none",
    fn: () => assertMappingError(() => jsonToStanza(input), path, reason),
  });
}

Deno.test({
  name:
    "jsonToStanza() rejects absurdly deep forwarded nesting with a mapping error, not a stack overflow",
  permissions: "none",
  fn() {
    let json: Record<string, unknown> = { body: "bottom" };
    for (let i = 0; i < 5000; i++) json = { forwarded: { message: json } };
    assertMappingError(
      () => jsonToStanza({ kind: "message", ...json }),
      "/forwarded/message".repeat(32),
      "expected less deeply nested stanzas",
    );
  },
});

Deno.test({
  name:
    "jsonToStanza() reports the html syntax error position within the caller's string",
  permissions: "none",
  fn() {
    try {
      jsonToStanza({ html: "<body><p>x</q></body>" });
      assert.fail("no error");
    } catch (error) {
      assert.ok(error instanceof JsonMappingError);
      assert.match(error.reason, / at 1:(\d+)$/);
      const column = Number(/ at 1:(\d+)$/.exec(error.reason)![1]);
      assert.ok(column <= "<body><p>x</q>".length, error.reason);
    }
  },
});

/** [description, JSON input, expected stanza (jabber:client children)] */
type Coerced = readonly [string, Record<string, unknown>, XmlElement];

const C = NS.client;
const COERCED: readonly Coerced[] = [
  [
    "priority from a decimal string",
    { kind: "presence", priority: "5" },
    el("presence", C, {}, el("priority", C, {}, "5")),
  ],
  [
    "priority from a negative string",
    { kind: "presence", priority: "-12" },
    el("presence", C, {}, el("priority", C, {}, "-12")),
  ],
  [
    "fallback from an empty value (form field without value)",
    { fallback: "" },
    el("message", C, {}, el("fallback", "urn:xmpp:fallback:0")),
  ],
  [
    'markable from "1"',
    { markable: "1" },
    el("message", C, {}, el("markable", "urn:xmpp:chat-markers:0")),
  ],
  ['markable "0" writes nothing', { markable: "0" }, el("message", C, {})],
  [
    'markable "false" writes nothing',
    { markable: "false" },
    el("message", C, {}),
  ],
  [
    "reference offsets from strings",
    { reference: { type: "mention", begin: "0", end: "3" } },
    el(
      "message",
      C,
      {},
      el("reference", "urn:xmpp:reference:0", {
        type: "mention",
        begin: "0",
        end: "3",
      }),
    ),
  ],
  [
    "muc history from strings",
    { kind: "presence", muc: { history: { maxstanzas: "20" } } },
    el(
      "presence",
      C,
      {},
      el(
        "x",
        "http://jabber.org/protocol/muc",
        {},
        el("history", "http://jabber.org/protocol/muc", { maxstanzas: "20" }),
      ),
    ),
  ],
  [
    'join from "true"',
    { join: "true" },
    el("presence", C, {}, el("x", "http://jabber.org/protocol/muc")),
  ],
  [
    'invite continue from "false"',
    { invite: { jid: "r@c.example.org", continue: "false" } },
    el(
      "message",
      C,
      {},
      el("x", "jabber:x:conference", { jid: "r@c.example.org", continue: "0" }),
    ),
  ],
  [
    "strings stay strings",
    { body: "5", subject: "true" },
    el("message", C, {}, el("body", C, {}, "5"), el("subject", C, {}, "true")),
  ],
];

for (const [what, input, expected] of COERCED) {
  Deno.test({
    name: `jsonToStanza({coerce: true}) coerces ${what}`,
    permissions: "none",
    fn() {
      assert.equal(
        canonicalize(jsonToStanza(input, { coerce: true })),
        canonicalize(expected),
      );
    },
  });
}

const STILL_WRONG_WHEN_COERCING: readonly WrongShape[] = [
  ["priority word", { priority: "high" }, "/priority", PRIORITY],
  ["priority fraction string", { priority: "1.5" }, "/priority", PRIORITY],
  ["priority out of range string", { priority: "200" }, "/priority", PRIORITY],
  ["fallback word", { fallback: "yes" }, "/fallback", "expected a boolean"],
  [
    "reference begin word",
    { reference: { begin: "x" } },
    "/reference/begin",
    UINT,
  ],
  [
    "muc seconds negative string",
    { kind: "presence", muc: { history: { seconds: "-1" } } },
    "/muc/history/seconds",
    UINT,
  ],
];

for (const [what, input, path, reason] of STILL_WRONG_WHEN_COERCING) {
  Deno.test({
    name: `jsonToStanza({coerce: true}) still rejects ${what}`,
    permissions: "none",
    fn: () =>
      assertMappingError(
        () => jsonToStanza(input, { coerce: true }),
        path,
        reason,
      ),
  });
}

/** [description, stanza, expected path, expected reason] */
type BadStanza = readonly [string, XmlElement, string, string | RegExp];

const P = "urn:xmpp:json-msg:0";
const BAD_STANZAS: readonly BadStanza[] = [
  [
    "an invalid to",
    el("message", C, { to: "a@b@c" }),
    "/to",
    'expected a valid JID: domainpart contains "@"',
  ],
  [
    "an invalid from",
    el("message", C, { to: "a@b", from: "@b" }),
    "/from",
    "expected a valid JID: localpart is empty",
  ],
  [
    "an empty to",
    el("presence", C, { to: "" }),
    "/to",
    "expected a valid JID: jid is empty",
  ],
  [
    "a payload that is not JSON",
    el("message", C, {}, el("payload", P, { datatype: "x" }, "not json")),
    "/payload/data",
    /^cannot decode XEP-0335 payload as JSON: /,
  ],
  [
    "a payload without text",
    el("iq", C, { type: "get" }, el("payload", P, { datatype: "x" })),
    "/payload/data",
    /^cannot decode XEP-0335 payload as JSON: /,
  ],
  [
    "an element that is not a stanza",
    el("foo", C),
    "",
    /^cannot map element "foo"/,
  ],
  [
    "a stanza in another namespace",
    el("message", "jabber:server"),
    "",
    /^cannot map element "message" in namespace "jabber:server"/,
  ],
];

for (const [what, stanza, path, reason] of BAD_STANZAS) {
  Deno.test({
    name: `stanzaToJson() fails on ${what}`,
    permissions: "none",
    fn: () => assertMappingError(() => stanzaToJson(stanza), path, reason),
  });
}

Deno.test({
  name: "containerToJson() names the failing stanza's index in the path",
  permissions: "none",
  fn() {
    const container = el(
      "xmpp",
      C,
      {},
      el("iq", C, { type: "result", from: "a@b" }),
      el("message", C, { from: "x@y@z" }),
    );
    assertMappingError(
      () => containerToJson(container),
      "/xmpp/1/from",
      'expected a valid JID: domainpart contains "@"',
    );
  },
});

Deno.test({
  name: "jsonToStanza() does not mutate its input",
  permissions: "none",
  fn() {
    const input = {
      kind: "presence",
      type: "available",
      join: true,
      payload: { datatype: "d", data: { a: [1] } },
      forwarded: { message: { body: "x" } },
    };
    const copy = structuredClone(input);
    jsonToStanza(input);
    jsonToStanza(input, { coerce: true });
    assert.deepStrictEqual(input, copy);
  },
});
