// A store operation as a generator of SQL statements (sans-I/O): written once, run by SQLite's synchronous driver and PostgreSQL's asynchronous one alike.

import type { SqlKind, SqlQuery } from "./sql_dialect.ts";
import type { SqlRow } from "./sql_rows.ts";

/**
 * What a statement answers: its rows, how many rows it changed, or (on
 * SQLite only) the rowid it inserted
 * (https://sqlite.org/c3ref/last_insert_rowid.html), which costs less than
 * a `RETURNING` row.
 */
export type SqlAnswer = "rows" | "changes" | "rowid";

/** One statement an operation asks its driver to run. */
export interface SqlStep {
  /** The statement, in both dialects. */
  readonly query: SqlQuery;
  /** Its parameters, in placeholder order (`$1` first). */
  readonly params: readonly unknown[];
  /** What the operation wants back. */
  readonly answer: SqlAnswer;
}

/**
 * An operation: yields statements, receives each one's rows (or changed
 * row count) and returns its result. It holds no connection, so the same
 * operation runs inside SQLite's synchronous transaction and over
 * PostgreSQL's network round trips.
 */
export type SqlOp<T> = Generator<SqlStep, T, SqlRow[] | number>;

/**
 * The step that runs `query`, for `yield` without a helper generator:
 * the per-row loops of the append path use it to save one generator
 * level per statement (`rows()` and `changes()` read better elsewhere).
 */
export function step(
  query: SqlQuery,
  params: readonly unknown[],
  answer: SqlAnswer,
): SqlStep {
  return { query, params, answer };
}

/** Runs `query` and gives its rows (use with `yield*`). */
export function* rows(
  query: SqlQuery,
  params: readonly unknown[] = [],
): SqlOp<SqlRow[]> {
  return (yield { query, params, answer: "rows" }) as SqlRow[];
}

/** Runs `query` and gives how many rows it inserted, updated or deleted (use with `yield*`). */
export function* changes(
  query: SqlQuery,
  params: readonly unknown[] = [],
): SqlOp<number> {
  return (yield { query, params, answer: "changes" }) as number;
}

/**
 * How an operation uses the database: `read` only reads; `write` writes
 * with one statement or several that need not be atomic on PostgreSQL
 * (SQLite still runs every write in a `BEGIN IMMEDIATE` transaction);
 * `atomic` runs in one transaction on both.
 */
export type SqlAccess = "read" | "write" | "atomic";

/** Runs an operation's statements on one back-end. */
export interface SqlDriver {
  /** The back-end. */
  readonly kind: SqlKind;
  /**
   * Runs `op` to its end (in a transaction as `access` says); a failure
   * rejects with a `StoreError` "Cannot <action>: <reason>".
   */
  run<T>(op: SqlOp<T>, access: SqlAccess, action: string): Promise<T>;
  /** Releases what the driver holds. */
  close(): Promise<void>;
}

/** Runs `op` with a synchronous `execute` (SQLite): no other work interleaves. */
export function runSync<T>(
  op: SqlOp<T>,
  execute: (step: SqlStep) => SqlRow[] | number,
): T {
  let next = op.next();
  while (!next.done) next = op.next(execute(next.value));
  return next.value;
}

/** Runs `op` with an asynchronous `execute` (PostgreSQL), one statement at a time. */
export async function runAsync<T>(
  op: SqlOp<T>,
  execute: (step: SqlStep) => Promise<SqlRow[] | number>,
): Promise<T> {
  let next = op.next();
  while (!next.done) next = op.next(await execute(next.value));
  return next.value;
}
