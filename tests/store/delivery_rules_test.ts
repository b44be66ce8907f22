// The delivery rules every back-end shares (src/store/common.ts): when a delivery may be claimed, and what a failed attempt leaves.

import assert from "node:assert/strict";
import {
  claimable,
  type DeliveryRow,
  failedDelivery,
} from "../../src/store/common.ts";

const row = (extra: Partial<DeliveryRow>): DeliveryRow => ({
  eventId: 1,
  conversation: "c",
  state: "pending",
  dueAt: 100,
  attempts: 0,
  ...extra,
});

const claimCases: [string, Partial<DeliveryRow>, boolean][] = [
  ["due and never claimed", {}, true],
  ["not due yet", { dueAt: 101 }, false],
  [
    "claimed by another owner, claim live",
    { claimOwner: "b", claimUntil: 150 },
    false,
  ],
  ["claimed by another owner, claim ended", {
    claimOwner: "b",
    claimUntil: 100,
  }, true],
  ["claimed by the same owner, claim live", {
    claimOwner: "a",
    claimUntil: 150,
  }, true],
];
for (const [name, extra, want] of claimCases) {
  Deno.test(`claimable(): ${name}`, () => {
    assert.equal(claimable(row(extra), { now: 100, owner: "a" }), want);
  });
}

const error = { at: 90, status: 503, reason: "HTTP 503" };
const failCases: [
  string,
  Parameters<typeof failedDelivery>[0],
  ReturnType<typeof failedDelivery>,
][] = [
  ["a retry stays pending, due then", { outcome: "retry", dueAt: 500, error }, {
    state: "pending",
    dueAt: 500,
    lastError: error,
  }],
  ["a dead delivery keeps its error", { outcome: "dead", error }, {
    state: "dead",
    dueAt: 0,
    lastError: error,
  }],
];
for (const [name, settlement, want] of failCases) {
  Deno.test(`failedDelivery(): ${name}`, () => {
    assert.deepEqual(failedDelivery(settlement), want);
  });
}
