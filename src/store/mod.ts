// The event store (README "Receiving you can trust"): interface, back-ends and the opener.

export * from "./types.ts";
export { createMemoryStore } from "./memory.ts";
export { openSqliteStore, type SqliteStoreOptions } from "./sqlite.ts";
export { MEMORY_DATA_DIR, openStore, SQLITE_FILE } from "./open.ts";
export {
  isPostgresUrl,
  openPostgres,
  type PostgresHandle,
  redact,
} from "./postgres_open.ts";
