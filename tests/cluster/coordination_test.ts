// Instance coordination on a real PostgreSQL: the stream lease, heartbeats, the outbox (SKIP LOCKED claims) and iq reply handover.

import assert from "node:assert/strict";
import {
  type Coordination,
  migrateCluster,
  pgCoordination,
} from "../../src/cluster/coordination.ts";
import {
  connectPostgres,
  type PgClient,
} from "../../src/store/postgres_client.ts";
import { Postgres, postgresTest } from "../support/postgres.ts";

const DOMAIN = "gw.localhost";

async function instances(pg: Postgres, ids: readonly string[]) {
  const url = await pg.createDatabase("coord");
  const clients: PgClient[] = ids.map(() => connectPostgres(url, { max: 3 }));
  await migrateCluster(clients[0]);
  const coordinations: Coordination[] = ids.map((id, i) =>
    pgCoordination(clients[i], DOMAIN, id)
  );
  return {
    coordinations,
    async [Symbol.asyncDispose]() {
      await Promise.all(clients.map((c) => c.end(1)));
    },
  };
}

const beat = (leaseMs: number, online = true) => ({
  role: "standby",
  online,
  wantLease: true,
  leaseMs,
});

postgresTest("instance coordination on PostgreSQL", async (t) => {
  await using pg = await Postgres.start();

  await t.step(
    "one instance holds the lease; others get it only after it expires or is released",
    async () => {
      await using set = await instances(pg, ["a", "b"]);
      const [a, b] = set.coordinations;
      // Long leases while checking who holds it (a loaded machine may take
      // longer than a short lease between two heartbeats), then a short one
      // to let it expire.
      assert.equal((await a.heartbeat(beat(10_000))).holdsLease, true);
      const seenByB = await b.heartbeat(beat(10_000));
      assert.equal(seenByB.holdsLease, false);
      assert.equal(seenByB.holder, "a");
      assert.equal(seenByB.othersOnline, 1);
      assert.deepEqual(seenByB.peers.map((p) => p.id), ["a"]);
      assert.equal((await a.heartbeat(beat(400))).holdsLease, true, "renewed");
      await new Promise((resolve) => setTimeout(resolve, 500));
      const taken = await b.heartbeat(beat(60_000));
      assert.equal(taken.holdsLease, true, "expired lease taken over");
      assert.equal(taken.holder, "b");
      assert.equal((await a.heartbeat(beat(60_000))).holdsLease, false);
      await b.releaseLease();
      assert.equal((await a.heartbeat(beat(60_000))).holdsLease, true);
    },
  );

  await t.step(
    "an instance restarted under the same id shows as a new incarnation",
    async () => {
      await using set = await instances(pg, ["a", "a", "b"]);
      const [first, restarted, b] = set.coordinations;
      await first.heartbeat(beat(60_000));
      const before = (await b.heartbeat(beat(60_000))).peers;
      await restarted.heartbeat(beat(60_000));
      const after = (await b.heartbeat(beat(60_000))).peers;
      assert.deepEqual(before.map((p) => p.id), ["a"]);
      assert.deepEqual(after.map((p) => p.id), ["a"]);
      assert.notEqual(after[0].incarnation, before[0].incarnation);
    },
  );

  await t.step(
    "an instance whose stream is not online yet is a peer, not counted online",
    async () => {
      await using set = await instances(pg, ["a", "b"]);
      const [a, b] = set.coordinations;
      await a.heartbeat({ ...beat(60_000, false), wantLease: false });
      const connecting = await b.heartbeat(beat(60_000));
      assert.equal(connecting.othersOnline, 0);
      assert.deepEqual(
        connecting.peers.map((p) => [p.id, p.online]),
        [["a", false]],
      );
      await a.heartbeat({ ...beat(60_000, true), wantLease: false });
      const online = await b.heartbeat(beat(60_000));
      assert.equal(online.othersOnline, 1);
      assert.deepEqual(online.peers.map((p) => [p.id, p.online]), [[
        "a",
        true,
      ]]);
    },
  );

  await t.step(
    "outbox claims are exclusive, in order, and sent stanzas are removed",
    async () => {
      await using set = await instances(pg, ["a", "b"]);
      const [a, b] = set.coordinations;
      for (let i = 1; i <= 5; i++) await b.enqueue(`<message id="m${i}"/>`);
      const [first, second] = await Promise.all([
        a.claimOutbox(3, 60_000),
        b.claimOutbox(3, 60_000),
      ]);
      const all = [...first, ...second].map((item) => item.stanza).sort();
      assert.deepEqual(
        all,
        [1, 2, 3, 4, 5].map((i) => `<message id="m${i}"/>`),
      );
      for (const batch of [first, second]) {
        const ids = batch.map((item) => item.id);
        assert.deepEqual(ids, [...ids].sort((x, y) => x - y));
      }
      await a.finishOutbox(first.map((item) => item.id));
      await b.finishOutbox(second.map((item) => item.id));
      assert.deepEqual(await a.claimOutbox(10, 60_000), []);
    },
  );

  await t.step(
    "an expired outbox claim is claimed again (at least once)",
    async () => {
      await using set = await instances(pg, ["a", "b"]);
      const [a, b] = set.coordinations;
      await a.enqueue(`<message id="x"/>`);
      assert.equal((await a.claimOutbox(10, 200)).length, 1);
      assert.equal((await b.claimOutbox(10, 200)).length, 0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await b.claimOutbox(10, 200)).length, 1);
    },
  );

  await t.step(
    "a handed-over reply is announced to the others and removed once taken",
    async () => {
      await using set = await instances(pg, ["a", "b"]);
      const [a, b] = set.coordinations;
      const announced = Promise.withResolvers<{ id: number }>();
      const stop = await b.subscribe({
        onOutbox: () => {},
        onHandover: (item) => announced.resolve(item),
        onRelease: () => {},
      });
      await a.handOver(`<iq type="result" id="q1"/>`);
      const item = await announced.promise;
      const id = item.id;
      assert.deepEqual(item, { id, stanza: `<iq type="result" id="q1"/>` });
      const items = await b.readHandover(0);
      assert.deepEqual(items, [{ id, stanza: `<iq type="result" id="q1"/>` }]);
      await b.takeHandover(id);
      assert.deepEqual(await a.readHandover(0), []);
      await stop();
    },
  );
});
