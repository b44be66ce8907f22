// The PostgreSQL event store (README "Running several instances"): the EventStore shared by several gateway instances, appends told to all of them with LISTEN/NOTIFY; the queries are those of the SQL store (sql_store.ts).

import type { EventStore } from "./types.ts";
import { WatchList } from "./common.ts";
import { SqlList } from "./sql_dialect.ts";
import {
  runAsync,
  type SqlAccess,
  type SqlDriver,
  type SqlOp,
  type SqlStep,
} from "./sql_op.ts";
import { createSqlStore, storeError } from "./sql_store.ts";
import { APPEND_CHANNEL, applySchema, SCHEMA } from "./postgres_schema.ts";
import type { PgClient, PgQueryable } from "./postgres_client.ts";

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
    const watchers = new WatchList();
    const token = crypto.randomUUID();
    const driver = new PostgresDriver(client);
    const store = createSqlStore(driver, { watchers, token });
    await driver.listen((payload) => {
      const [id, from] = payload.split(" ");
      if (from !== token) watchers.notify(Number(id));
    });
    return store;
  } catch (error) {
    throw storeError("postgres", "open the event store", error);
  }
}

/** Runs operations over the pool, one statement per round trip. */
class PostgresDriver implements SqlDriver {
  readonly kind = "postgres";
  #client: PgClient;
  #unlisten: (() => Promise<void>) | undefined;
  #closed = false;

  constructor(client: PgClient) {
    this.#client = client;
  }

  /** Hears appends on {@linkcode APPEND_CHANNEL} until closed. */
  async listen(onAppend: (payload: string) => void): Promise<void> {
    this.#unlisten = await this.#client.listen(APPEND_CHANNEL, (payload) => {
      if (!this.#closed) onAppend(payload);
    });
  }

  run<T>(op: SqlOp<T>, access: SqlAccess, action: string): Promise<T> {
    const run = access === "atomic"
      ? this.#client.transaction((tx) => runAsync(op, executeOn(tx)))
      : runAsync(op, executeOn(this.#client));
    return run.catch((error) => {
      throw storeError(this.kind, action, error);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#unlisten?.().catch(() => {});
  }
}

/** Runs one step on `db`: lists go as PostgreSQL arrays. */
function executeOn(db: PgQueryable) {
  return (step: SqlStep) => {
    const text = step.query.postgres;
    if (text === undefined) {
      throw new TypeError("Cannot run an SQLite-only query on PostgreSQL");
    }
    const params = step.params.map((p) => p instanceof SqlList ? p.values : p);
    if (step.answer === "rowid") {
      throw new TypeError("Cannot read an SQLite rowid on PostgreSQL");
    }
    return step.answer === "rows"
      ? db.query(text, params)
      : db.execute(text, params);
  };
}
