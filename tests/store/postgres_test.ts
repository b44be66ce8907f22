// The store conformance suite over the PostgreSQL back-end (a real server from tests/support/postgres.ts, a fresh database per case), plus PostgreSQL specifics.

import { openPostgresStore } from "../../src/store/postgres.ts";
import {
  connectPostgres,
  type PgClient,
} from "../../src/store/postgres_client.ts";
import { Postgres, postgresTest } from "../support/postgres.ts";
import { event, storeCases } from "./conformance_cases.ts";
import assert from "node:assert/strict";
import { StoreError } from "../../src/store/types.ts";

postgresTest("EventStore conformance over PostgreSQL", async (t) => {
  await using pg = await Postgres.start();
  for (const c of storeCases) {
    await t.step(c.name, async () => {
      const url = await pg.createDatabase();
      const clients: PgClient[] = [];
      const open = async () => {
        const client = connectPostgres(url, { max: 2 });
        clients.push(client);
        return await openPostgresStore(client);
      };
      let current = await open();
      await c.run({
        get store() {
          return current;
        },
        async reopen() {
          await current.close();
          current = await open();
          return current;
        },
        async [Symbol.asyncDispose]() {
          await current.close();
        },
      });
      await current.close();
      await Promise.all(clients.map((client) => client.end(1)));
    });
  }
});

/** Two stores on one fresh database, as two instances have them. */
async function twoInstances(pg: Postgres) {
  const url = await pg.createDatabase("pair");
  const clients = [
    connectPostgres(url, { max: 4 }),
    connectPostgres(url, {
      max: 4,
    }),
  ];
  const stores = await Promise.all(clients.map(openPostgresStore));
  return {
    stores,
    async [Symbol.asyncDispose]() {
      for (const store of stores) await store.close();
      await Promise.all(clients.map((client) => client.end(1)));
    },
  };
}

postgresTest("PostgreSQL store shared by several instances", async (t) => {
  await using pg = await Postgres.start();

  await t.step(
    "concurrent appends get distinct ids with no gaps, in commit order",
    async () => {
      await using pair = await twoInstances(pg);
      const batches = await Promise.all(
        Array.from(
          { length: 20 },
          (_, i) => pair.stores[i % 2].append([event(2 * i), event(2 * i + 1)]),
        ),
      );
      const ids = batches.flat().map((e) => e.id).sort((a, b) => a - b);
      assert.deepEqual(ids, Array.from({ length: 40 }, (_, i) => i + 1));
      assert.equal(await pair.stores[1].lastId(), 40);
      for (const batch of batches) {
        assert.equal(batch[1].id, batch[0].id + 1, "a batch is contiguous");
      }
    },
  );

  await t.step("watch() hears another instance's appends", async () => {
    await using pair = await twoInstances(pg);
    const heard = Promise.withResolvers<number>();
    const off = pair.stores[0].watch((id) => heard.resolve(id));
    await pair.stores[1].append([event(1), event(2)]);
    const id = await Promise.race([
      heard.promise,
      new Promise<number>((_, reject) =>
        setTimeout(() => reject(new Error("no notification")), 5_000)
      ),
    ]);
    off();
    assert.equal(id, 2);
  });

  await t.step(
    "concurrent claims by two instances never hand out one delivery twice",
    async () => {
      await using pair = await twoInstances(pg);
      const events = Array.from(
        { length: 60 },
        (_, i) => event(i, { conversation: `c${i}` }),
      );
      await pair.stores[0].append(events, { deliverTo: ["webhook"] });
      const claims = await Promise.all(
        Array.from(
          { length: 12 },
          (_, i) =>
            pair.stores[i % 2].claimDeliveries("webhook", {
              now: 5_000,
              limit: 10,
              owner: `instance-${i}`,
              leaseMs: 60_000,
            }),
        ),
      );
      const ids = claims.flat().map((d) => d.event.id);
      assert.equal(new Set(ids).size, ids.length, "no delivery claimed twice");
      assert.equal(ids.length, 60, "every delivery claimed once");
    },
  );

  await t.step(
    "pruning on both instances while they append and acknowledge never removes an unacknowledged event",
    async () => {
      await using pair = await twoInstances(pg);
      const scope = { untilFirstPull: true, limit: 7 };
      await pair.stores[0].setCursor("slow", 0);
      const work = Array.from({ length: 20 }, async (_, i) => {
        const store = pair.stores[i % 2];
        await store.append([event(3 * i), event(3 * i + 1), event(3 * i + 2)]);
        await store.setCursor("fast", 3 * i + 4);
        await Promise.all([
          pair.stores[0].pruneAcknowledged(scope),
          pair.stores[1].pruneAcknowledged(scope),
        ]);
        if (i % 4 === 3) await store.setCursor("slow", 3 * i);
      });
      await Promise.all(work);
      const kept = (await pair.stores[0].read(0, 100)).map((e) => e.id);
      const slow = await pair.stores[0].getCursor("slow");
      assert.ok(
        kept.length > 0 && kept[0] <= slow,
        `kept ${kept[0]}.. with the slow cursor at ${slow}`,
      );
      assert.deepEqual(
        kept,
        Array.from({ length: 60 - kept[0] + 1 }, (_, i) => kept[0] + i),
        "everything from the first kept event on is there",
      );
      let more = 1;
      while (more > 0) {
        more = (await Promise.all(
          pair.stores.map((store) => store.pruneAcknowledged(scope)),
        )).reduce((a, b) => a + b.deleted, 0);
      }
      assert.equal(
        (await pair.stores[1].read(0, 100))[0].id,
        Math.min(slow, 61),
        "everything below both cursors went",
      );
    },
  );

  await t.step(
    "while PostgreSQL restarts calls reject with StoreError; then the same store works again",
    async () => {
      await using pair = await twoInstances(pg);
      const [store] = pair.stores;
      await store.append([event(1)]);
      await pg.stop();
      await assert.rejects(() => store.append([event(2)]), StoreError);
      await pg.start();
      let stored: readonly { id: number }[] = [];
      for (let i = 0; i < 50 && stored.length === 0; i++) {
        stored = await store.append([event(2)]).catch(async () => {
          await new Promise((r) => setTimeout(r, 100));
          return [];
        });
      }
      assert.deepEqual(stored.map((e) => e.id), [2]);
      assert.deepEqual((await store.read(1, 10)).map((e) => e.id), [1, 2]);
    },
  );
});
