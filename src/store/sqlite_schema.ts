// The SQLite event store's tables (https://sqlite.org/lang_createtable.html); created when missing.

/** Statements that create every table and index the SQLite store uses. */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  from_jid TEXT NOT NULL,
  to_jid TEXT NOT NULL,
  conversation TEXT NOT NULL,
  stanza TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_received_at ON events (received_at);
CREATE TABLE IF NOT EXISTS deliveries (
  consumer TEXT NOT NULL,
  event_id INTEGER NOT NULL,
  conversation TEXT NOT NULL,
  state TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  claim_owner TEXT,
  claim_until INTEGER,
  last_at INTEGER,
  last_status INTEGER,
  last_reason TEXT,
  PRIMARY KEY (consumer, event_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deliveries_heads
  ON deliveries (consumer, state, conversation, event_id);
CREATE INDEX IF NOT EXISTS deliveries_event ON deliveries (event_id);
CREATE TABLE IF NOT EXISTS cursors (
  consumer TEXT PRIMARY KEY,
  offset INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
  consumer TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (consumer, name)
);
CREATE TABLE IF NOT EXISTS inbound_keys (
  key TEXT PRIMARY KEY,
  event_id INTEGER NOT NULL,
  seen_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  status INTEGER,
  headers TEXT,
  body TEXT
);
`;
