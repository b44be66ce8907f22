import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { silentLogger } from "../../src/logger.ts";
import { receiptForCopy } from "../../src/inbound/consumers.ts";
import type { AppendedEvent } from "../../src/store/types.ts";
import { FakePort } from "../support/fake_port.ts";

const copy = (...extra: ReturnType<typeof el>[]) =>
  el(
    "message",
    NS.client,
    { from: "a@x/r", to: "bot@gw.x", id: "m1", type: "chat" },
    el("body", NS.client, {}, "hi"),
    ...extra,
  );
const first = (delivered: boolean): AppendedEvent => ({
  id: 7,
  receivedAt: 1,
  kind: "message",
  from: "a@x/r",
  to: "bot@gw.x",
  conversation: "a@x bot@gw.x",
  stanza: "<message/>",
  duplicate: { delivered },
});

const cases: [string, ReturnType<typeof el>, boolean, number][] = [
  [
    "a copy of a delivered message that asked for a receipt",
    copy(el("request", NS.receipts)),
    true,
    1,
  ],
  [
    "a copy of a message still waiting for the webhook",
    copy(el("request", NS.receipts)),
    false,
    0,
  ],
  ["a copy of a delivered message without a receipt request", copy(), true, 0],
];
for (const [name, stanza, delivered, sent] of cases) {
  Deno.test(`receiptForCopy(): ${name} gets ${sent} receipt(s)`, () => {
    const port = new FakePort("gw.x");
    receiptForCopy(port, silentLogger, () => "r1")(stanza, first(delivered));
    assert.equal(port.sent.length, sent);
    if (sent === 0) return;
    const [receipt] = port.sent;
    assert.deepEqual(
      [receipt.attr("to"), receipt.attr("from"), receipt.attr("id")],
      ["a@x/r", "bot@gw.x", "r1"],
    );
    assert.equal(receipt.getChild("received", NS.receipts)?.attr("id"), "m1");
  });
}

Deno.test("receiptForCopy() logs instead of throwing when the stream is down", () => {
  const port = new FakePort("gw.x");
  port.online = false;
  const warnings: string[] = [];
  const logger = {
    ...silentLogger,
    warn: (message: string) => warnings.push(message),
  };
  receiptForCopy(port, logger)(copy(el("request", NS.receipts)), first(true));
  assert.deepEqual(warnings, ["Cannot send a receipt again"]);
});
