// EventStore conformance: cursors as consumers and pruning of what every consumer is done with (README "What is kept, and for how long").

import assert from "node:assert/strict";
import type { AckScope, EventStore } from "../../src/store/types.ts";
import type { StoreCase } from "./conformance_cases.ts";
import { event } from "./conformance_cases.ts";

const PULL: AckScope = { untilFirstPull: true, limit: 1000 };
const PUSH_ONLY: AckScope = { untilFirstPull: false, limit: 1000 };

async function ids(store: EventStore): Promise<number[]> {
  return (await store.read(0, 1000)).map((e) => e.id);
}

async function appendN(store: EventStore, n: number, deliverTo?: string[]) {
  return await store.append(
    Array.from({ length: n }, (_, i) => event(i + 1)),
    deliverTo ? { deliverTo } : {},
  );
}

/** Which events survive pruneAcknowledged() for a set of cursors (no deliveries). */
const cursorTable: readonly {
  readonly name: string;
  readonly cursors: Readonly<Record<string, number>>;
  readonly scope: AckScope;
  readonly kept: readonly number[];
}[] = [
  {
    name: "no cursor while pull consumers are expected: everything is kept",
    cursors: {},
    scope: PULL,
    kept: [1, 2, 3, 4, 5],
  },
  {
    name: "no cursor, push consumers only: events without deliveries go",
    cursors: {},
    scope: PUSH_ONLY,
    kept: [],
  },
  {
    name: "a consumer that pulled but acknowledged nothing keeps everything",
    cursors: { a: 0 },
    scope: PUSH_ONLY,
    kept: [1, 2, 3, 4, 5],
  },
  {
    name: "one cursor: events below it go",
    cursors: { a: 4 },
    scope: PULL,
    kept: [4, 5],
  },
  {
    name: "two cursors: only events below the lower one go",
    cursors: { a: 6, b: 3 },
    scope: PULL,
    kept: [3, 4, 5],
  },
  {
    name: "both consumers past every event: all go",
    cursors: { a: 6, b: 6 },
    scope: PULL,
    kept: [],
  },
];

/** Cursor, pruning and counting cases. */
export const pruneCases: readonly StoreCase[] = [
  ...cursorTable.map((row): StoreCase => ({
    name: `pruneAcknowledged(): ${row.name}`,
    async run({ store }) {
      await appendN(store, 5);
      for (const [name, offset] of Object.entries(row.cursors)) {
        await store.setCursor(name, offset);
      }
      const { deleted, complete } = await store.pruneAcknowledged(row.scope);
      assert.deepEqual(await ids(store), row.kept);
      assert.equal(deleted, 5 - row.kept.length);
      assert.equal(complete, true);
      assert.equal(await store.countEvents(), row.kept.length);
      assert.equal(await store.lastId(), 5, "ids never go back");
    },
  })),
  {
    name:
      "pruneAcknowledged(): pending and dead deliveries keep their events; delivered ones do not",
    async run({ store }) {
      await appendN(store, 4, ["webhook"]);
      const claim = { now: 5_000, limit: 10, owner: "i", leaseMs: 1000 };
      // Distinct conversations: all four are claimable at once.
      assert.equal((await store.claimDeliveries("webhook", claim)).length, 4);
      await store.settleDelivery("webhook", 1, {
        outcome: "delivered",
        at: 5_001,
      });
      await store.settleDelivery("webhook", 2, {
        outcome: "dead",
        error: { at: 5_001, status: 400, reason: "HTTP 400" },
      });
      await store.settleDelivery("webhook", 3, {
        outcome: "retry",
        dueAt: 9_000,
        error: { at: 5_001, reason: "timed out" },
      });
      await store.setCursor("a", 10);
      assert.deepEqual(await store.pruneAcknowledged(PUSH_ONLY), {
        deleted: 1,
        examinedTo: 4,
        complete: true,
      });
      assert.deepEqual(await ids(store), [2, 3, 4]);
      const [letter] = await store.listDeadLetters("webhook", { limit: 10 });
      assert.equal(letter.event.id, 2, "a dead letter stays listable");
      assert.equal(await store.redeliver("webhook", { ids: [2] }, 6_000), 1);
      assert.equal((await store.pruneAcknowledged(PUSH_ONLY)).deleted, 0);
      assert.deepEqual(await ids(store), [2, 3, 4]);
    },
  },
  {
    name:
      "pruneAcknowledged(): examines at most `limit` events above `afterId`, oldest first",
    async run({ store }) {
      await appendN(store, 2, ["webhook"]);
      await store.append([event(3), event(4), event(5)]);
      const scope = { ...PUSH_ONLY, limit: 2 };
      // 1 and 2 are kept for their deliveries: examined, not deleted.
      assert.deepEqual(await store.pruneAcknowledged(scope), {
        deleted: 0,
        examinedTo: 2,
        complete: false,
      });
      assert.deepEqual(
        await store.pruneAcknowledged({ ...scope, afterId: 2 }),
        { deleted: 2, examinedTo: 4, complete: false },
      );
      assert.deepEqual(
        await store.pruneAcknowledged({ ...scope, afterId: 4 }),
        { deleted: 1, examinedTo: 5, complete: true },
      );
      assert.deepEqual(
        await store.pruneAcknowledged({ ...scope, afterId: 5 }),
        { deleted: 0, examinedTo: 0, complete: true },
      );
      assert.deepEqual(await ids(store), [1, 2]);
    },
  },
  {
    name:
      "pruneAcknowledged(): events at or above the lowest cursor are not examined",
    async run({ store }) {
      await appendN(store, 5);
      await store.setCursor("a", 3);
      assert.deepEqual(await store.pruneAcknowledged(PULL), {
        deleted: 2,
        examinedTo: 2,
        complete: true,
      });
    },
  },
  {
    name: "a forgotten cursor no longer keeps events",
    async run({ store }) {
      await appendN(store, 3);
      await store.setCursor("fast", 4);
      await store.setCursor("gone", 1);
      assert.equal((await store.pruneAcknowledged(PULL)).deleted, 0);
      assert.equal(await store.deleteCursor("gone"), true);
      assert.equal(await store.deleteCursor("gone"), false);
      assert.equal((await store.pruneAcknowledged(PULL)).deleted, 3);
      assert.equal(await store.countEvents(), 0);
    },
  },
  {
    name: "setCursor() at 0 creates the cursor; listCursors() lists by name",
    async run({ store }) {
      assert.deepEqual(await store.listCursors(), []);
      await store.setCursor("pull:b", 0);
      await store.setCursor("pull:a", 7);
      await store.setCursor("pull:b", 3);
      assert.deepEqual(await store.listCursors(), [
        { consumer: "pull:a", offset: 7 },
        { consumer: "pull:b", offset: 3 },
      ]);
    },
  },
  {
    name: "listCursors() orders names by their bytes: upper case first",
    async run({ store }) {
      for (const name of ["pull:b", "pull:B", "pull:a", "pull:Z"]) {
        await store.setCursor(name, 1);
      }
      assert.deepEqual(
        (await store.listCursors()).map((c) => c.consumer),
        ["pull:B", "pull:Z", "pull:a", "pull:b"],
      );
    },
  },
  {
    name: "appending after everything was pruned goes on from the last id",
    async run({ store }) {
      await appendN(store, 3);
      await store.setCursor("a", 4);
      await store.pruneAcknowledged(PULL);
      const [next] = await store.append([event(9)]);
      assert.equal(next.id, 4);
      assert.deepEqual(await ids(store), [4]);
    },
  },
];
