// Chooses the event store back-end from `--data-dir` (README "Configuration"): `:memory:` or a directory with one SQLite file.

import { createMemoryStore } from "./memory.ts";
import { openSqliteStore } from "./sqlite.ts";
import { type EventStore, StoreError } from "./types.ts";

/** `--data-dir` value that keeps events in memory only. */
export const MEMORY_DATA_DIR = ":memory:";

/** Default `--data-dir`. */
export const DEFAULT_DATA_DIR = "./xmpp-rest-data";

/** Default `--event-retention`: 72 h, longer than the whole default retry schedule. */
export const DEFAULT_EVENT_RETENTION_MS = 72 * 3_600_000;

/** The SQLite file's name inside the data directory. */
export const SQLITE_FILE = "events.sqlite";

/**
 * Opens the store for a data directory: `:memory:` gives the in-memory
 * store; any other value is a directory (created when missing) holding
 * `events.sqlite`. Throws {@linkcode StoreError} when it cannot.
 *
 * @example
 * ```ts
 * await using store = await openStore("./xmpp-rest-data");
 * ```
 */
export async function openStore(dataDir: string): Promise<EventStore> {
  if (dataDir === MEMORY_DATA_DIR) return createMemoryStore();
  try {
    await Deno.mkdir(dataDir, { recursive: true });
  } catch (error) {
    throw new StoreError(
      "sqlite",
      `Cannot create the data directory "${dataDir}": ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }
  const slash = dataDir.endsWith("/") ? "" : "/";
  return openSqliteStore({ path: `${dataDir}${slash}${SQLITE_FILE}` });
}
