// The PostgreSQL event store's append (README "Running several instances"): one transaction that stores new events with their deliveries and recognises re-sent ones by their de-duplication key.

import type { AppendedEvent, AppendOptions, NewEvent } from "./types.ts";
import {
  appendedEvents,
  dedupeVerdicts,
  keysToRecord,
  type SeenKey,
} from "./common.ts";
import { APPEND_CHANNEL } from "./postgres_schema.ts";
import type { PgQueryable } from "./postgres_client.ts";

/**
 * Appends `events` inside the transaction `tx`; `token` names the store
 * in the NOTIFY payload. Returns the append's answer and the last new id
 * (undefined when every event was a duplicate).
 */
export async function appendInTransaction(
  tx: PgQueryable,
  events: readonly NewEvent[],
  options: AppendOptions,
  token: string,
): Promise<{ out: AppendedEvent[]; last: number | undefined }> {
  const deliverTo = options.deliverTo ?? [];
  const { dedupe } = options;
  const keys = (dedupe?.keys ?? []).filter((k) => k !== undefined);
  // The meta row lock serialises appends: of two instances reading the
  // same re-sent stanza, the second sees the first one's key.
  if (keys.length > 0) {
    await tx.query("SELECT 1 FROM xmpp_rest_meta FOR UPDATE");
  }
  const seen = new Map<string, SeenKey>(
    keys.length === 0 ? [] : (await tx.query(
      "SELECT key, event_id, seen_at FROM xmpp_rest_inbound_keys WHERE key = ANY($1::text[])",
      [keys],
    )).map((r) => [String(r.key), {
      eventId: Number(r.event_id),
      seenAt: Number(r.seen_at),
    }]),
  );
  const verdicts = dedupeVerdicts(events.length, dedupe, seen);
  const fresh = events.filter((_, i) => verdicts[i].kind === "store");
  const ids = fresh.length === 0
    ? []
    : await insertEvents(tx, fresh, deliverTo, token);
  const firstIds = verdicts.flatMap((v) =>
    v.kind === "seen" ? [v.eventId] : []
  );
  const undelivered = new Set(
    firstIds.length === 0 || deliverTo.length === 0 ? [] : (await tx.query(
      "SELECT DISTINCT event_id FROM xmpp_rest_deliveries WHERE event_id = ANY($1::bigint[]) AND consumer = ANY($2::text[])",
      [firstIds, deliverTo],
    )).map((r) => Number(r.event_id)),
  );
  const out = appendedEvents(
    events,
    verdicts,
    ids,
    (id) => undelivered.has(id),
    deliverTo.length > 0,
  );
  const record = keysToRecord(events, verdicts, out, dedupe);
  if (record.length > 0) {
    await tx.query(
      `INSERT INTO xmpp_rest_inbound_keys (key, event_id, seen_at)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])
       ON CONFLICT (key) DO UPDATE SET event_id = EXCLUDED.event_id, seen_at = EXCLUDED.seen_at`,
      [
        record.map((k) => k.key),
        record.map((k) => k.eventId),
        record.map((k) => k.seenAt),
      ],
    );
  }
  return { out, last: ids.at(-1) };
}

/** Inserts events with the next ids (and their deliveries) and tells the other instances (`token` names this store); returns the ids. */
async function insertEvents(
  tx: PgQueryable,
  events: readonly NewEvent[],
  deliverTo: readonly string[],
  token: string,
): Promise<number[]> {
  const [meta] = await tx.query(
    "UPDATE xmpp_rest_meta SET last_id = last_id + $1 RETURNING last_id",
    [events.length],
  );
  const first = Number(meta.last_id) - events.length + 1;
  const rows = events.map((event, i) => ({ ...event, id: first + i }));
  await tx.query(
    `INSERT INTO xmpp_rest_events (id, received_at, kind, from_jid, to_jid, conversation, stanza)
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
    [
      rows.map((e) => e.id),
      rows.map((e) => e.receivedAt),
      rows.map((e) => e.kind),
      rows.map((e) => e.from),
      rows.map((e) => e.to),
      rows.map((e) => e.conversation),
      rows.map((e) => e.stanza),
    ],
  );
  for (const consumer of deliverTo) {
    await tx.query(
      `INSERT INTO xmpp_rest_deliveries (consumer, event_id, conversation, state, due_at, attempts)
         SELECT $1, e, c, 'pending', d, 0 FROM unnest($2::bigint[], $3::text[], $4::bigint[]) AS u(e, c, d)`,
      [
        consumer,
        rows.map((e) => e.id),
        rows.map((e) => e.conversation),
        rows.map((e) => e.receivedAt),
      ],
    );
  }
  const last = rows[rows.length - 1].id;
  await tx.query("SELECT pg_notify($1, $2)", [
    APPEND_CHANNEL,
    `${last} ${token}`,
  ]);
  return rows.map((e) => e.id);
}
