// The SQLite event store (README "Receiving you can trust"): node:sqlite, WAL journal, one transaction per write; the queries are those of the SQL store (sql_store.ts).

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { type EventStore, StoreError } from "./types.ts";
import { WatchList } from "./common.ts";
import { SqlList, type SqlQuery } from "./sql_dialect.ts";
import {
  runSync,
  type SqlAccess,
  type SqlDriver,
  type SqlOp,
  type SqlStep,
} from "./sql_op.ts";
import type { SqlRow } from "./sql_rows.ts";
import { createSqlStore, messageOf, storeError } from "./sql_store.ts";
import { SCHEMA } from "./sqlite_schema.ts";

/** Options of {@linkcode openSqliteStore}. */
export interface SqliteStoreOptions {
  /** The database file, or `:memory:`. Its directory must exist. */
  readonly path: string;
}

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
  return createSqlStore(new SqliteDriver(db), {
    watchers: new WatchList(),
    token: "",
  });
}

/**
 * Runs operations synchronously on one connection: nothing else runs
 * between their statements, so a write's `BEGIN IMMEDIATE` ... `COMMIT`
 * needs no lock of its own. Prepared statements are cached per query.
 */
class SqliteDriver implements SqlDriver {
  readonly kind = "sqlite";
  #db: DatabaseSync;
  #statements = new Map<SqlQuery, StatementSync>();
  #execute = (step: SqlStep): SqlRow[] | number => {
    const statement = this.#prepare(step.query);
    const values = sqliteParams(step.params);
    if (step.answer === "rows") return statement.all(...values);
    const result = statement.run(...values);
    return Number(
      step.answer === "changes" ? result.changes : result.lastInsertRowid,
    );
  };

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  #prepare(query: SqlQuery): StatementSync {
    let statement = this.#statements.get(query);
    if (!statement) {
      if (query.sqlite === undefined) {
        throw new TypeError("Cannot run a PostgreSQL-only query on SQLite");
      }
      statement = this.#db.prepare(query.sqlite);
      this.#statements.set(query, statement);
    }
    return statement;
  }

  run<T>(op: SqlOp<T>, access: SqlAccess, action: string): Promise<T> {
    try {
      if (access === "read") return Promise.resolve(runSync(op, this.#execute));
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        const result = runSync(op, this.#execute);
        this.#db.exec("COMMIT");
        return Promise.resolve(result);
      } catch (error) {
        if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
        throw error;
      }
    } catch (error) {
      return Promise.reject(storeError(this.kind, action, error));
    }
  }

  close(): Promise<void> {
    this.#statements.clear();
    try {
      this.#db.close();
    } catch {
      // already closed
    }
    return Promise.resolve();
  }
}

/** Parameters as node:sqlite binds them: a list as its JSON text (read with `json_each()`). */
function sqliteParams(
  params: readonly unknown[],
): Parameters<StatementSync["run"]> {
  for (const param of params) {
    if (param instanceof SqlList) {
      return params.map((p) =>
        p instanceof SqlList ? JSON.stringify(p.values) : p
      ) as Parameters<StatementSync["run"]>;
    }
  }
  return params as Parameters<StatementSync["run"]>;
}
