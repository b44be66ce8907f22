// decideReply() when there is no HTTP answer, for stanzas never answered, and unhandledReply().
import assert from "node:assert/strict";
import { canonicalize } from "../../src/xml/serialize.ts";
import {
  unhandledReply,
  type WebhookOutcome,
} from "../../src/webhook/reply.ts";
import {
  canon,
  error,
  IQ_ERROR,
  IQ_GET,
  IQ_RESULT,
  IQ_SET,
  MSG,
  MSG_ERROR,
  PRES,
} from "./support.ts";
import {
  errorTo,
  type ReplyCase,
  response,
  testReplyCases,
} from "./reply_cases.ts";

const CASES: ReplyCase[] = [
  // transport failures and overload
  {
    name: "iq, timeout",
    incoming: IQ_GET,
    outcome: { kind: "timeout", seconds: 30 },
    replies: [
      errorTo(
        "iq",
        "q1",
        error("wait", "recipient-unavailable", "Webhook timed out after 30 s"),
      ),
    ],
  },
  {
    name: "message, connection failed",
    incoming: MSG,
    outcome: { kind: "unreachable" },
    replies: [
      errorTo(
        "message",
        "m1",
        error("wait", "recipient-unavailable", "Connection failed"),
      ),
    ],
  },
  {
    name: "presence, connection failed: nothing",
    incoming: PRES,
    outcome: { kind: "unreachable" },
    replies: [],
  },
  {
    name: "iq, queue full",
    incoming: IQ_GET,
    outcome: { kind: "overloaded" },
    replies: [
      errorTo(
        "iq",
        "q1",
        error(
          "wait",
          "resource-constraint",
          "Too many stanzas waiting for the webhook",
        ),
      ),
    ],
    warns: true,
  },
  {
    name: "message, queue full",
    incoming: MSG,
    outcome: { kind: "overloaded" },
    replies: [
      errorTo(
        "message",
        "m1",
        error(
          "wait",
          "resource-constraint",
          "Too many stanzas waiting for the webhook",
        ),
      ),
    ],
    warns: true,
  },
  {
    name: "presence, queue full: nothing",
    incoming: PRES,
    outcome: { kind: "overloaded" },
    replies: [],
    warns: true,
  },
];

// Never a reply to error stanzas or iq results, whatever happened.
const ANY_OUTCOME: WebhookOutcome[] = [
  response(200, "text/plain", "hello"),
  response(202),
  response(204),
  response(404),
  response(500, "text/plain", "boom"),
  { kind: "timeout", seconds: 30 },
  { kind: "unreachable" },
  { kind: "overloaded" },
];
for (const forbidden of [IQ_RESULT, IQ_ERROR, MSG_ERROR]) {
  for (const outcome of ANY_OUTCOME) {
    CASES.push({
      name: `${forbidden.name} type=${forbidden.attr("type")}, ${
        outcome.kind === "response" ? outcome.status : outcome.kind
      }: never answered`,
      incoming: forbidden,
      outcome,
      replies: [],
    });
  }
}

testReplyCases(CASES);

Deno.test({
  name:
    "unhandledReply() answers iq get/set with service-unavailable and nothing else",
  permissions: "none",
  fn() {
    assert.deepEqual(canon([unhandledReply(IQ_GET)!]), [
      errorTo("iq", "q1", error("cancel", "service-unavailable")),
    ]);
    assert.ok(unhandledReply(IQ_SET));
    for (const other of [IQ_RESULT, IQ_ERROR, MSG, MSG_ERROR, PRES]) {
      assert.equal(unhandledReply(other), undefined, canonicalize(other));
    }
  },
});
