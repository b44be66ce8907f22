// Tables and NOTIFY channels of instance coordination on PostgreSQL (README "Running several instances"); created when missing next to the event store's.

/** NOTIFY channel: a stanza waits in the outbox (payload: the component domain). */
export const OUTBOX_CHANNEL = "xmpp_rest_outbox";

/** NOTIFY channel: an iq reply was handed over (payload: `<domain> <row id>`). */
export const HANDOVER_CHANNEL = "xmpp_rest_handover";

/** NOTIFY channel: a stream lease was released (payload: the domain). */
export const LEASE_CHANNEL = "xmpp_rest_lease";

/** The database clock in ms since the epoch: lease and claim times never depend on an instance's clock. */
export const DB_NOW_MS =
  "(extract(epoch from clock_timestamp()) * 1000)::bigint";

/**
 * The coordination tables: one stream lease per component domain, a
 * heartbeat row per instance, the outbox of stanzas that wait for the
 * instance holding the stream, and iq replies handed over to the instance
 * that sent the iq.
 */
export const CLUSTER_SCHEMA = `
CREATE TABLE IF NOT EXISTS xmpp_rest_leases (
  domain TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  epoch BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS xmpp_rest_instances (
  domain TEXT NOT NULL,
  instance TEXT NOT NULL,
  role TEXT NOT NULL,
  online BOOLEAN NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (domain, instance)
);
ALTER TABLE xmpp_rest_instances ADD COLUMN IF NOT EXISTS incarnation TEXT NOT NULL DEFAULT '';
CREATE TABLE IF NOT EXISTS xmpp_rest_outbox (
  id BIGSERIAL PRIMARY KEY,
  domain TEXT NOT NULL,
  origin TEXT NOT NULL,
  stanza TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  claim_owner TEXT,
  claim_until BIGINT
);
CREATE INDEX IF NOT EXISTS xmpp_rest_outbox_domain ON xmpp_rest_outbox (domain, id);
CREATE TABLE IF NOT EXISTS xmpp_rest_handover (
  id BIGSERIAL PRIMARY KEY,
  domain TEXT NOT NULL,
  stanza TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS xmpp_rest_handover_domain ON xmpp_rest_handover (domain, id);
`;
