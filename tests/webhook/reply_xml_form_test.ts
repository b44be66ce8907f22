// decideReply() for form and XML bodies, and for 4xx/5xx answers carrying a stanza.
import {
  ALICE,
  BOT,
  error,
  IQ_GET,
  MSG,
  MSG_NO_TYPE,
  stanza,
} from "./support.ts";
import {
  type BodyCase,
  bodyCases,
  iqResultTo,
  testReplyCases,
} from "./reply_cases.ts";

const JSON_T = "application/json";
const XML_T = "application/xmpp+xml";
const FORM_T = "application/x-www-form-urlencoded";
const VERSION = "jabber:iq:version";
const iqResult = (inner = "") => iqResultTo("q1", inner);

const CASES: BodyCase[] = [
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
    name: "message, XML with a leading XML declaration: accepted",
    incoming: MSG,
    contentType: XML_T,
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<message type='chat' id='x'><body>a</body></message>`,
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
  // 4xx/5xx with a stanza body: always an error (README "Differences from mod_rest")
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
        error("cancel", "item-not-found", "404 Not Found"),
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
        error("wait", "internal-server-error", "500 Internal Server Error"),
      ),
    ],
  },
];

testReplyCases(bodyCases(CASES));
