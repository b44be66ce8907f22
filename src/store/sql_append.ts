// The SQL back-ends' append (README "Receiving you can trust", "Re-sent messages and receipts"): one transaction that stores new events with their deliveries and recognises re-sent ones by their de-duplication key.

import type { AppendedEvent, AppendOptions, NewEvent } from "./types.ts";
import {
  appendedEvents,
  dedupeVerdicts,
  keysToRecord,
  type SeenKey,
} from "./common.ts";
import { list, query, queryOn, type SqlKind } from "./sql_dialect.ts";
import { changes, rows, type SqlOp } from "./sql_op.ts";
import { APPEND_CHANNEL } from "./postgres_schema.ts";

/** What {@linkcode appendEvents} returns. */
export interface AppendResult {
  /** The append's answer, one per event. */
  readonly out: AppendedEvent[];
  /** The last new id; undefined when every event was a duplicate. */
  readonly last: number | undefined;
}

// PostgreSQL only: the meta row lock serialises appends, so of two
// instances reading the same re-sent stanza the second sees the first
// one's key. SQLite's BEGIN IMMEDIATE already admits one writer.
const LOCK_APPENDS = queryOn(
  "postgres",
  () => "SELECT 1 FROM xmpp_rest_meta FOR UPDATE",
);
const SEEN_KEYS = query((d) =>
  `SELECT key, event_id, seen_at FROM ${d.inboundKeys} WHERE key ${
    d.inList("$1", "text")
  }`
);
const UNDELIVERED = query((d) =>
  `SELECT DISTINCT event_id FROM ${d.deliveries}
   WHERE event_id ${d.inList("$1", "bigint")} AND consumer ${
    d.inList("$2", "text")
  }`
);

/**
 * {@linkcode EventStore.append} (atomic): `token` names the store in the
 * NOTIFY that tells other PostgreSQL instances.
 */
export function* appendEvents(
  kind: SqlKind,
  events: readonly NewEvent[],
  options: AppendOptions,
  token: string,
): SqlOp<AppendResult> {
  const deliverTo = options.deliverTo ?? [];
  const { dedupe } = options;
  const keys = (dedupe?.keys ?? []).filter((k) => k !== undefined);
  if (keys.length > 0 && kind === "postgres") yield* rows(LOCK_APPENDS);
  const seen = new Map<string, SeenKey>(
    keys.length === 0 ? [] : (yield* rows(SEEN_KEYS, [list(keys)])).map((
      r,
    ) => [String(r.key), {
      eventId: Number(r.event_id),
      seenAt: Number(r.seen_at),
    }]),
  );
  const verdicts = dedupeVerdicts(events.length, dedupe, seen);
  const fresh = events.filter((_, i) => verdicts[i].kind === "store");
  const ids = fresh.length === 0
    ? []
    : kind === "sqlite"
    ? yield* insertSqlite(fresh, deliverTo)
    : yield* insertPostgres(fresh, deliverTo, token);
  const firstIds = verdicts.flatMap((v) =>
    v.kind === "seen" ? [v.eventId] : []
  );
  const undelivered = new Set(
    firstIds.length === 0 || deliverTo.length === 0
      ? []
      : (yield* rows(UNDELIVERED, [list(firstIds), list(deliverTo)])).map((
        r,
      ) => Number(r.event_id)),
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
    if (kind === "sqlite") yield* recordKeysSqlite(record);
    else yield* recordKeysPostgres(record);
  }
  return { out, last: ids.at(-1) };
}

// Inserting events: SQLite runs one cached prepared statement per row
// (https://sqlite.org/c3ref/stmt.html), which costs no round trip, and
// takes ids from AUTOINCREMENT; PostgreSQL inserts the whole batch with
// unnest() (PostgreSQL documentation, section 9.19) under ids from the
// meta row, whose lock makes ids visible in order.
const INSERT_EVENT = queryOn(
  "sqlite",
  (d) =>
    `INSERT INTO ${d.events} (received_at, kind, from_jid, to_jid, conversation, stanza)
   VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
);
const INSERT_DELIVERY = queryOn(
  "sqlite",
  (d) =>
    `INSERT INTO ${d.deliveries} (consumer, event_id, conversation, state, due_at, attempts)
   VALUES ($1, $2, $3, 'pending', $4, 0)`,
);
const ALLOCATE_IDS = queryOn(
  "postgres",
  () => "UPDATE xmpp_rest_meta SET last_id = last_id + $1 RETURNING last_id",
);
const INSERT_EVENTS = queryOn(
  "postgres",
  (d) =>
    `INSERT INTO ${d.events} (id, received_at, kind, from_jid, to_jid, conversation, stanza)
   SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
);
const INSERT_DELIVERIES = queryOn(
  "postgres",
  (d) =>
    `INSERT INTO ${d.deliveries} (consumer, event_id, conversation, state, due_at, attempts)
   SELECT $1, e, c, 'pending', d, 0 FROM unnest($2::bigint[], $3::text[], $4::bigint[]) AS u(e, c, d)`,
);
const NOTIFY = queryOn("postgres", () => "SELECT pg_notify($1, $2)");

/** Inserts `events` and their deliveries on SQLite; returns their ids. */
function* insertSqlite(
  events: readonly NewEvent[],
  deliverTo: readonly string[],
): SqlOp<number[]> {
  const ids: number[] = [];
  for (const event of events) {
    const [row] = yield* rows(INSERT_EVENT, [
      event.receivedAt,
      event.kind,
      event.from,
      event.to,
      event.conversation,
      event.stanza,
    ]);
    const id = Number(row.id);
    for (const consumer of deliverTo) {
      yield* changes(INSERT_DELIVERY, [
        consumer,
        id,
        event.conversation,
        event.receivedAt,
      ]);
    }
    ids.push(id);
  }
  return ids;
}

/**
 * Inserts `events` and their deliveries on PostgreSQL and tells the other
 * instances (`token` names this store); returns their ids.
 */
function* insertPostgres(
  events: readonly NewEvent[],
  deliverTo: readonly string[],
  token: string,
): SqlOp<number[]> {
  const [meta] = yield* rows(ALLOCATE_IDS, [events.length]);
  const first = Number(meta.last_id) - events.length + 1;
  const ids = events.map((_, i) => first + i);
  yield* changes(INSERT_EVENTS, [
    list(ids),
    list(events.map((e) => e.receivedAt)),
    list(events.map((e) => e.kind)),
    list(events.map((e) => e.from)),
    list(events.map((e) => e.to)),
    list(events.map((e) => e.conversation)),
    list(events.map((e) => e.stanza)),
  ]);
  for (const consumer of deliverTo) {
    yield* changes(INSERT_DELIVERIES, [
      consumer,
      list(ids),
      list(events.map((e) => e.conversation)),
      list(events.map((e) => e.receivedAt)),
    ]);
  }
  yield* rows(NOTIFY, [APPEND_CHANNEL, `${ids[ids.length - 1]} ${token}`]);
  return ids;
}

// Recording keys: as inserting events, one prepared statement per key on
// SQLite, one unnest() batch on PostgreSQL.
const RECORD_KEY = queryOn(
  "sqlite",
  (d) =>
    `INSERT INTO ${d.inboundKeys} (key, event_id, seen_at) VALUES ($1, $2, $3)
   ON CONFLICT (key) DO UPDATE SET event_id = excluded.event_id, seen_at = excluded.seen_at`,
);
const RECORD_KEYS = queryOn(
  "postgres",
  (d) =>
    `INSERT INTO ${d.inboundKeys} (key, event_id, seen_at)
   SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])
   ON CONFLICT (key) DO UPDATE SET event_id = excluded.event_id, seen_at = excluded.seen_at`,
);

type KeyRecord = { key: string; eventId: number; seenAt: number };

/** Records de-duplication keys on SQLite. */
function* recordKeysSqlite(record: readonly KeyRecord[]): SqlOp<void> {
  for (const k of record) {
    yield* changes(RECORD_KEY, [k.key, k.eventId, k.seenAt]);
  }
}

/** Records de-duplication keys on PostgreSQL. */
function* recordKeysPostgres(record: readonly KeyRecord[]): SqlOp<void> {
  yield* changes(RECORD_KEYS, [
    list(record.map((k) => k.key)),
    list(record.map((k) => k.eventId)),
    list(record.map((k) => k.seenAt)),
  ]);
}
