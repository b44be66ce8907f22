// The one file that talks to the PostgreSQL driver (npm `pg`, node-postgres: https://node-postgres.com): a small client interface the PostgreSQL store and instance coordination use.

import pgModule from "pg";

// The part of node-postgres used here (https://node-postgres.com/apis/pool,
// https://node-postgres.com/apis/client), typed locally.
interface DriverConfig {
  connectionString: string;
  connectionTimeoutMillis: number;
  max?: number;
}
interface DriverResult {
  rows: PgRow[];
  rowCount: number | null;
}
interface DriverConnection {
  query(text: string, params?: unknown[]): Promise<DriverResult>;
  on(event: "error", listener: (error: Error) => void): unknown;
  off(event: "error", listener: (error: Error) => void): unknown;
}
interface DriverPoolClient extends DriverConnection {
  release(destroy?: boolean): void;
}
interface DriverPool {
  query(text: string, params?: unknown[]): Promise<DriverResult>;
  connect(): Promise<DriverPoolClient>;
  on(event: "error", listener: (error: Error) => void): unknown;
  end(): Promise<void>;
}
interface DriverClient extends DriverConnection {
  connect(): Promise<void>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "end", listener: () => void): unknown;
  on(
    event: "notification",
    listener: (message: { channel: string; payload?: string }) => void,
  ): unknown;
}
const pg = pgModule as {
  Pool: new (config: DriverConfig) => DriverPool;
  Client: new (config: DriverConfig) => DriverClient;
};

/** One result row: column name to value (BIGINT columns arrive as strings: convert with `Number()`). */
export type PgRow = Record<string, unknown>;

/** Runs parameterised SQL (`$1`, `$2`, ...). */
export interface PgQueryable {
  /** Runs one statement and returns its rows. */
  query(text: string, params?: readonly unknown[]): Promise<PgRow[]>;
  /** Runs one statement and returns how many rows it inserted, updated or deleted. */
  execute(text: string, params?: readonly unknown[]): Promise<number>;
}

/** A pool of connections to one database. */
export interface PgClient extends PgQueryable {
  /** Runs `work` in one transaction (committed when it resolves, rolled back when it throws). */
  transaction<T>(work: (tx: PgQueryable) => Promise<T>): Promise<T>;
  /**
   * Calls `onMessage` with the payload of every NOTIFY on `channel`, on a
   * dedicated connection that reconnects and listens again after the
   * server restarts; resolves once listening (or once the first attempt
   * failed: it keeps trying) and returns the function that stops it.
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
  ): Promise<() => Promise<void>>;
  /** Closes every connection. */
  end(timeoutS?: number): Promise<void>;
}

/** Options of {@linkcode connectPostgres}. */
export interface PgConnectOptions {
  /** Most connections in the pool. Default 10. */
  readonly max?: number;
  /** Seconds to wait for a connection. Default 10. */
  readonly connectTimeoutS?: number;
}

const RELISTEN_MIN_MS = 200;
const RELISTEN_MAX_MS = 5_000;

/**
 * A client for a `postgres://` or `postgresql://` URL. Connections open
 * lazily (the first query); a connection broken by a server restart is
 * dropped from the pool and the next query opens a new one, so a query
 * that runs while the server is away rejects and later ones succeed.
 */
export function connectPostgres(
  url: string,
  options: PgConnectOptions = {},
): PgClient {
  const config = {
    connectionString: url,
    connectionTimeoutMillis: (options.connectTimeoutS ?? 10) * 1000,
  };
  const pool = new pg.Pool({ ...config, max: options.max ?? 10 });
  // An idle connection the server closed: the pool drops it by itself.
  pool.on("error", () => {});
  const listener = new Listener(config);
  const rows = async (
    runner: DriverConnection | DriverPool,
    text: string,
    params: readonly unknown[] = [],
  ) => (await runner.query(text, params as unknown[])).rows as PgRow[];
  const changed = async (
    runner: DriverConnection | DriverPool,
    text: string,
    params: readonly unknown[] = [],
  ) => (await runner.query(text, params as unknown[])).rowCount ?? 0;
  return {
    query: (text, params) => rows(pool, text, params),
    execute: (text, params) => changed(pool, text, params),
    async transaction(work) {
      const client = await pool.connect();
      let broken: unknown;
      // The server may end the connection between two statements (a
      // restart): without a listener node-postgres would throw it globally.
      const onError = (error: Error) => broken = error;
      client.on("error", onError);
      try {
        await client.query("BEGIN");
        const result = await work({
          query: (text, params) => rows(client, text, params),
          execute: (text, params) => changed(client, text, params),
        });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch((rollback) => broken = rollback);
        throw error;
      } finally {
        client.off("error", onError);
        client.release(broken !== undefined);
      }
    },
    listen: (channel, onMessage) => listener.add(channel, onMessage),
    async end() {
      await listener.close();
      await pool.end();
    },
  };
}

/** One connection for LISTEN, reconnected with backoff when it breaks. */
class Listener {
  #config: DriverConfig;
  #handlers = new Map<string, Set<(payload: string) => void>>();
  #client: DriverClient | undefined;
  #connecting: Promise<void> | undefined;
  #closed = false;
  #delay = RELISTEN_MIN_MS;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(config: DriverConfig) {
    this.#config = config;
  }

  async add(
    channel: string,
    onMessage: (payload: string) => void,
  ): Promise<() => Promise<void>> {
    let handlers = this.#handlers.get(channel);
    const first = !handlers;
    if (!handlers) this.#handlers.set(channel, handlers = new Set());
    handlers.add(onMessage);
    await this.#ensure();
    if (first && this.#client) {
      await this.#client.query(`LISTEN ${ident(channel)}`).catch(() => {});
    }
    return async () => {
      handlers.delete(onMessage);
      if (handlers.size > 0) return;
      this.#handlers.delete(channel);
      await this.#client?.query(`UNLISTEN ${ident(channel)}`).catch(() => {});
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#connecting;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  #ensure(): Promise<void> {
    if (this.#client || this.#closed) return Promise.resolve();
    this.#connecting ??= this.#connect().finally(() =>
      this.#connecting = undefined
    );
    return this.#connecting;
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.#config);
    const lost = () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      client.end().catch(() => {});
      this.#retry();
    };
    client.on("error", lost);
    client.on("end", lost);
    client.on("notification", (message) => {
      for (const handler of this.#handlers.get(message.channel) ?? []) {
        try {
          handler(message.payload ?? "");
        } catch {
          // a handler's failure is its own business
        }
      }
    });
    try {
      await client.connect();
      for (const channel of this.#handlers.keys()) {
        await client.query(`LISTEN ${ident(channel)}`);
      }
    } catch {
      await client.end().catch(() => {});
      this.#retry();
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#delay = RELISTEN_MIN_MS;
  }

  #retry(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#ensure();
    }, this.#delay);
    this.#delay = Math.min(this.#delay * 2, RELISTEN_MAX_MS);
  }
}

/** A quoted SQL identifier (PostgreSQL documentation, section 4.1.1: double quotes doubled). */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
