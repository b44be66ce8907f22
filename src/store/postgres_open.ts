// Opens the PostgreSQL event store for `--store postgres://...` (README "Running several instances"), loading the npm driver only then.

import type { PgClient } from "./postgres_client.ts";
import { type EventStore, StoreError } from "./types.ts";

/** True when `--store` names a PostgreSQL database. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/** A PostgreSQL store and the client it runs on (instance coordination shares it). */
export interface PostgresHandle extends AsyncDisposable {
  /** The event store. */
  readonly store: EventStore;
  /** The connection pool. */
  readonly client: PgClient;
}

/**
 * Connects to `url`, creates the tables when missing and opens the event
 * store. The driver module is imported here, on first use, so the default
 * (SQLite) path loads nothing from npm. Throws {@linkcode StoreError}.
 */
export async function openPostgres(url: string): Promise<PostgresHandle> {
  const [{ connectPostgres }, { openPostgresStore }] = await Promise.all([
    import("./postgres_client.ts"),
    import("./postgres.ts"),
  ]);
  const client = connectPostgres(url);
  try {
    const store = await openPostgresStore(client);
    return {
      store,
      client,
      async [Symbol.asyncDispose]() {
        await store.close();
        await client.end();
      },
    };
  } catch (error) {
    await client.end(0).catch(() => {});
    if (error instanceof StoreError) throw error;
    throw new StoreError("postgres", `Cannot open ${redact(url)}: ${error}`, {
      cause: error,
    });
  }
}

/** The URL without its password, for logs and errors. */
export function redact(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):[^@/]*@/i, "$1:***@");
}
