// What instances share besides the event store (README "Running several instances"): the stream lease, heartbeats, the outbox and iq reply handover; the PostgreSQL implementation.

import type { PgClient } from "../store/postgres_client.ts";
import { StoreError } from "../store/types.ts";
import {
  CLUSTER_SCHEMA,
  DB_NOW_MS,
  HANDOVER_CHANNEL,
  LEASE_CHANNEL,
  OUTBOX_CHANNEL,
} from "./schema.ts";
import { applySchema } from "../store/postgres_schema.ts";

/** What an instance learns on each heartbeat. */
export interface ClusterView {
  /** True when this instance holds the stream lease (after this call). */
  readonly holdsLease: boolean;
  /** Other instances whose stream is online and whose heartbeat is live. */
  readonly othersOnline: number;
  /** Every other instance with a live heartbeat, its stream online or not. */
  readonly peers: readonly Peer[];
  /** The instance holding a live stream lease, if any (mode `lease`). */
  readonly holder?: string;
}

/** Another instance with a live heartbeat. */
export interface Peer {
  /** Its instance id (`--instance-id`). */
  readonly id: string;
  /**
   * Random per process start: an instance restarted under the same id
   * within the heartbeat expiry is a new incarnation, and whatever its
   * killed predecessor's stream held is lost all the same.
   */
  readonly incarnation: string;
  /** True while its stream is online (as of its last heartbeat). */
  readonly online: boolean;
}

/** A stanza waiting in the outbox. */
export interface OutboxItem {
  /** Row id (delete it with {@linkcode Coordination.finishOutbox}). */
  readonly id: number;
  /** The stanza as XML (`jabber:client`). */
  readonly stanza: string;
}

/** A handed-over iq reply. */
export interface HandoverItem {
  /** Row id. */
  readonly id: number;
  /** The reply as XML (`jabber:client`). */
  readonly stanza: string;
}

/** Room for a reply in a NOTIFY payload (PostgreSQL's limit is 8000 bytes). */
const NOTIFY_LIMIT = 7_900;

/** Shared coordination of the instances of one component domain. */
export interface Coordination {
  /**
   * Writes this instance's heartbeat (role, stream online) and, when
   * `wantLease`, takes or renews the stream lease for `leaseMs`.
   */
  heartbeat(options: {
    readonly role: string;
    readonly online: boolean;
    readonly wantLease: boolean;
    readonly leaseMs: number;
  }): Promise<ClusterView>;
  /** Gives the lease up at once (another instance may connect right away). */
  releaseLease(): Promise<void>;
  /** Queues a stanza for whichever instance has the stream. */
  enqueue(stanza: string): Promise<void>;
  /** Claims up to `limit` queued stanzas, oldest first, for `claimMs`. */
  claimOutbox(limit: number, claimMs: number): Promise<readonly OutboxItem[]>;
  /** Removes sent stanzas from the outbox. */
  finishOutbox(ids: readonly number[]): Promise<void>;
  /** Publishes an iq reply that no local request was waiting for. */
  handOver(stanza: string): Promise<void>;
  /** Handed-over replies newer than `afterId`, oldest first. */
  readHandover(afterId: number): Promise<readonly HandoverItem[]>;
  /** Removes a handed-over reply once its request took it. */
  takeHandover(id: number): Promise<void>;
  /** Deletes handed-over replies older than `maxAgeMs`. */
  pruneHandover(maxAgeMs: number): Promise<void>;
  /**
   * Calls `onOutbox` when stanzas are queued, `onHandover` when a reply is
   * handed over (with the reply when it fits in the notification), and
   * `onRelease` when the lease is released.
   */
  subscribe(listeners: {
    readonly onOutbox: () => void;
    readonly onHandover: (item: HandoverItem | { readonly id: number }) => void;
    readonly onRelease: () => void;
  }): Promise<() => Promise<void>>;
}

/** Creates the coordination tables when missing. */
export async function migrateCluster(client: PgClient): Promise<void> {
  await applySchema(client, CLUSTER_SCHEMA);
}

/**
 * Coordination of `instance` for component `domain` on PostgreSQL. Every
 * time is the database's clock, so instances' clocks may differ. Errors
 * are {@linkcode StoreError}s.
 */
export function pgCoordination(
  client: PgClient,
  domain: string,
  instance: string,
): Coordination {
  const incarnation = crypto.randomUUID();
  const run = async <T>(action: string, work: () => Promise<T>) => {
    try {
      return await work();
    } catch (error) {
      throw new StoreError(
        "postgres",
        `Cannot ${action}: ${error instanceof Error ? error.message : error}`,
        { cause: error },
      );
    }
  };
  return {
    heartbeat: ({ role, online, wantLease, leaseMs }) =>
      run("renew the heartbeat", () =>
        client.transaction(async (tx) => {
          let holdsLease = false;
          if (wantLease) {
            const rows = await tx.query(
              `INSERT INTO xmpp_rest_leases AS l (domain, holder, expires_at, epoch)
               VALUES ($1, $2, ${DB_NOW_MS} + $3, 1)
               ON CONFLICT (domain) DO UPDATE SET holder = $2, expires_at = excluded.expires_at,
                 epoch = l.epoch + CASE WHEN l.holder = $2 THEN 0 ELSE 1 END
               WHERE l.holder = $2 OR l.expires_at <= ${DB_NOW_MS}
               RETURNING epoch`,
              [domain, instance, leaseMs],
            );
            holdsLease = rows.length > 0;
          }
          await tx.query(
            `INSERT INTO xmpp_rest_instances (domain, instance, role, online, expires_at, incarnation)
             VALUES ($1, $2, $3, $4, ${DB_NOW_MS} + $5, $6)
             ON CONFLICT (domain, instance) DO UPDATE SET role = $3, online = $4,
               expires_at = excluded.expires_at, incarnation = $6`,
            [domain, instance, role, online, leaseMs, incarnation],
          );
          const peers = (await tx.query(
            `SELECT instance, incarnation, online FROM xmpp_rest_instances
             WHERE domain = $1 AND instance <> $2 AND expires_at > ${DB_NOW_MS}`,
            [domain, instance],
          )).map((row) => ({
            id: String(row.instance),
            incarnation: String(row.incarnation),
            online: row.online === true,
          }));
          const [lease] = await tx.query(
            `SELECT holder FROM xmpp_rest_leases WHERE domain = $1 AND expires_at > ${DB_NOW_MS}`,
            [domain],
          );
          return {
            holdsLease,
            othersOnline: peers.filter((peer) => peer.online).length,
            peers,
            ...(lease ? { holder: String(lease.holder) } : {}),
          };
        })),
    releaseLease: () =>
      run("release the stream lease", async () => {
        await client.query(
          `UPDATE xmpp_rest_leases SET expires_at = 0 WHERE domain = $1 AND holder = $2`,
          [domain, instance],
        );
        await client.query(
          `UPDATE xmpp_rest_instances SET online = FALSE WHERE domain = $1 AND instance = $2`,
          [domain, instance],
        );
        await client.query("SELECT pg_notify($1, $2)", [LEASE_CHANNEL, domain]);
      }),
    enqueue: (stanza) =>
      run("queue a stanza in the outbox", async () => {
        await client.transaction(async (tx) => {
          await tx.query(
            `INSERT INTO xmpp_rest_outbox (domain, origin, stanza, created_at)
             VALUES ($1, $2, $3, ${DB_NOW_MS})`,
            [domain, instance, stanza],
          );
          await tx.query("SELECT pg_notify($1, $2)", [OUTBOX_CHANNEL, domain]);
        });
      }),
    claimOutbox: (limit, claimMs) =>
      run("claim outbox stanzas", async () => {
        const rows = await client.query(
          `UPDATE xmpp_rest_outbox o SET claim_owner = $2, claim_until = ${DB_NOW_MS} + $4
           FROM (SELECT id FROM xmpp_rest_outbox
                 WHERE domain = $1 AND (claim_until IS NULL OR claim_until <= ${DB_NOW_MS})
                 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) picked
           WHERE o.id = picked.id RETURNING o.id, o.stanza`,
          [domain, instance, limit, claimMs],
        );
        return rows.map((row) => ({
          id: Number(row.id),
          stanza: String(row.stanza),
        })).sort((a, b) => a.id - b.id);
      }),
    finishOutbox: (ids) =>
      run("remove sent outbox stanzas", async () => {
        if (ids.length === 0) return;
        await client.query(
          "DELETE FROM xmpp_rest_outbox WHERE id = ANY($1::bigint[])",
          [ids],
        );
      }),
    handOver: (stanza) =>
      run("hand an iq reply over", async () => {
        await client.transaction(async (tx) => {
          const [row] = await tx.query(
            `INSERT INTO xmpp_rest_handover (domain, stanza, created_at)
             VALUES ($1, $2, ${DB_NOW_MS}) RETURNING id`,
            [domain, stanza],
          );
          // The reply rides along when it fits a notification (8000 bytes).
          const head = `${domain} ${row.id}`;
          const payload = new TextEncoder().encode(stanza).length +
                head.length < NOTIFY_LIMIT
            ? `${head} ${stanza}`
            : head;
          await tx.query("SELECT pg_notify($1, $2)", [
            HANDOVER_CHANNEL,
            payload,
          ]);
        });
      }),
    readHandover: (afterId) =>
      run("read handed-over replies", async () =>
        (await client.query(
          `SELECT id, stanza FROM xmpp_rest_handover WHERE domain = $1 AND id > $2 ORDER BY id LIMIT 500`,
          [domain, afterId],
        )).map((row) => ({ id: Number(row.id), stanza: String(row.stanza) }))),
    takeHandover: (id) =>
      run("remove a handed-over reply", async () => {
        await client.query("DELETE FROM xmpp_rest_handover WHERE id = $1", [
          id,
        ]);
      }),
    pruneHandover: (maxAgeMs) =>
      run("prune handed-over replies", async () => {
        await client.query(
          `DELETE FROM xmpp_rest_handover WHERE domain = $1 AND created_at < ${DB_NOW_MS} - $2`,
          [domain, maxAgeMs],
        );
      }),
    async subscribe({ onOutbox, onHandover, onRelease }) {
      const offs = await run("listen for notifications", () =>
        Promise.all([
          client.listen(OUTBOX_CHANNEL, (payload) => {
            if (payload === domain) onOutbox();
          }),
          client.listen(HANDOVER_CHANNEL, (payload) => {
            const [of, id] = payload.split(" ", 2);
            if (of !== domain) return;
            const stanza = payload.slice(of.length + id.length + 2);
            onHandover(
              stanza ? { id: Number(id), stanza } : { id: Number(id) },
            );
          }),
          client.listen(LEASE_CHANNEL, (payload) => {
            if (payload === domain) onRelease();
          }),
        ]));
      return async () => {
        await Promise.all(offs.map((off) => off().catch(() => {})));
      };
    },
  };
}
