// EventStore conformance: what a durable back-end keeps across close and reopen (skipped for memory).

import assert from "node:assert/strict";
import type { StoreCase } from "./conformance_cases.ts";
import { event } from "./conformance_cases.ts";

/** The durability cases; they pass trivially for back-ends without `reopen`. */
export const durabilityCases: readonly StoreCase[] = [
  {
    name: "events, deliveries, cursors and settings survive a reopen",
    async run({ store, reopen }) {
      if (!reopen) return;
      await store.append([event(1), event(2)], { deliverTo: ["webhook"] });
      await store.claimDeliveries("webhook", {
        now: 2_000,
        limit: 10,
        owner: "a",
        leaseMs: 60_000,
      });
      await store.setCursor("pull", 2);
      await store.setSetting("webhook", "paused", "yes");
      await using again = await reopen();
      assert.equal(await again.lastId(), 2);
      assert.deepEqual(await again.read(1, 10), [
        { ...event(1), id: 1 },
        { ...event(2), id: 2 },
      ]);
      assert.equal(await again.getCursor("pull"), 2);
      assert.equal(await again.getSetting("webhook", "paused"), "yes");
      assert.equal((await again.deliveryStats("webhook")).pending, 2);
      const claimed = await again.claimDeliveries("webhook", {
        now: 2_001,
        limit: 10,
        owner: "a",
        leaseMs: 1_000,
      });
      assert.deepEqual(claimed.map((d) => d.event.id), [1, 2]);
    },
  },
  {
    name: "ids keep growing after a reopen, even when everything was pruned",
    async run({ store, reopen }) {
      if (!reopen) return;
      await store.append([event(1), event(2)]);
      await store.prune(Number.MAX_SAFE_INTEGER);
      await using again = await reopen();
      assert.equal(await again.lastId(), 2);
      const [next] = await again.append([event(3)]);
      assert.equal(next.id, 3);
    },
  },
];
