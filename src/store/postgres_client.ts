// The one file that talks to the PostgreSQL driver (npm `postgres`, https://github.com/porsager/postgres): a small client interface the PostgreSQL store and instance coordination use.

import postgres from "postgres";

/** One result row: column name to value (BIGINT columns arrive as strings: convert with `Number()`). */
export type PgRow = Record<string, unknown>;

/** Runs parameterised SQL (`$1`, `$2`, ...). */
export interface PgQueryable {
  /** Runs one statement and returns its rows. */
  query(text: string, params?: readonly unknown[]): Promise<PgRow[]>;
}

/** A pool of connections to one database. */
export interface PgClient extends PgQueryable {
  /** Runs `work` in one transaction (committed when it resolves, rolled back when it throws). */
  transaction<T>(work: (tx: PgQueryable) => Promise<T>): Promise<T>;
  /**
   * Calls `onMessage` with the payload of every NOTIFY on `channel`, on a
   * dedicated connection that re-listens after a reconnect; resolves once
   * listening and returns the function that stops it.
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
  ): Promise<() => Promise<void>>;
  /** Closes every connection (waiting at most `timeoutS` for running queries). */
  end(timeoutS?: number): Promise<void>;
}

/** Options of {@linkcode connectPostgres}. */
export interface PgConnectOptions {
  /** Most connections in the pool. Default 10. */
  readonly max?: number;
  /** Seconds to wait for a connection. Default 10. */
  readonly connectTimeoutS?: number;
}

/**
 * A client for a `postgres://` or `postgresql://` URL. Connections open
 * lazily (the first query) and reconnect by themselves after the server
 * restarts; a query that runs while the server is away rejects.
 */
export function connectPostgres(
  url: string,
  options: PgConnectOptions = {},
): PgClient {
  const sql = postgres(url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeoutS ?? 10,
    onnotice: () => {},
  });
  const query = (
    runner: postgres.Sql | postgres.TransactionSql,
    text: string,
    params: readonly unknown[] = [],
  ) =>
    runner.unsafe(
      text,
      params as postgres.ParameterOrJSON<never>[],
    ) as unknown as Promise<PgRow[]>;
  return {
    query: (text, params) => query(sql, text, params),
    async transaction(work) {
      return await sql.begin((tx) =>
        work({ query: (text, params) => query(tx, text, params) })
      ) as Awaited<ReturnType<typeof work>>;
    },
    async listen(channel, onMessage) {
      const request = await sql.listen(channel, onMessage);
      return () => request.unlisten();
    },
    end: (timeoutS = 5) => sql.end({ timeout: timeoutS }),
  };
}
