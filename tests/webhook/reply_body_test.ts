// Reply rules that read JSON, form and XML bodies (need the JSON mapping and the XML parser).
import assert from "node:assert/strict";
import type { XmlElement } from "../../src/xml/element.ts";
import { decideReply, type WebhookOutcome } from "../../src/webhook/reply.ts";
import {
  ALICE,
  BOT,
  canon,
  counterIds,
  error,
  incoming,
  IQ_GET,
  MSG,
  MSG_NO_TYPE,
  MSG_RECEIPT,
  PRES,
  stanza,
} from "./support.ts";

interface Case {
  name: string;
  incoming: XmlElement;
  status?: number;
  contentType: string;
  body: string | Record<string, unknown> | unknown[];
  replies: string[];
  warns?: boolean;
}

const JSON_T = "application/json";
const XML_T = "application/xmpp+xml";
const FORM_T = "application/x-www-form-urlencoded";
const VERSION = "jabber:iq:version";
const iqResult = (inner = "") =>
  stanza("iq", { from: BOT, to: ALICE, id: "q1", type: "result" }, inner);
const MSG_GROUPCHAT = incoming("message", {
  type: "groupchat",
  id: "g1",
  from: "room@muc.example.org/alice",
});

const CASES: Case[] = [
  // JSON, 2xx
  {
    name: "iq, JSON version: result with the original id",
    incoming: IQ_GET,
    contentType: JSON_T,
    body: { version: { name: "bot", version: "1" } },
    replies: [
      iqResult(
        `<query xmlns="${VERSION}"><name>bot</name><version>1</version></query>`,
      ),
    ],
  },
  {
    name: "iq, JSON with its own id and type get: id and type forced",
    incoming: IQ_GET,
    contentType: JSON_T,
    body: { kind: "iq", type: "get", id: "other", ping: true },
    replies: [iqResult(`<ping xmlns="urn:xmpp:ping"/>`)],
  },
  {
    name:
      "iq, JSON lastactivity without kind: read as a message, empty result (mod_rest)",
    incoming: IQ_GET,
    contentType: JSON_T,
    body: { lastactivity: { seconds: 7, status: "idle" } },
    replies: [iqResult()],
    warns: true,
  },
  {
    name: "iq, JSON {type:error, error}: error reply (decisions.md)",
    incoming: IQ_GET,
    contentType: JSON_T,
    body: {
      type: "error",
      error: { type: "wait", condition: "resource-constraint" },
    },
    replies: [
      stanza(
        "iq",
        { from: BOT, to: ALICE, id: "q1", type: "error" },
        error("wait", "resource-constraint"),
      ),
    ],
  },
  {
    name: "message, JSON body: no type inherited, new id",
    incoming: MSG,
    contentType: JSON_T,
    body: { body: "Yes, this is bot" },
    replies: [
      stanza(
        "message",
        { from: BOT, to: ALICE, id: "rnd1" },
        "<body>Yes, this is bot</body>",
      ),
    ],
  },
  {
    name: "message, JSON with id and lang: both kept, to/from replaced",
    incoming: MSG,
    contentType: JSON_T,
    body: {
      body: "Hallo",
      id: "mine",
      lang: "de",
      to: "eve@evil.example",
      from: "x@y",
    },
    replies: [
      stanza(
        "message",
        { from: BOT, to: ALICE, id: "mine", "xml:lang": "de" },
        "<body>Hallo</body>",
      ),
    ],
  },
  {
    name: "message, JSON type groupchat: to the bare JID",
    incoming: MSG,
    contentType: JSON_T,
    body: { type: "groupchat", body: "to the room" },
    replies: [
      stanza("message", {
        from: BOT,
        to: "alice@example.org",
        id: "rnd1",
        type: "groupchat",
      }, "<body>to the room</body>"),
    ],
  },
  {
    name: "groupchat message, JSON groupchat reply: to the bare room",
    incoming: MSG_GROUPCHAT,
    contentType: JSON_T,
    body: { type: "groupchat", body: "hi room" },
    replies: [
      stanza("message", {
        from: BOT,
        to: "room@muc.example.org",
        id: "rnd1",
        type: "groupchat",
      }, "<body>hi room</body>"),
    ],
  },
  {
    name: "message with receipt request, JSON reply: receipt added",
    incoming: MSG_RECEIPT,
    contentType: JSON_T,
    body: { type: "chat", body: "got it" },
    replies: [
      stanza(
        "message",
        { from: BOT, to: ALICE, id: "rnd1", type: "chat" },
        `<body>got it</body><received xmlns="urn:xmpp:receipts" id="m3"/>`,
      ),
    ],
  },
  {
    name: "message without type, JSON error reply: type error, original id",
    incoming: MSG_NO_TYPE,
    contentType: JSON_T,
    body: { error: { type: "cancel", condition: "not-allowed" } },
    replies: [
      stanza(
        "message",
        { from: BOT, to: ALICE, id: "m2", type: "error" },
        error("cancel", "not-allowed"),
      ),
    ],
  },
  {
    name: "presence, JSON presence: reply with a new id",
    incoming: PRES,
    contentType: JSON_T,
    body: { kind: "presence", show: "away" },
    replies: [
      stanza(
        "presence",
        { from: BOT, to: ALICE, id: "rnd1" },
        "<show>away</show>",
      ),
    ],
  },
  {
    name: "message, JSON iq: wrong kind, nothing",
    incoming: MSG,
    contentType: JSON_T,
    body: { kind: "iq", ping: true },
    replies: [],
    warns: true,
  },
  {
    name: "message, JSON {}: nothing",
    incoming: MSG,
    contentType: JSON_T,
    body: {},
    replies: [],
    warns: true,
  },
  {
    name: "iq, JSON array: empty result",
    incoming: IQ_GET,
    contentType: JSON_T,
    body: [1],
    replies: [iqResult()],
    warns: true,
  },
  {
    name: "iq, malformed JSON: empty result",
    incoming: IQ_GET,
    contentType: JSON_T,
    body: "{",
    replies: [iqResult()],
    warns: true,
  },
  {
    name: "iq, JSON with a wrong shape: empty result",
    incoming: IQ_GET,
    contentType: JSON_T,
    body: { kind: "iq", version: 5 },
    replies: [iqResult()],
    warns: true,
  },
  // form
  {
    name: "message, form body: mapped like JSON",
    incoming: MSG,
    contentType: FORM_T,
    body: "type=chat&body=Hello+there",
    replies: [
      stanza(
        "message",
        { from: BOT, to: ALICE, id: "rnd1", type: "chat" },
        "<body>Hello there</body>",
      ),
    ],
  },
  {
    name: "message, form body without '=': URL-decoded text",
    incoming: MSG,
    contentType: FORM_T,
    body: "Hello+there%21",
    replies: [
      stanza(
        "message",
        { from: BOT, to: ALICE, id: "rnd1", type: "chat" },
        "<body>Hello there!</body>",
      ),
    ],
  },
  // XML, 2xx
  {
    name: "iq, XML result: original id, type result",
    incoming: IQ_GET,
    contentType: XML_T,
    body:
      `<iq type='result'><query xmlns='${VERSION}'><name>XMLBot</name></query></iq>`,
    replies: [
      iqResult(`<query xmlns="${VERSION}"><name>XMLBot</name></query>`),
    ],
  },
  {
    name: "message, XML with a receipt request, unknown attributes dropped",
    incoming: MSG,
    contentType: XML_T,
    body: `<message type='chat' foo='bar' id='x'><body>a</body></message>`,
    replies: [
      stanza(
        "message",
        { from: BOT, to: ALICE, id: "x", type: "chat" },
        "<body>a</body>",
      ),
    ],
  },
  {
    name: "message without type, XML with <error>: type error, original id",
    incoming: MSG_NO_TYPE,
    contentType: XML_T,
    body:
      `<message id='x'><error type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>`,
    replies: [
      stanza(
        "message",
        { from: BOT, to: ALICE, id: "m2", type: "error" },
        error("modify", "bad-request"),
      ),
    ],
  },
  {
    name: "iq, malformed XML: empty result",
    incoming: IQ_GET,
    contentType: XML_T,
    body: "<iq",
    replies: [iqResult()],
    warns: true,
  },
  {
    name: "iq, XML in another namespace: empty result",
    incoming: IQ_GET,
    contentType: XML_T,
    body: "<iq xmlns='urn:other' type='result'/>",
    replies: [iqResult()],
    warns: true,
  },
  {
    name: "message, XML <foo>: nothing",
    incoming: MSG,
    contentType: XML_T,
    body: "<foo/>",
    replies: [],
    warns: true,
  },
  // 4xx/5xx with a stanza body: always an error (decisions.md)
  {
    name: "iq, 404 JSON error stanza: its <error>",
    incoming: IQ_GET,
    status: 404,
    contentType: JSON_T,
    body: {
      type: "error",
      error: {
        type: "cancel",
        condition: "item-not-found",
        text: "No such thing",
      },
    },
    replies: [
      stanza(
        "iq",
        { from: BOT, to: ALICE, id: "q1", type: "error" },
        error("cancel", "item-not-found", "No such thing"),
      ),
    ],
  },
  {
    name: "iq, 404 JSON stanza without error: status table, not the stanza",
    incoming: IQ_GET,
    status: 404,
    contentType: JSON_T,
    body: { kind: "iq", version: { name: "x" } },
    replies: [
      stanza(
        "iq",
        { from: BOT, to: ALICE, id: "q1", type: "error" },
        error("cancel", "item-not-found", "Not Found"),
      ),
    ],
  },
  {
    name: "message, 400 XML stanza with <error>: its <error>",
    incoming: MSG,
    status: 400,
    contentType: XML_T,
    body:
      `<message type='error'><error type='modify'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>`,
    replies: [
      stanza(
        "message",
        { from: BOT, to: ALICE, id: "m1", type: "error" },
        error("modify", "not-acceptable"),
      ),
    ],
  },
  {
    name: "message, 500 JSON message body: status table",
    incoming: MSG,
    status: 500,
    contentType: JSON_T,
    body: { body: "oops" },
    replies: [
      stanza(
        "message",
        { from: BOT, to: ALICE, id: "m1", type: "error" },
        error("wait", "internal-server-error", "Internal Server Error"),
      ),
    ],
  },
];

for (const c of CASES) {
  Deno.test({
    name: `decideReply(): ${c.name}`,
    permissions: "none",
    fn() {
      const body = typeof c.body === "string" ? c.body : JSON.stringify(c.body);
      const outcome: WebhookOutcome = {
        kind: "response",
        status: c.status ?? 200,
        contentType: c.contentType,
        body,
      };
      const decision = decideReply(c.incoming, outcome, {
        randomId: counterIds(),
      });
      assert.deepEqual(canon(decision.replies), c.replies);
      if (c.warns) {
        assert.ok(decision.warnings.length > 0, "expected a warning");
      } else assert.deepEqual(decision.warnings, []);
    },
  });
}
