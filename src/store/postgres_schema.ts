// The PostgreSQL event store's tables (https://www.postgresql.org/docs/15/sql-createtable.html); created when missing, prefixed so they can share a database with Prosody's or ejabberd's own.

import type { PgClient, PgQueryable } from "./postgres_client.ts";

/** The NOTIFY channel told the last id after each append (payload: `<last id> <store token>`). */
export const APPEND_CHANNEL = "xmpp_rest_appended";

/** Advisory lock key that serialises schema creation across instances starting together. */
export const SCHEMA_LOCK = 0x786d7070;

/**
 * Statements that create every table and index of the event store. Event
 * ids come from the single `xmpp_rest_meta` row, whose row lock also
 * serialises appends: ids become visible in order, so a reader never
 * skips an id that a slower transaction commits later.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS xmpp_rest_meta (
  one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
  last_id BIGINT NOT NULL
);
INSERT INTO xmpp_rest_meta (one, last_id) VALUES (TRUE, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS xmpp_rest_events (
  id BIGINT PRIMARY KEY,
  received_at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  from_jid TEXT NOT NULL,
  to_jid TEXT NOT NULL,
  conversation TEXT NOT NULL,
  stanza TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS xmpp_rest_events_received_at ON xmpp_rest_events (received_at);
CREATE TABLE IF NOT EXISTS xmpp_rest_deliveries (
  consumer TEXT NOT NULL,
  event_id BIGINT NOT NULL,
  conversation TEXT NOT NULL,
  state TEXT NOT NULL,
  due_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL,
  claim_owner TEXT,
  claim_until BIGINT,
  last_at BIGINT,
  last_status INTEGER,
  last_reason TEXT,
  PRIMARY KEY (consumer, event_id)
);
CREATE INDEX IF NOT EXISTS xmpp_rest_deliveries_heads
  ON xmpp_rest_deliveries (consumer, state, conversation, event_id);
CREATE INDEX IF NOT EXISTS xmpp_rest_deliveries_event
  ON xmpp_rest_deliveries (event_id);
CREATE TABLE IF NOT EXISTS xmpp_rest_cursors (
  consumer TEXT PRIMARY KEY,
  "offset" BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS xmpp_rest_settings (
  consumer TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (consumer, name)
);
CREATE TABLE IF NOT EXISTS xmpp_rest_inbound_keys (
  key TEXT PRIMARY KEY,
  event_id BIGINT NOT NULL,
  seen_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS xmpp_rest_idempotency (
  key TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  status INTEGER,
  headers TEXT,
  body TEXT
);
`;

/**
 * Creates what `schema` declares when any of its tables or indexes is
 * missing, under an advisory lock so instances starting together take
 * turns. When everything exists no DDL runs at all: `CREATE INDEX IF NOT
 * EXISTS` would still lock its table and could deadlock with instances
 * already at work.
 */
export async function applySchema(
  client: PgClient,
  schema: string,
): Promise<void> {
  const names = [
    ...schema.matchAll(/CREATE (?:TABLE|INDEX) IF NOT EXISTS (\w+)/g),
  ].map((match) => match[1]);
  const present = async (db: PgQueryable) => {
    const [row] = await db.query(
      "SELECT count(*) AS n FROM unnest($1::text[]) AS t(name) WHERE to_regclass(name) IS NOT NULL",
      [names],
    );
    return Number(row.n) === names.length;
  };
  if (await present(client)) return;
  await client.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [SCHEMA_LOCK]);
    if (await present(tx)) return;
    for (const statement of schema.split(";")) {
      if (statement.trim()) await tx.query(statement);
    }
  });
}
