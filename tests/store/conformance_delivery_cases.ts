// EventStore conformance: push deliveries (claims, per-conversation order, retries, dead letters, redelivery).

import assert from "node:assert/strict";
import type { EventStore } from "../../src/store/types.ts";
import type { StoreCase } from "./conformance_cases.ts";
import { event } from "./conformance_cases.ts";

const CLAIM = { now: 2_000, limit: 10, owner: "a", leaseMs: 1_000 } as const;
const FAIL = { at: 2_000, status: 503, reason: "HTTP 503" } as const;

/** Three events: two in conversation "x" (ids 1, 3), one in "y" (id 2). */
const XYX = [
  event(1, { conversation: "x" }),
  event(2, { conversation: "y" }),
  event(3, { conversation: "x" }),
];

/** Appends {@linkcode XYX} for the webhook and makes events 1 and 2 dead letters. */
async function deadLettersOneAndTwo(store: EventStore): Promise<void> {
  await store.append(XYX, { deliverTo: ["webhook"] });
  await store.claimDeliveries("webhook", CLAIM);
  for (const id of [1, 2]) {
    await store.settleDelivery("webhook", id, { outcome: "dead", error: FAIL });
  }
}

/** The delivery cases. */
export const deliveryCases: readonly StoreCase[] = [
  {
    name:
      "claimDeliveries() gives the oldest pending event of each conversation",
    async run({ store }) {
      await store.append(XYX, { deliverTo: ["webhook"] });
      const claimed = await store.claimDeliveries("webhook", CLAIM);
      assert.deepEqual(claimed.map((d) => d.event.id), [1, 2]);
      assert.equal(claimed[0].attempts, 0);
      assert.equal(claimed[0].lastError, undefined);
      assert.deepEqual(claimed[0].event, { ...XYX[0], id: 1 });
    },
  },
  {
    name: "only consumers named in deliverTo get deliveries",
    async run({ store }) {
      await store.append([event(1)]);
      await store.append([event(2)], { deliverTo: ["webhook"] });
      const claimed = await store.claimDeliveries("webhook", CLAIM);
      assert.deepEqual(claimed.map((d) => d.event.id), [2]);
      assert.deepEqual(await store.claimDeliveries("other", CLAIM), []);
    },
  },
  {
    name: "a live claim of another owner is skipped; an expired one is not",
    async run({ store }) {
      await store.append([event(1)], { deliverTo: ["webhook"] });
      assert.equal((await store.claimDeliveries("webhook", CLAIM)).length, 1);
      const other = { ...CLAIM, owner: "b" };
      assert.deepEqual(await store.claimDeliveries("webhook", other), []);
      assert.deepEqual(
        (await store.claimDeliveries("webhook", { ...other, now: 3_000 }))
          .map((d) => d.event.id),
        [1],
      );
    },
  },
  {
    name: "the same owner can claim its own live claim again (restart)",
    async run({ store }) {
      await store.append([event(1)], { deliverTo: ["webhook"] });
      await store.claimDeliveries("webhook", CLAIM);
      assert.equal((await store.claimDeliveries("webhook", CLAIM)).length, 1);
    },
  },
  {
    name:
      "the next event of a conversation waits until the previous is settled",
    async run({ store }) {
      await store.append(XYX, { deliverTo: ["webhook"] });
      await store.claimDeliveries("webhook", CLAIM);
      await store.settleDelivery("webhook", 1, {
        outcome: "delivered",
        at: 2_000,
      });
      const next = await store.claimDeliveries("webhook", {
        ...CLAIM,
        owner: "b",
      });
      assert.deepEqual(next.map((d) => d.event.id), [3]);
    },
  },
  {
    name: "a retry is due at its time, counts the attempt and keeps the error",
    async run({ store }) {
      await store.append(XYX, { deliverTo: ["webhook"] });
      await store.claimDeliveries("webhook", CLAIM);
      await store.settleDelivery("webhook", 1, {
        outcome: "retry",
        dueAt: 5_000,
        error: FAIL,
      });
      const early = await store.claimDeliveries("webhook", {
        ...CLAIM,
        now: 2_500,
        owner: "b",
      });
      assert.deepEqual(early.map((d) => d.event.id), [], "2 is still claimed");
      assert.equal(await store.nextDueAt("webhook"), 3_000);
      const due = await store.claimDeliveries("webhook", {
        ...CLAIM,
        now: 5_000,
      });
      assert.deepEqual(due.map((d) => d.event.id), [2, 1]);
      const retried = due.find((d) => d.event.id === 1)!;
      assert.equal(retried.attempts, 1);
      assert.deepEqual(retried.lastError, FAIL);
    },
  },
  {
    name: "claims come in due order, then id order, up to the limit",
    async run({ store }) {
      await store.append([
        event(1, { conversation: "a", receivedAt: 30 }),
        event(2, { conversation: "b", receivedAt: 10 }),
        event(3, { conversation: "c", receivedAt: 10 }),
      ], { deliverTo: ["webhook"] });
      const claimed = await store.claimDeliveries("webhook", {
        ...CLAIM,
        limit: 2,
      });
      assert.deepEqual(claimed.map((d) => d.event.id), [2, 3]);
    },
  },
  {
    name: "nextDueAt() is undefined when nothing is pending",
    async run({ store }) {
      assert.equal(await store.nextDueAt("webhook"), undefined);
      await store.append([event(1, { receivedAt: 1_500 })], {
        deliverTo: ["webhook"],
      });
      assert.equal(await store.nextDueAt("webhook"), 1_500);
      await store.claimDeliveries("webhook", CLAIM);
      await store.settleDelivery("webhook", 1, {
        outcome: "delivered",
        at: 2_000,
      });
      assert.equal(await store.nextDueAt("webhook"), undefined);
    },
  },
  {
    name: "a dead letter no longer blocks its conversation and is listed",
    async run({ store }) {
      await store.append(XYX, { deliverTo: ["webhook"] });
      await store.claimDeliveries("webhook", CLAIM);
      await store.settleDelivery("webhook", 1, {
        outcome: "dead",
        error: FAIL,
      });
      const next = await store.claimDeliveries("webhook", {
        ...CLAIM,
        owner: "b",
      });
      assert.deepEqual(next.map((d) => d.event.id), [3]);
      const dead = await store.listDeadLetters("webhook", { limit: 10 });
      assert.deepEqual(dead, [{
        event: { ...XYX[0], id: 1 },
        attempts: 1,
        lastError: FAIL,
      }]);
      assert.deepEqual(
        await store.listDeadLetters("webhook", { afterId: 1, limit: 10 }),
        [],
      );
    },
  },
  {
    name: "deliveryStats() counts pending and dead and the oldest pending",
    async run({ store }) {
      assert.deepEqual(await store.deliveryStats("webhook"), {
        pending: 0,
        dead: 0,
      });
      await store.append(XYX, { deliverTo: ["webhook"] });
      await store.claimDeliveries("webhook", CLAIM);
      await store.settleDelivery("webhook", 1, {
        outcome: "dead",
        error: FAIL,
      });
      assert.deepEqual(await store.deliveryStats("webhook"), {
        pending: 2,
        dead: 1,
        oldestPendingAt: XYX[1].receivedAt,
      });
    },
  },
  {
    name: "redeliver() by ids puts dead letters back, due now, attempts reset",
    async run({ store }) {
      await deadLettersOneAndTwo(store);
      assert.equal(
        await store.redeliver("webhook", { ids: [2, 99] }, 7_000),
        1,
      );
      const claimed = await store.claimDeliveries("webhook", {
        ...CLAIM,
        now: 7_000,
      });
      assert.deepEqual(claimed.map((d) => [d.event.id, d.attempts]), [
        [3, 0],
        [2, 0],
      ]);
      assert.equal((await store.deliveryStats("webhook")).dead, 1);
    },
  },
  {
    name: "redeliver() since a time takes dead letters received from then on",
    async run({ store }) {
      await deadLettersOneAndTwo(store);
      assert.equal(
        await store.redeliver("webhook", { since: XYX[1].receivedAt }, 7_000),
        1,
      );
      const dead = await store.listDeadLetters("webhook", { limit: 10 });
      assert.deepEqual(dead.map((d) => d.event.id), [1]);
    },
  },
  {
    name: "redeliver() by ids counts a repeated id once and an unknown one not",
    async run({ store }) {
      await deadLettersOneAndTwo(store);
      assert.equal(
        await store.redeliver("webhook", { ids: [2, 2, 1, 7, 1] }, 7_000),
        2,
      );
      assert.equal(await store.redeliver("webhook", { ids: [] }, 7_000), 0);
      assert.deepEqual(await store.deliveryStats("webhook"), {
        pending: 3,
        dead: 0,
        oldestPendingAt: XYX[0].receivedAt,
      });
    },
  },
  {
    name: "a claim held by another owner keeps its delivery until it ends",
    async run({ store }) {
      await store.append([event(1)], { deliverTo: ["webhook"] });
      assert.equal((await store.claimDeliveries("webhook", CLAIM)).length, 1);
      const other = { ...CLAIM, owner: "b" };
      assert.deepEqual(await store.claimDeliveries("webhook", other), []);
      assert.equal(await store.nextDueAt("webhook"), CLAIM.now + CLAIM.leaseMs);
      const later = { ...other, now: CLAIM.now + CLAIM.leaseMs };
      const claimed = await store.claimDeliveries("webhook", later);
      assert.deepEqual(claimed.map((d) => d.event.id), [1]);
    },
  },
  {
    name: "settling a delivery that is not pending changes nothing",
    async run({ store }) {
      await store.append([event(1)], { deliverTo: ["webhook"] });
      await store.settleDelivery("webhook", 1, {
        outcome: "dead",
        error: FAIL,
      });
      await store.settleDelivery("webhook", 1, {
        outcome: "delivered",
        at: 3_000,
      });
      await store.settleDelivery("webhook", 42, {
        outcome: "delivered",
        at: 3_000,
      });
      assert.equal((await store.deliveryStats("webhook")).dead, 1);
    },
  },
];
