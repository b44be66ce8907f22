// EventStore conformance: one set of cases, run unchanged over every back-end (memory, SQLite, PostgreSQL).
//
// To add a back-end, write a `<name>_test.ts` that calls
// `defineStoreConformance("<name>", factory)` with a factory giving a fresh,
// empty store (and, for a durable back-end, `reopen` giving a second store
// over the same data).

import assert from "node:assert/strict";
import {
  type EventStore,
  type NewEvent,
  StoreError,
} from "../../src/store/types.ts";
import { durabilityCases } from "./conformance_durable_cases.ts";
import { idempotencyCases } from "./conformance_idempotency_cases.ts";
import { deliveryCases } from "./conformance_delivery_cases.ts";
import { pruneCases } from "./conformance_prune_cases.ts";
import { dedupeCases } from "./conformance_dedupe_cases.ts";

/** A fresh, empty store of one back-end, disposed after the case. */
export interface StoreFixture extends AsyncDisposable {
  /** The store under test. */
  readonly store: EventStore;
  /** Closes `store` and opens the same data again (durable back-ends only). */
  readonly reopen?: () => Promise<EventStore>;
}

/** Makes a fresh fixture. */
export type StoreFactory = () => Promise<StoreFixture>;

/** One conformance case. */
export interface StoreCase {
  /** What it checks. */
  readonly name: string;
  /** Runs the check (throws on failure). */
  run(fixture: StoreFixture): Promise<void>;
}

/** Builds a NewEvent with defaults; `n` makes it distinct. */
export function event(n: number, fields: Partial<NewEvent> = {}): NewEvent {
  return {
    receivedAt: 1_000 + n,
    kind: "message",
    from: `user${n}@example.net/r`,
    to: "gw.example.net",
    conversation: `user${n}@example.net gw.example.net`,
    stanza: `<message id="m${n}"><body>${n}</body></message>`,
    ...fields,
  };
}

const logCases: readonly StoreCase[] = [
  {
    name: "append() gives ids from 1 in order and read() returns them",
    async run({ store }) {
      assert.deepEqual(await store.lastId(), 0);
      const stored = await store.append([event(1), event(2), event(3)]);
      assert.deepEqual(stored.map((e) => e.id), [1, 2, 3]);
      assert.deepEqual(stored[1], { ...event(2), id: 2 });
      assert.deepEqual(await store.read(1, 10), stored);
      assert.deepEqual((await store.read(2, 1)).map((e) => e.id), [2]);
      assert.deepEqual(await store.read(4, 10), []);
      assert.deepEqual(await store.lastId(), 3);
    },
  },
  {
    name: "append() of nothing appends nothing",
    async run({ store }) {
      assert.deepEqual(await store.append([]), []);
      assert.deepEqual(await store.lastId(), 0);
    },
  },
  {
    name: "a stanza keeps every character (XML, quotes, non-ASCII)",
    async run({ store }) {
      const stanza =
        `<message xml:lang='de'><body>"Grüße" &amp; 😀 ' \n</body></message>`;
      await store.append([event(1, { stanza, from: "ü@x/ä", to: "" })]);
      const [read] = await store.read(1, 1);
      assert.deepEqual(read.stanza, stanza);
      assert.deepEqual(read.from, "ü@x/ä");
      assert.deepEqual(read.to, "");
    },
  },
  {
    name: "watch() is told the last id after each append, until unsubscribed",
    async run({ store }) {
      const seen: number[] = [];
      const off = store.watch((id) => seen.push(id));
      await store.append([event(1), event(2)]);
      await store.append([event(3)]);
      off();
      await store.append([event(4)]);
      assert.deepEqual(seen, [2, 3]);
    },
  },
  {
    name: "cursors start at 0 and only move forward",
    async run({ store }) {
      assert.deepEqual(await store.getCursor("pull"), 0);
      await store.setCursor("pull", 5);
      await store.setCursor("pull", 3);
      assert.deepEqual(await store.getCursor("pull"), 5);
      assert.deepEqual(await store.getCursor("other"), 0);
    },
  },
  {
    name: "settings are per consumer and removed with undefined",
    async run({ store }) {
      assert.deepEqual(await store.getSetting("webhook", "paused"), undefined);
      await store.setSetting("webhook", "paused", "410 at 5");
      await store.setSetting("webhook", "paused", "410 at 6");
      assert.deepEqual(await store.getSetting("webhook", "paused"), "410 at 6");
      assert.deepEqual(await store.getSetting("other", "paused"), undefined);
      await store.setSetting("webhook", "paused", undefined);
      assert.deepEqual(await store.getSetting("webhook", "paused"), undefined);
    },
  },
  {
    name: "prune() deletes old events with their deliveries; ids keep growing",
    async run({ store }) {
      await store.append([event(1), event(2), event(3)], {
        deliverTo: ["webhook"],
      });
      assert.deepEqual(await store.prune(1_003), 2);
      assert.deepEqual((await store.read(0, 10)).map((e) => e.id), [3]);
      assert.deepEqual((await store.deliveryStats("webhook")).pending, 1);
      assert.deepEqual(await store.lastId(), 3);
      const [next] = await store.append([event(4)]);
      assert.deepEqual(next.id, 4);
    },
  },
  {
    name: "a closed store rejects with StoreError",
    async run({ store }) {
      await store.close();
      await assert.rejects(() => store.lastId(), StoreError);
      await assert.rejects(() => store.append([event(1)]), StoreError);
    },
  },
];

/** Every case, in the order they run. */
export const storeCases: readonly StoreCase[] = [
  ...logCases,
  ...deliveryCases,
  ...idempotencyCases,
  ...durabilityCases,
  ...pruneCases,
  ...dedupeCases,
];

/** Registers one Deno test running every case, each on a fresh store from `factory`. */
export function defineStoreConformance(
  name: string,
  factory: StoreFactory,
): void {
  Deno.test(`EventStore conformance over ${name}`, async (t) => {
    for (const c of storeCases) {
      await t.step(c.name, async () => {
        await using fixture = await factory();
        await c.run(fixture);
      });
    }
  });
}
