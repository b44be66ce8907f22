// The SQLite event store (README "Receiving you can trust"): node:sqlite, WAL journal, one transaction per appended batch.

import { DatabaseSync, type StatementSync } from "node:sqlite";
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
import { appendSqlite } from "./sqlite_append.ts";
import {
  deadLetterFromRow,
  deliveryFromRow,
  eventFromRow,
  idempotencyFromRow,
  settlementColumns,
} from "./sql_rows.ts";
import { SCHEMA } from "./sqlite_schema.ts";
import { pruneAcknowledgedSqlite, pruneOldSqlite } from "./sqlite_prune.ts";

/** Options of {@linkcode openSqliteStore}. */
export interface SqliteStoreOptions {
  /** The database file, or `:memory:`. Its directory must exist. */
  readonly path: string;
}

type Row = Record<string, unknown>;

/**
 * Opens (creating when needed) an {@linkcode EventStore} in one SQLite
 * file. Needs `--allow-read` and `--allow-write` for the file's directory.
 * Throws {@linkcode StoreError} when the file cannot be opened.
 *
 * @example
 * ```ts
 * await using store = openSqliteStore({ path: "./xmpp-rest-data/events.sqlite" });
 * console.log(await store.lastId());
 * ```
 */
export function openSqliteStore(options: SqliteStoreOptions): EventStore {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(options.path);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA busy_timeout = 5000");
    db.exec(SCHEMA);
  } catch (error) {
    throw new StoreError(
      "sqlite",
      `Cannot open the event store "${options.path}": ${messageOf(error)}`,
      { cause: error },
    );
  }
  return new SqliteStore(db);
}

class SqliteStore implements EventStore {
  readonly kind = "sqlite";
  #db: DatabaseSync;
  #closed = false;
  #watchers = new WatchList();
  #statements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  #sql(text: string): StatementSync {
    let statement = this.#statements.get(text);
    if (!statement) {
      this.#statements.set(text, statement = this.#db.prepare(text));
    }
    return statement;
  }

  /** Runs `work` (in a transaction when `write`), turning failures into StoreError. */
  #run<T>(action: string, work: () => T, write = false): Promise<T> {
    if (this.#closed) {
      return Promise.reject(new StoreError(this.kind, "Store is closed"));
    }
    try {
      if (!write) return Promise.resolve(work());
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        const result = work();
        this.#db.exec("COMMIT");
        return Promise.resolve(result);
      } catch (error) {
        if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
        throw error;
      }
    } catch (error) {
      return Promise.reject(
        new StoreError(this.kind, `Cannot ${action}: ${messageOf(error)}`, {
          cause: error,
        }),
      );
    }
  }

  async append(
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<readonly AppendedEvent[]> {
    if (events.length === 0) return [];
    const appended = await this.#run(
      "append events",
      () => appendSqlite((text) => this.#sql(text), events, options),
      true,
    );
    if (appended.last !== undefined) this.#watchers.notify(appended.last);
    return appended.out;
  }

  read(fromId: number, limit: number): Promise<readonly StoredEvent[]> {
    return this.#run(
      "read events",
      () =>
        this.#sql("SELECT * FROM events WHERE id >= ? ORDER BY id LIMIT ?")
          .all(fromId, limit).map(eventFromRow),
    );
  }

  lastId(): Promise<number> {
    return this.#run("read the last id", () => {
      const row = this.#sql(
        "SELECT seq FROM sqlite_sequence WHERE name = 'events'",
      ).get() as Row | undefined;
      return Number(row?.seq ?? 0);
    });
  }

  watch(listener: AppendListener): () => void {
    return this.#watchers.add(listener);
  }

  getCursor(consumer: string): Promise<number> {
    return this.#run("read a cursor", () => {
      const row = this.#sql("SELECT offset FROM cursors WHERE consumer = ?")
        .get(consumer) as Row | undefined;
      return Number(row?.offset ?? 0);
    });
  }

  async setCursor(consumer: string, offset: number): Promise<void> {
    await this.#run("move a cursor", () =>
      this.#sql(
        "INSERT INTO cursors (consumer, offset) VALUES (?, ?) ON CONFLICT (consumer) DO UPDATE SET offset = max(offset, excluded.offset)",
      ).run(consumer, offset), true);
  }

  listCursors(): Promise<readonly PullCursor[]> {
    return this.#run(
      "list cursors",
      () =>
        this.#sql("SELECT consumer, offset FROM cursors ORDER BY consumer")
          .all()
          .map((row) => ({
            consumer: String(row.consumer),
            offset: Number(row.offset),
          })),
    );
  }

  deleteCursor(consumer: string): Promise<boolean> {
    return this.#run("forget a cursor", () =>
      Number(
        this.#sql("DELETE FROM cursors WHERE consumer = ?").run(consumer)
          .changes,
      ) > 0, true);
  }

  claimDeliveries(
    consumer: string,
    options: ClaimOptions,
  ): Promise<readonly Delivery[]> {
    const { now, owner } = options;
    return this.#run("claim deliveries", () => {
      const rows = this.#sql(
        `WITH heads AS (
           SELECT min(event_id) AS event_id FROM deliveries
           WHERE consumer = ? AND state = 'pending' GROUP BY conversation)
         SELECT d.attempts, d.last_at, d.last_status, d.last_reason, e.*
         FROM heads CROSS JOIN deliveries d ON d.consumer = ? AND d.event_id = heads.event_id
         JOIN events e ON e.id = d.event_id
         WHERE d.due_at <= ? AND (d.claim_until IS NULL OR d.claim_until <= ? OR d.claim_owner = ?)
         ORDER BY d.due_at, d.event_id LIMIT ?`,
      ).all(consumer, consumer, now, now, owner, options.limit);
      const claim = this.#sql(
        "UPDATE deliveries SET claim_owner = ?, claim_until = ? WHERE consumer = ? AND event_id = ?",
      );
      return rows.map((row) => {
        claim.run(owner, now + options.leaseMs, consumer, row.id as number);
        return deliveryFromRow(row);
      });
    }, true);
  }

  async settleDelivery(
    consumer: string,
    eventId: number,
    settlement: DeliverySettlement,
  ): Promise<void> {
    await this.#run("settle a delivery", () => {
      if (settlement.outcome === "delivered") {
        this.#sql(
          "DELETE FROM deliveries WHERE consumer = ? AND event_id = ? AND state = 'pending'",
        ).run(consumer, eventId);
        return;
      }
      this.#sql(
        `UPDATE deliveries SET attempts = attempts + 1, claim_owner = NULL, claim_until = NULL,
           state = ?, due_at = ?, last_at = ?, last_status = ?, last_reason = ?
         WHERE consumer = ? AND event_id = ? AND state = 'pending'`,
      ).run(...settlementColumns(settlement), consumer, eventId);
    }, true);
  }

  nextDueAt(consumer: string): Promise<number | undefined> {
    return this.#run("read the next due time", () => {
      const row = this.#sql(
        `WITH heads AS (
           SELECT min(event_id) AS event_id FROM deliveries
           WHERE consumer = ? AND state = 'pending' GROUP BY conversation)
         SELECT min(max(d.due_at, coalesce(d.claim_until, d.due_at))) AS next
         FROM heads CROSS JOIN deliveries d ON d.consumer = ? AND d.event_id = heads.event_id`,
      ).get(consumer, consumer) as Row | undefined;
      return row?.next === null || row?.next === undefined
        ? undefined
        : Number(row.next);
    });
  }

  deliveryStats(consumer: string): Promise<DeliveryStats> {
    return this.#run("count deliveries", () => {
      const row = this.#sql(
        `SELECT sum(d.state = 'pending') AS pending, sum(d.state = 'dead') AS dead,
           min(CASE WHEN d.state = 'pending' THEN e.received_at END) AS oldest
         FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.consumer = ?`,
      ).get(consumer) as Row;
      const stats = {
        pending: Number(row.pending ?? 0),
        dead: Number(row.dead ?? 0),
      };
      return row.oldest === null
        ? stats
        : { ...stats, oldestPendingAt: Number(row.oldest) };
    });
  }

  listDeadLetters(
    consumer: string,
    options: { readonly afterId?: number; readonly limit: number },
  ): Promise<readonly DeadLetter[]> {
    return this.#run("list dead letters", () =>
      this.#sql(
        `SELECT d.attempts, d.last_at, d.last_status, d.last_reason, e.*
         FROM deliveries d JOIN events e ON e.id = d.event_id
         WHERE d.consumer = ? AND d.state = 'dead' AND d.event_id > ?
         ORDER BY d.event_id LIMIT ?`,
      ).all(consumer, options.afterId ?? 0, options.limit).map(
        deadLetterFromRow,
      ));
  }

  async redeliver(
    consumer: string,
    selection: RedeliverSelection,
    now: number,
  ): Promise<number> {
    const count = await this.#run("redeliver dead letters", () => {
      const reset =
        "UPDATE deliveries SET state = 'pending', due_at = ?, attempts = 0, last_at = NULL, last_status = NULL, last_reason = NULL WHERE consumer = ? AND state = 'dead'";
      if ("ids" in selection) {
        const one = this.#sql(`${reset} AND event_id = ?`);
        let changed = 0;
        for (const id of new Set(selection.ids)) {
          changed += Number(one.run(now, consumer, id).changes);
        }
        return changed;
      }
      return Number(
        this.#sql(
          `${reset} AND event_id IN (SELECT id FROM events WHERE received_at >= ?)`,
        ).run(now, consumer, selection.since).changes,
      );
    }, true);
    if (count > 0) this.#watchers.notify(await this.lastId());
    return count;
  }

  getSetting(consumer: string, name: string): Promise<string | undefined> {
    return this.#run("read a setting", () => {
      const row = this.#sql(
        "SELECT value FROM settings WHERE consumer = ? AND name = ?",
      ).get(consumer, name) as Row | undefined;
      return row === undefined ? undefined : String(row.value);
    });
  }

  async setSetting(
    consumer: string,
    name: string,
    value: string | undefined,
  ): Promise<void> {
    await this.#run("write a setting", () => {
      if (value === undefined) {
        this.#sql("DELETE FROM settings WHERE consumer = ? AND name = ?")
          .run(consumer, name);
      } else {
        this.#sql(
          "INSERT INTO settings (consumer, name, value) VALUES (?, ?, ?) ON CONFLICT (consumer, name) DO UPDATE SET value = excluded.value",
        ).run(consumer, name, value);
      }
    }, true);
  }

  beginIdempotent(
    key: string,
    fingerprint: string,
    options: { readonly now: number; readonly ttlMs: number },
  ): Promise<IdempotencyBegin> {
    return this.#run("reserve an idempotency key", (): IdempotencyBegin => {
      const row = this.#sql("SELECT * FROM idempotency WHERE key = ?").get(
        key,
      ) as Row | undefined;
      const kept = idempotencyAnswer(
        row && idempotencyFromRow(row),
        fingerprint,
        options,
      );
      if (kept) return kept;
      this.#sql(
        "INSERT INTO idempotency (key, fingerprint, created_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, created_at = excluded.created_at, status = NULL, headers = NULL, body = NULL",
      ).run(key, fingerprint, options.now);
      return { state: "new" };
    }, true);
  }

  async completeIdempotent(
    key: string,
    response: StoredResponse,
  ): Promise<void> {
    await this.#run("store an idempotent response", () =>
      this.#sql(
        "UPDATE idempotency SET status = ?, headers = ?, body = ? WHERE key = ?",
      ).run(
        response.status,
        JSON.stringify(response.headers),
        response.body,
        key,
      ), true);
  }

  async abandonIdempotent(key: string): Promise<void> {
    await this.#run(
      "release an idempotency key",
      () => this.#sql("DELETE FROM idempotency WHERE key = ?").run(key),
      true,
    );
  }

  prune(before: number): Promise<number> {
    return this.#run(
      "prune events",
      () => pruneOldSqlite((text) => this.#sql(text), before),
      true,
    );
  }

  pruneAcknowledged(scope: AckScope): Promise<AckPruned> {
    return this.#run(
      "prune acknowledged events",
      () => pruneAcknowledgedSqlite((text) => this.#sql(text), scope),
      true,
    );
  }

  countEvents(): Promise<number> {
    return this.#run("count events", () =>
      Number(
        (this.#sql("SELECT count(*) AS n FROM events").get() as Row).n,
      ));
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#watchers.clear();
    this.#statements.clear();
    try {
      this.#db.close();
    } catch {
      // already closed
    }
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
