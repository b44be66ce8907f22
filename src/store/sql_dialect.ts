// The two SQL dialects of the event store (SQLite https://sqlite.org/lang.html, PostgreSQL https://www.postgresql.org/docs/15/sql.html): table names, the few syntax differences, and each query's text rendered once per dialect.

/** The SQL back-ends. */
export type SqlKind = "sqlite" | "postgres";

/** Column types a list parameter can hold (see {@linkcode SqlDialect.inList}). */
export type SqlListType = "text" | "bigint";

/** What a query's text may differ in between the dialects. */
export interface SqlDialect {
  /** The back-end. */
  readonly kind: SqlKind;
  /** The event log table. */
  readonly events: string;
  /** The push deliveries table. */
  readonly deliveries: string;
  /** The pull cursors table. */
  readonly cursors: string;
  /** The per-consumer settings table. */
  readonly settings: string;
  /** The de-duplication keys table. */
  readonly inboundKeys: string;
  /** The idempotency records table. */
  readonly idempotency: string;
  /**
   * The larger of two values: SQLite's scalar `max()`
   * (https://sqlite.org/lang_corefunc.html#max_scalar), PostgreSQL's
   * `greatest()` (PostgreSQL documentation, section 9.18.4).
   */
  readonly greatest: string;
  /**
   * A collation that orders by bytes, as the memory store's `<` on
   * ASCII names does: SQLite's `BINARY`
   * (https://sqlite.org/datatype3.html#collation), PostgreSQL's `"C"`
   * (PostgreSQL documentation, section 24.2).
   */
  readonly byteOrder: string;
  /**
   * A join whose left side drives the loop: SQLite's planner keeps the
   * order of a `CROSS JOIN` (https://sqlite.org/optoverview.html#crossjoin);
   * PostgreSQL plans a plain `JOIN` itself (a `CROSS JOIN` takes no `ON`).
   */
  readonly drivingJoin: string;
  /**
   * Appended to a `SELECT` that reads rows the transaction then writes:
   * PostgreSQL's `FOR UPDATE` (PostgreSQL documentation, section 13.3.2);
   * nothing on SQLite, whose `BEGIN IMMEDIATE` already holds the one
   * write lock (https://sqlite.org/lang_transaction.html).
   */
  readonly lockRows: string;
  /**
   * `IN` a list passed as one parameter (see {@linkcode list}): SQLite
   * reads a JSON array with `json_each()` (https://sqlite.org/json1.html#jeach),
   * PostgreSQL an array with `= ANY` (PostgreSQL documentation, section 9.24.3).
   */
  inList(placeholder: string, type: SqlListType): string;
}

/** The SQLite dialect: table names as `sqlite_schema.ts` creates them. */
export const SQLITE: SqlDialect = {
  kind: "sqlite",
  events: "events",
  deliveries: "deliveries",
  cursors: "cursors",
  settings: "settings",
  inboundKeys: "inbound_keys",
  idempotency: "idempotency",
  greatest: "max",
  byteOrder: "BINARY",
  drivingJoin: "CROSS JOIN",
  lockRows: "",
  inList: (placeholder) => `IN (SELECT value FROM json_each(${placeholder}))`,
};

/** The PostgreSQL dialect: table names as `postgres_schema.ts` creates them. */
export const POSTGRES: SqlDialect = {
  kind: "postgres",
  events: "xmpp_rest_events",
  deliveries: "xmpp_rest_deliveries",
  cursors: "xmpp_rest_cursors",
  settings: "xmpp_rest_settings",
  inboundKeys: "xmpp_rest_inbound_keys",
  idempotency: "xmpp_rest_idempotency",
  greatest: "greatest",
  byteOrder: `"C"`,
  drivingJoin: "JOIN",
  lockRows: " FOR UPDATE",
  inList: (placeholder, type) => `= ANY(${placeholder}::${type}[])`,
};

/** One statement's text in each dialect (absent where a dialect does without it). */
export interface SqlQuery {
  /** For SQLite (`?NNN` placeholders). */
  readonly sqlite?: string;
  /** For PostgreSQL (`$N` placeholders). */
  readonly postgres?: string;
}

/**
 * SQLite names PostgreSQL's `$N` placeholder `?N`
 * (https://sqlite.org/lang_expr.html#parameters); either may repeat.
 */
function sqlitePlaceholders(text: string): string {
  return text.replace(/\$(\d+)/g, "?$1");
}

/**
 * A statement written once, with `$N` placeholders, for both dialects;
 * `build` takes the table names and syntax differences from the dialect.
 *
 * @example
 * ```ts
 * const READ = query((d) => `SELECT * FROM ${d.events} WHERE id >= $1`);
 * READ.sqlite; // "SELECT * FROM events WHERE id >= ?1"
 * ```
 */
export function query(build: (dialect: SqlDialect) => string): SqlQuery {
  return queryPerDialect({ sqlite: build, postgres: build });
}

/**
 * A statement whose two texts truly differ (locking, id allocation,
 * batch inserts): both side by side, with `$N` placeholders.
 */
export function queryPerDialect(
  build: Readonly<Record<SqlKind, (dialect: SqlDialect) => string>>,
): SqlQuery {
  return {
    sqlite: sqlitePlaceholders(build.sqlite(SQLITE)),
    postgres: build.postgres(POSTGRES),
  };
}

/** A list of values bound as one parameter (see {@linkcode SqlDialect.inList}). */
export class SqlList {
  /** The values. */
  readonly values: readonly unknown[];
  /** Wraps `values`. */
  constructor(values: readonly unknown[]) {
    this.values = values;
  }
}

/** Wraps `values` as one list parameter. */
export function list(values: readonly unknown[]): SqlList {
  return new SqlList(values);
}

/** A statement only `kind` runs (the other dialect does the work differently). */
export function queryOn(
  kind: SqlKind,
  build: (dialect: SqlDialect) => string,
): SqlQuery {
  return kind === "sqlite"
    ? { sqlite: sqlitePlaceholders(build(SQLITE)) }
    : { postgres: build(POSTGRES) };
}
