// The PostgreSQL event store (README "Running several instances"): the EventStore shared by several gateway instances, appends told to all of them with LISTEN/NOTIFY.

import {
  type AckPruned,
  type AckScope,
  type AppendedEvent,
  type AppendListener,
  type AppendOptions,
  type ClaimOptions,
  type DeadLetter,
  type Delivery,
  type DeliverySettlement,
  type DeliveryStats,
  type EventStore,
  type IdempotencyBegin,
  type NewEvent,
  type PullCursor,
  type RedeliverSelection,
  type StoredEvent,
  type StoredResponse,
  StoreError,
} from "./types.ts";
import { idempotencyAnswer, WatchList } from "./common.ts";
import { appendInTransaction } from "./postgres_append.ts";
import {
  deadLetterFromRow,
  deliveryFromRow,
  eventFromRow,
  idempotencyFromRow,
  settlementColumns,
} from "./sql_rows.ts";
import { APPEND_CHANNEL, applySchema, SCHEMA } from "./postgres_schema.ts";
import {
  pruneAcknowledgedPostgres,
  pruneOldPostgres,
} from "./postgres_prune.ts";
import type { PgClient, PgQueryable } from "./postgres_client.ts";

const KIND = "postgres";

/** Creates the store's tables when missing (safe when several instances start at once). */
export async function migratePostgres(client: PgClient): Promise<void> {
  await applySchema(client, SCHEMA);
}

/**
 * An {@linkcode EventStore} in a PostgreSQL database, shared by every
 * instance that opens the same database. `watch()` listeners hear this
 * store's appends at once and other instances' appends through
 * LISTEN/NOTIFY. Claims use `FOR UPDATE SKIP LOCKED`, so concurrent
 * instances never claim the same delivery while its claim is live.
 * Closing the store does not close `client`.
 */
export async function openPostgresStore(client: PgClient): Promise<EventStore> {
  try {
    await migratePostgres(client);
    const store = new PostgresStore(client);
    await store.listen();
    return store;
  } catch (error) {
    throw wrap("open the event store", error);
  }
}

class PostgresStore implements EventStore {
  readonly kind = KIND;
  #client: PgClient;
  #closed = false;
  #watchers = new WatchList();
  #token = crypto.randomUUID();
  #unlisten: (() => Promise<void>) | undefined;

  constructor(client: PgClient) {
    this.#client = client;
  }

  /** Hears other instances' appends. */
  async listen(): Promise<void> {
    this.#unlisten = await this.#client.listen(APPEND_CHANNEL, (payload) => {
      const [id, token] = payload.split(" ");
      if (token !== this.#token && !this.#closed) {
        this.#watchers.notify(Number(id));
      }
    });
  }

  #run<T>(
    action: string,
    work: (db: PgQueryable) => Promise<T>,
    write = false,
  ): Promise<T> {
    if (this.#closed) {
      return Promise.reject(new StoreError(KIND, "Store is closed"));
    }
    const run = write ? this.#client.transaction(work) : work(this.#client);
    return run.catch((error) => {
      throw wrap(action, error);
    });
  }

  async append(
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<readonly AppendedEvent[]> {
    if (events.length === 0) return [];
    const result = await this.#run(
      "append events",
      (tx) => appendInTransaction(tx, events, options, this.#token),
      true,
    );
    if (result.last !== undefined) this.#watchers.notify(result.last);
    return result.out;
  }

  read(fromId: number, limit: number): Promise<readonly StoredEvent[]> {
    return this.#run("read events", async (db) =>
      (await db.query(
        "SELECT * FROM xmpp_rest_events WHERE id >= $1 ORDER BY id LIMIT $2",
        [fromId, limit],
      )).map(eventFromRow));
  }

  lastId(): Promise<number> {
    return this.#run("read the last id", async (db) => {
      const [row] = await db.query("SELECT last_id FROM xmpp_rest_meta");
      return Number(row?.last_id ?? 0);
    });
  }

  watch(listener: AppendListener): () => void {
    return this.#watchers.add(listener);
  }

  getCursor(consumer: string): Promise<number> {
    return this.#run("read a cursor", async (db) => {
      const [row] = await db.query(
        `SELECT "offset" FROM xmpp_rest_cursors WHERE consumer = $1`,
        [consumer],
      );
      return Number(row?.offset ?? 0);
    });
  }

  async setCursor(consumer: string, offset: number): Promise<void> {
    await this.#run("move a cursor", (db) =>
      db.query(
        `INSERT INTO xmpp_rest_cursors (consumer, "offset") VALUES ($1, $2)
         ON CONFLICT (consumer) DO UPDATE SET "offset" = greatest(xmpp_rest_cursors."offset", excluded."offset")`,
        [consumer, offset],
      ));
  }

  listCursors(): Promise<readonly PullCursor[]> {
    return this.#run("list cursors", async (db) =>
      (await db.query(
        `SELECT consumer, "offset" FROM xmpp_rest_cursors ORDER BY consumer COLLATE "C"`,
      )).map((row) => ({
        consumer: String(row.consumer),
        offset: Number(row.offset),
      })));
  }

  deleteCursor(consumer: string): Promise<boolean> {
    return this.#run("forget a cursor", async (db) =>
      (await db.query(
        "DELETE FROM xmpp_rest_cursors WHERE consumer = $1 RETURNING consumer",
        [consumer],
      )).length > 0);
  }

  claimDeliveries(
    consumer: string,
    options: ClaimOptions,
  ): Promise<readonly Delivery[]> {
    const { now, owner } = options;
    return this.#run("claim deliveries", async (tx) => {
      const rows = await tx.query(
        `WITH heads AS (
           SELECT min(event_id) AS event_id FROM xmpp_rest_deliveries
           WHERE consumer = $1 AND state = 'pending' GROUP BY conversation),
         picked AS (
           SELECT d.event_id FROM heads
           JOIN xmpp_rest_deliveries d ON d.consumer = $1 AND d.event_id = heads.event_id
           WHERE d.state = 'pending' AND d.due_at <= $2
             AND (d.claim_until IS NULL OR d.claim_until <= $2 OR d.claim_owner = $3)
           ORDER BY d.due_at, d.event_id LIMIT $4
           FOR UPDATE OF d SKIP LOCKED)
         UPDATE xmpp_rest_deliveries d SET claim_owner = $3, claim_until = $5
         FROM picked JOIN xmpp_rest_events e ON e.id = picked.event_id
         WHERE d.consumer = $1 AND d.event_id = picked.event_id
         RETURNING d.due_at, d.attempts, d.last_at, d.last_status, d.last_reason, e.*`,
        [consumer, now, owner, options.limit, now + options.leaseMs],
      );
      rows.sort((a, b) =>
        Number(a.due_at) - Number(b.due_at) || Number(a.id) - Number(b.id)
      );
      return rows.map(deliveryFromRow);
    }, true);
  }

  async settleDelivery(
    consumer: string,
    eventId: number,
    settlement: DeliverySettlement,
  ): Promise<void> {
    await this.#run("settle a delivery", async (db) => {
      if (settlement.outcome === "delivered") {
        await db.query(
          "DELETE FROM xmpp_rest_deliveries WHERE consumer = $1 AND event_id = $2 AND state = 'pending'",
          [consumer, eventId],
        );
        return;
      }
      await db.query(
        `UPDATE xmpp_rest_deliveries SET attempts = attempts + 1, claim_owner = NULL, claim_until = NULL,
           state = $1, due_at = $2, last_at = $3, last_status = $4, last_reason = $5
         WHERE consumer = $6 AND event_id = $7 AND state = 'pending'`,
        [...settlementColumns(settlement), consumer, eventId],
      );
    });
  }

  nextDueAt(consumer: string): Promise<number | undefined> {
    return this.#run("read the next due time", async (db) => {
      const [row] = await db.query(
        `WITH heads AS (
           SELECT min(event_id) AS event_id FROM xmpp_rest_deliveries
           WHERE consumer = $1 AND state = 'pending' GROUP BY conversation)
         SELECT min(greatest(d.due_at, coalesce(d.claim_until, d.due_at))) AS next
         FROM heads JOIN xmpp_rest_deliveries d ON d.consumer = $1 AND d.event_id = heads.event_id`,
        [consumer],
      );
      return row?.next === null || row?.next === undefined
        ? undefined
        : Number(row.next);
    });
  }

  deliveryStats(consumer: string): Promise<DeliveryStats> {
    return this.#run("count deliveries", async (db) => {
      const [row] = await db.query(
        `SELECT count(*) FILTER (WHERE d.state = 'pending') AS pending,
           count(*) FILTER (WHERE d.state = 'dead') AS dead,
           min(e.received_at) FILTER (WHERE d.state = 'pending') AS oldest
         FROM xmpp_rest_deliveries d JOIN xmpp_rest_events e ON e.id = d.event_id
         WHERE d.consumer = $1`,
        [consumer],
      );
      const stats = { pending: Number(row.pending), dead: Number(row.dead) };
      return row.oldest === null
        ? stats
        : { ...stats, oldestPendingAt: Number(row.oldest) };
    });
  }

  listDeadLetters(
    consumer: string,
    options: { readonly afterId?: number; readonly limit: number },
  ): Promise<readonly DeadLetter[]> {
    return this.#run("list dead letters", async (db) =>
      (await db.query(
        `SELECT d.attempts, d.last_at, d.last_status, d.last_reason, e.*
         FROM xmpp_rest_deliveries d JOIN xmpp_rest_events e ON e.id = d.event_id
         WHERE d.consumer = $1 AND d.state = 'dead' AND d.event_id > $2
         ORDER BY d.event_id LIMIT $3`,
        [consumer, options.afterId ?? 0, options.limit],
      )).map(deadLetterFromRow));
  }

  async redeliver(
    consumer: string,
    selection: RedeliverSelection,
    now: number,
  ): Promise<number> {
    const reset =
      `UPDATE xmpp_rest_deliveries SET state = 'pending', due_at = $1, attempts = 0,
         last_at = NULL, last_status = NULL, last_reason = NULL
       WHERE consumer = $2 AND state = 'dead'`;
    const rows = await this.#run(
      "redeliver dead letters",
      (db) =>
        "ids" in selection
          ? db.query(
            `${reset} AND event_id = ANY($3::bigint[]) RETURNING event_id`,
            [
              now,
              consumer,
              [...new Set(selection.ids)],
            ],
          )
          : db.query(
            `${reset} AND event_id IN (SELECT id FROM xmpp_rest_events WHERE received_at >= $3) RETURNING event_id`,
            [now, consumer, selection.since],
          ),
    );
    if (rows.length > 0) this.#watchers.notify(await this.lastId());
    return rows.length;
  }

  getSetting(consumer: string, name: string): Promise<string | undefined> {
    return this.#run("read a setting", async (db) => {
      const [row] = await db.query(
        "SELECT value FROM xmpp_rest_settings WHERE consumer = $1 AND name = $2",
        [consumer, name],
      );
      return row === undefined ? undefined : String(row.value);
    });
  }

  async setSetting(
    consumer: string,
    name: string,
    value: string | undefined,
  ): Promise<void> {
    await this.#run("write a setting", (db) =>
      value === undefined
        ? db.query(
          "DELETE FROM xmpp_rest_settings WHERE consumer = $1 AND name = $2",
          [consumer, name],
        )
        : db.query(
          `INSERT INTO xmpp_rest_settings (consumer, name, value) VALUES ($1, $2, $3)
           ON CONFLICT (consumer, name) DO UPDATE SET value = excluded.value`,
          [consumer, name, value],
        ));
  }

  beginIdempotent(
    key: string,
    fingerprint: string,
    options: { readonly now: number; readonly ttlMs: number },
  ): Promise<IdempotencyBegin> {
    return this.#run("reserve an idempotency key", async (tx) => {
      const inserted = await tx.query(
        `INSERT INTO xmpp_rest_idempotency (key, fingerprint, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO NOTHING RETURNING key`,
        [key, fingerprint, options.now],
      );
      if (inserted.length > 0) return { state: "new" };
      const [row] = await tx.query(
        "SELECT * FROM xmpp_rest_idempotency WHERE key = $1 FOR UPDATE",
        [key],
      );
      const kept = idempotencyAnswer(
        idempotencyFromRow(row),
        fingerprint,
        options,
      );
      if (kept) return kept;
      await tx.query(
        `UPDATE xmpp_rest_idempotency SET fingerprint = $2, created_at = $3,
           status = NULL, headers = NULL, body = NULL WHERE key = $1`,
        [key, fingerprint, options.now],
      );
      return { state: "new" };
    }, true);
  }

  async completeIdempotent(
    key: string,
    response: StoredResponse,
  ): Promise<void> {
    await this.#run("store an idempotent response", (db) =>
      db.query(
        "UPDATE xmpp_rest_idempotency SET status = $1, headers = $2, body = $3 WHERE key = $4",
        [response.status, JSON.stringify(response.headers), response.body, key],
      ));
  }

  async abandonIdempotent(key: string): Promise<void> {
    await this.#run(
      "release an idempotency key",
      (db) =>
        db.query("DELETE FROM xmpp_rest_idempotency WHERE key = $1", [key]),
    );
  }

  prune(before: number): Promise<number> {
    return this.#run(
      "prune events",
      (tx) => pruneOldPostgres(tx, before),
      true,
    );
  }

  pruneAcknowledged(scope: AckScope): Promise<AckPruned> {
    return this.#run(
      "prune acknowledged events",
      (db) => pruneAcknowledgedPostgres(db, scope),
    );
  }

  countEvents(): Promise<number> {
    return this.#run("count events", async (db) => {
      const [row] = await db.query(
        "SELECT count(*) AS n FROM xmpp_rest_events",
      );
      return Number(row.n);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watchers.clear();
    await this.#unlisten?.().catch(() => {});
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function wrap(action: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError(KIND, `Cannot ${action}: ${message}`, { cause: error });
}
