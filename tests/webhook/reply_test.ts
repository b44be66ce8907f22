import assert from "node:assert/strict";
import { decideReply, type WebhookOutcome } from "../../src/webhook/reply.ts";
import {
  ALICE,
  BOT,
  counterIds,
  error,
  IQ_GET,
  IQ_SET,
  MSG,
  MSG_RECEIPT,
  MSG_RECEIPT_NO_ID,
  PRES,
  stanza,
} from "./support.ts";
import {
  errorTo,
  iqResultTo,
  type ReplyCase,
  response,
  testReplyCases,
} from "./reply_cases.ts";

const RECEIPTS = "urn:xmpp:receipts";
const receiptAlone = stanza(
  "message",
  { from: BOT, to: ALICE, id: "rnd1", type: "chat" },
  `<received xmlns="${RECEIPTS}" id="m3"/>`,
);

// Cases that need neither the XML parser nor the JSON mapping.
const CASES: ReplyCase[] = [
  // 202/204
  {
    name: "iq, 202",
    incoming: IQ_GET,
    outcome: response(202),
    replies: [iqResultTo("q1")],
  },
  {
    name: "iq set, 204",
    incoming: IQ_SET,
    outcome: response(204),
    replies: [iqResultTo("q2")],
  },
  { name: "message, 202", incoming: MSG, outcome: response(202), replies: [] },
  { name: "message, 204", incoming: MSG, outcome: response(204), replies: [] },
  {
    name: "presence, 204",
    incoming: PRES,
    outcome: response(204),
    replies: [],
  },
  {
    name: "message with receipt request, 202: receipt alone",
    incoming: MSG_RECEIPT,
    outcome: response(202),
    replies: [receiptAlone],
  },
  {
    name: "message with receipt request but no id, 204: nothing",
    incoming: MSG_RECEIPT_NO_ID,
    outcome: response(204),
    replies: [],
  },
  {
    name: "message, 202 with a body: body ignored",
    incoming: MSG,
    outcome: response(202, "text/plain", "ignored"),
    replies: [],
  },
  // 2xx with text/plain
  {
    name: "message, 200 text/plain: chat message with the text",
    incoming: MSG,
    outcome: response(200, "text/plain; charset=utf-8", "Yes, this is bot"),
    replies: [
      stanza(
        "message",
        { from: BOT, to: ALICE, id: "rnd1", type: "chat" },
        "<body>Yes, this is bot</body>",
      ),
    ],
  },
  {
    name:
      "message with receipt request, 201 text/plain: reply carries the receipt",
    incoming: MSG_RECEIPT,
    outcome: response(201, "text/plain", "ok"),
    replies: [
      stanza(
        "message",
        { from: BOT, to: ALICE, id: "rnd1", type: "chat" },
        `<body>ok</body><received xmlns="${RECEIPTS}" id="m3"/>`,
      ),
    ],
  },
  {
    name: "iq, 200 text/plain: wrong kind, empty result",
    incoming: IQ_GET,
    outcome: response(200, "text/plain", "hello"),
    replies: [iqResultTo("q1")],
    warns: true,
  },
  {
    name: "presence, 200 text/plain: wrong kind, nothing",
    incoming: PRES,
    outcome: response(200, "text/plain", "hello"),
    replies: [],
    warns: true,
  },
  // 2xx without a usable body
  {
    name: "iq, 200 empty",
    incoming: IQ_GET,
    outcome: response(200),
    replies: [iqResultTo("q1")],
    warns: true,
  },
  {
    name: "message, 200 empty: nothing (README: Differences from mod_rest)",
    incoming: MSG,
    outcome: response(200),
    replies: [],
    warns: true,
  },
  {
    name: "presence, 200 empty",
    incoming: PRES,
    outcome: response(200),
    replies: [],
    warns: true,
  },
  {
    name: "message, 200 text/html: nothing",
    incoming: MSG,
    outcome: response(200, "text/html", "<p>hi</p>"),
    replies: [],
    warns: true,
  },
  {
    name: "message, 200 whitespace text/plain: nothing",
    incoming: MSG,
    outcome: response(200, "text/plain", " \n "),
    replies: [],
    warns: true,
  },
  {
    name: "message with receipt request, 200 empty: receipt alone",
    incoming: MSG_RECEIPT,
    outcome: response(200),
    replies: [receiptAlone],
    warns: true,
  },
  {
    name: "iq, 200 with an unreadable body",
    incoming: IQ_GET,
    outcome: {
      ...response(200, "text/plain", ""),
      bodyError: "response body is larger than 10 bytes",
    },
    replies: [iqResultTo("q1")],
    warns: true,
  },
  // non-2xx
  {
    name: "iq, 404 without body: status table",
    incoming: IQ_GET,
    outcome: response(404),
    replies: [
      errorTo("iq", "q1", error("cancel", "item-not-found", "404 Not Found")),
    ],
  },
  {
    name: "iq, 501: feature-not-implemented",
    incoming: IQ_SET,
    outcome: response(501, "text/html", "<h1>Not Implemented</h1>"),
    replies: [
      errorTo(
        "iq",
        "q2",
        error("cancel", "feature-not-implemented", "501 Not Implemented"),
      ),
    ],
  },
  {
    name: "message, 503 short text/plain: the text becomes <text>",
    incoming: MSG,
    outcome: response(503, "text/plain", "Down for maintenance\n"),
    replies: [
      errorTo(
        "message",
        "m1",
        error("cancel", "service-unavailable", "Down for maintenance"),
      ),
    ],
  },
  {
    name: "presence, 500: error reply",
    incoming: PRES,
    outcome: response(500),
    replies: [
      errorTo(
        "presence",
        "p1",
        error("wait", "internal-server-error", "500 Internal Server Error"),
      ),
    ],
  },
  {
    name: "iq, 500 long text/plain: reason phrase",
    incoming: IQ_GET,
    outcome: response(500, "text/plain", "x".repeat(1025)),
    replies: [
      errorTo(
        "iq",
        "q1",
        error("wait", "internal-server-error", "500 Internal Server Error"),
      ),
    ],
  },
  {
    name: "iq, 500 text/plain of two paragraphs: reason phrase",
    incoming: IQ_GET,
    outcome: response(500, "text/plain", "Traceback:\n\n  at line 1"),
    replies: [
      errorTo(
        "iq",
        "q1",
        error("wait", "internal-server-error", "500 Internal Server Error"),
      ),
    ],
  },
  {
    name: "message with receipt request, 500: error reply without receipt",
    incoming: MSG_RECEIPT,
    outcome: response(500),
    replies: [
      errorTo(
        "message",
        "m3",
        error("wait", "internal-server-error", "500 Internal Server Error"),
      ),
    ],
  },
  {
    name: "iq, 302: undefined-condition",
    incoming: IQ_GET,
    outcome: response(302),
    replies: [
      errorTo("iq", "q1", error("cancel", "undefined-condition", "302 Found")),
    ],
  },
  {
    name: "iq, 599 with a server reason: that reason",
    incoming: IQ_GET,
    outcome: { ...response(599), statusText: "Odd" },
    replies: [
      errorTo("iq", "q1", error("cancel", "undefined-condition", "599 Odd")),
    ],
  },
];

testReplyCases(CASES);

Deno.test({
  name: "decideReply() warns with the reason a 2xx body was ignored",
  permissions: "none",
  fn() {
    const cases: [WebhookOutcome, RegExp][] = [
      [response(200), /empty body/],
      [response(200, undefined, "x"), /no Content-Type/],
      [
        response(200, "text/html", "x"),
        /unsupported Content-Type "text\/html"/,
      ],
      [response(200, "text/plain", "x"), /expected <iq> but got <message>/],
    ];
    for (const [outcome, expected] of cases) {
      const { warnings } = decideReply(IQ_GET, outcome, {
        randomId: counterIds(),
      });
      assert.match(warnings.join("\n"), expected);
    }
  },
});
