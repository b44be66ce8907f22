// decideReply() for 2xx answers with JSON bodies (README "The reply" step 3 with README "Differences from mod_rest").
import {
  ALICE,
  BOT,
  error,
  incoming,
  IQ_GET,
  MSG,
  MSG_NO_TYPE,
  MSG_RECEIPT,
  PRES,
  stanza,
} from "./support.ts";
import {
  type BodyCase,
  bodyCases,
  iqResultTo,
  testReplyCases,
} from "./reply_cases.ts";

const JSON_T = "application/json";
const VERSION = "jabber:iq:version";
const iqResult = (inner = "") => iqResultTo("q1", inner);
const MSG_GROUPCHAT = incoming("message", {
  type: "groupchat",
  id: "g1",
  from: "room@muc.example.org/alice",
});

const CASES: BodyCase[] = [
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
    name:
      "iq, JSON {type:error, error}: error reply (README: Differences from mod_rest)",
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
];

testReplyCases(bodyCases(CASES));
