// createPruner() and observeAcknowledgements(): when acknowledged events go, and when old ones do.

import assert from "node:assert/strict";
import { createMemoryStore } from "../../src/store/memory.ts";
import { createPruner } from "../../src/store/pruning.ts";
import { observeAcknowledgements } from "../../src/store/observed.ts";
import type { AckScope, EventStore } from "../../src/store/types.ts";
import { SteppedTimers } from "../support/manual_timers.ts";
import { event } from "./conformance_cases.ts";

/** Lets pending promise chains (store calls) run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

async function ids(store: EventStore): Promise<number[]> {
  return (await store.read(0, 100)).map((e) => e.id);
}

function setUp(untilFirstPull = true) {
  const store = createMemoryStore();
  const timers = new SteppedTimers();
  const pruner = createPruner({
    store,
    retentionMs: 4_500,
    untilFirstPull,
    now: () => 5_000,
    timers,
    ackDelayMs: 1_000,
    sweepMs: 600_000,
    batch: 2,
  });
  const observed = observeAcknowledgements(store, pruner.nudge);
  return { store, timers, pruner, observed };
}

Deno.test("createPruner(): an acknowledgement prunes after the delay, in batches, not before", async () => {
  const { store, timers, pruner, observed } = setUp();
  await store.append([1, 2, 3, 4, 5].map((n) => event(n)));
  pruner.start();
  await settle();
  assert.deepEqual(await ids(store), [1, 2, 3, 4, 5], "no consumer yet");
  await observed.setCursor("pull:a", 5);
  await observed.setCursor("pull:b", 6);
  timers.advance(999);
  await settle();
  assert.equal(await store.countEvents(), 5, "not before the delay");
  timers.advance(1);
  await settle();
  assert.deepEqual(await ids(store), [5], "two batches of 2");
  await pruner.stop();
});

Deno.test("createPruner(): the start sweep deletes events past retention, acknowledged or not", async () => {
  const { store, pruner } = setUp();
  await store.append([event(1, { receivedAt: 100 }), event(2)]);
  await store.setCursor("pull:a", 0);
  pruner.start();
  await pruner.sweep();
  assert.deepEqual(await ids(store), [2]);
  await pruner.stop();
});

Deno.test("createPruner(): with only push consumers, a settled delivery's event goes", async () => {
  const { store, timers, pruner, observed } = setUp(false);
  await store.append([event(1), event(2)], { deliverTo: ["webhook"] });
  pruner.start();
  await settle();
  assert.equal(await store.countEvents(), 2, "both pending");
  await observed.settleDelivery("webhook", 1, { outcome: "delivered", at: 1 });
  timers.advance(1_000);
  await settle();
  assert.deepEqual(await ids(store), [2]);
  await pruner.stop();
});

Deno.test("createPruner(): events kept for pending deliveries are not examined again until one is delivered; the sweep starts over", async () => {
  const store = createMemoryStore();
  const afters: number[] = [];
  const spied: EventStore = {
    ...observeAcknowledgements(store, () => {}),
    pruneAcknowledged: (scope: AckScope) => {
      afters.push(scope.afterId ?? 0);
      return store.pruneAcknowledged(scope);
    },
  };
  const timers = new SteppedTimers();
  const pruner = createPruner({
    store: spied,
    retentionMs: 4_500,
    untilFirstPull: false,
    now: () => 5_000,
    timers,
    batch: 2,
  });
  const observed = observeAcknowledgements(store, pruner.nudge);
  // An outage: three pending deliveries.
  await store.append([1, 2, 3].map((n) => event(n)), {
    deliverTo: ["webhook"],
  });
  pruner.start();
  await settle();
  assert.deepEqual(afters, [0, 2], "the start sweep examines everything");
  afters.length = 0;
  await store.append([event(4)]); // needs no delivery
  pruner.nudge();
  timers.advance(1_000);
  await settle();
  assert.deepEqual(afters, [3], "starts above the kept deliveries");
  assert.deepEqual(await ids(store), [1, 2, 3]);
  afters.length = 0;
  await observed.settleDelivery("webhook", 2, { outcome: "delivered", at: 1 });
  timers.advance(1_000);
  await settle();
  assert.deepEqual(afters, [1, 3], "from the delivered one on");
  assert.deepEqual(await ids(store), [1, 3]);
  await pruner.stop();
});

Deno.test("createPruner(): nudges before start and after stop do nothing", async () => {
  const { store, timers, pruner, observed } = setUp();
  await store.append([event(1)]);
  await observed.setCursor("pull:a", 2);
  assert.equal(timers.pending, 0);
  pruner.start();
  await pruner.stop();
  await observed.setCursor("pull:a", 3);
  assert.equal(timers.pending, 0);
});

Deno.test("observeAcknowledgements(): reports cursor moves, forgets and settlements, nothing else", async () => {
  const store = createMemoryStore();
  const seen: string[] = [];
  let step = "";
  const observed = observeAcknowledgements(store, () => seen.push(step));
  const calls: [string, () => Promise<unknown>][] = [
    ["append", () => observed.append([event(1)], { deliverTo: ["webhook"] })],
    ["read", () => observed.read(1, 10)],
    ["setCursor", () => observed.setCursor("pull:a", 1)],
    ["deleteCursor", () => observed.deleteCursor("pull:a")],
    [
      "settle",
      () =>
        observed.settleDelivery("webhook", 1, { outcome: "delivered", at: 1 }),
    ],
    ["count", () => observed.countEvents()],
  ];
  for (const [name, call] of calls) {
    step = name;
    await call();
  }
  assert.deepEqual(seen, ["setCursor", "deleteCursor", "settle"]);
  assert.equal(observed.kind, "memory");
  await observed.close();
  await assert.rejects(() => store.lastId());
});
