// EventStore conformance: inbound de-duplication of re-sent stanzas (README "Running several instances").

import assert from "node:assert/strict";
import type { StoreCase } from "./conformance_cases.ts";
import { event } from "./conformance_cases.ts";

const HOOK = { deliverTo: ["webhook"] } as const;
const CLAIM = { now: 2_000, limit: 10, owner: "a", leaseMs: 1_000 } as const;

/** Dedupe options for one event with key `key`, keys recorded since `since` counting. */
function once(key: string | undefined, since = 0) {
  return { ...HOOK, dedupe: { keys: [key], since } };
}

/** The de-duplication cases. */
export const dedupeCases: readonly StoreCase[] = [
  {
    name:
      "append() with dedupe stores a re-sent event once and answers the first copy's id",
    async run({ store }) {
      const [first] = await store.append([event(1)], once("k1"));
      assert.deepEqual(first, { ...event(1), id: 1 });
      const again = { ...event(1), receivedAt: 5_000 };
      const [repeat] = await store.append([again], once("k1"));
      assert.deepEqual(repeat, {
        ...again,
        id: 1,
        duplicate: { delivered: false },
      });
      assert.equal(await store.lastId(), 1);
      assert.equal((await store.read(1, 10)).length, 1);
      assert.equal((await store.deliveryStats("webhook")).pending, 1);
      // A different key, or none, is a new event.
      const [other] = await store.append([event(2)], once("k2"));
      const [unkeyed] = await store.append([event(3)], once(undefined));
      assert.deepEqual([other.id, unkeyed.id], [2, 3]);
      assert.equal(other.duplicate, undefined);
    },
  },
  {
    name:
      "a duplicate says delivered once the first copy's delivery is settled delivered, not while it is dead",
    async run({ store }) {
      await store.append([event(1, { conversation: "x" })], once("k1"));
      await store.append([event(2, { conversation: "y" })], once("k2"));
      await store.claimDeliveries("webhook", CLAIM);
      await store.settleDelivery("webhook", 1, {
        outcome: "delivered",
        at: 2_100,
      });
      await store.settleDelivery("webhook", 2, {
        outcome: "dead",
        error: { at: 2_100, status: 400, reason: "HTTP 400" },
      });
      const [one] = await store.append([event(1)], once("k1"));
      const [two] = await store.append([event(2)], once("k2"));
      assert.deepEqual(one.duplicate, { delivered: true });
      assert.deepEqual(two.duplicate, { delivered: false });
    },
  },
  {
    name:
      "the same key twice in one append is stored once; the repeat names the first",
    async run({ store }) {
      const appended = await store.append([event(1), event(1), event(2)], {
        ...HOOK,
        dedupe: { keys: ["k", "k", "j"], since: 0 },
      });
      assert.deepEqual(appended.map((e) => e.id), [1, 1, 2]);
      assert.deepEqual(appended.map((e) => e.duplicate), [
        undefined,
        { delivered: false },
        undefined,
      ]);
      assert.equal(await store.lastId(), 2);
    },
  },
  {
    name:
      "a key recorded before since, or pruned, no longer counts; without dedupe nothing is compared",
    async run({ store }) {
      await store.append([event(1)], once("k")); // received at 1001
      const [late] = await store.append(
        [{ ...event(1), receivedAt: 9_000 }],
        once("k", 1_002),
      );
      assert.deepEqual([late.id, late.duplicate], [2, undefined]);
      // The newer copy is now the one a re-send repeats.
      const [repeat] = await store.append([event(1)], once("k", 1_002));
      assert.equal(repeat.id, 2);
      const [plain] = await store.append([event(1)], HOOK);
      assert.deepEqual([plain.id, plain.duplicate], [3, undefined]);
      await store.prune(9_001);
      const [afterPrune] = await store.append([event(1)], once("k"));
      assert.deepEqual([afterPrune.id, afterPrune.duplicate], [4, undefined]);
    },
  },
  {
    name: "de-duplication keys survive a reopen",
    async run({ store, reopen }) {
      if (!reopen) return;
      await store.append([event(1)], once("k"));
      await using again = await reopen();
      const [repeat] = await again.append([event(1)], once("k"));
      assert.deepEqual([repeat.id, repeat.duplicate], [1, {
        delivered: false,
      }]);
      assert.equal(await again.lastId(), 1);
    },
  },
];
