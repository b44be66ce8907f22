// The steps of an append that SQLite and PostgreSQL take their own way (README "Receiving you can trust"), side by side: SQLite runs one cached prepared statement per row in-process (https://sqlite.org/c3ref/stmt.html), PostgreSQL one statement per batch, a round trip each.

import type { NewEvent } from "./types.ts";
import { list, queryOn, type SqlKind } from "./sql_dialect.ts";
import { changes, rows, type SqlOp, step } from "./sql_op.ts";
import type { SqlRow } from "./sql_rows.ts";
import { APPEND_CHANNEL } from "./postgres_schema.ts";

/** A de-duplication key an append records for the event it stored. */
export interface KeyRecord {
  /** The key. */
  readonly key: string;
  /** The stored event. */
  readonly eventId: number;
  /** Its receive time. */
  readonly seenAt: number;
}

/** What an append does differently per dialect. */
export interface AppendSteps {
  /** The recorded rows (`key`, `event_id`, `seen_at`) of `keys`. */
  seenKeys(keys: readonly string[]): SqlOp<SqlRow[]>;
  /** Stores `events` with a pending delivery for each of `deliverTo`; their ids. */
  insertEvents(
    events: readonly NewEvent[],
    deliverTo: readonly string[],
    token: string,
  ): SqlOp<number[]>;
  /** Records (or moves) de-duplication keys. */
  recordKeys(record: readonly KeyRecord[]): SqlOp<void>;
}

const SQLITE_SEEN_KEY = queryOn(
  "sqlite",
  (d) => `SELECT key, event_id, seen_at FROM ${d.inboundKeys} WHERE key = $1`,
);
const SQLITE_INSERT_EVENT = queryOn(
  "sqlite",
  (d) =>
    `INSERT INTO ${d.events} (received_at, kind, from_jid, to_jid, conversation, stanza)
   VALUES ($1, $2, $3, $4, $5, $6)`,
);
const SQLITE_INSERT_DELIVERY = queryOn(
  "sqlite",
  (d) =>
    `INSERT INTO ${d.deliveries} (consumer, event_id, conversation, state, due_at, attempts)
   VALUES ($1, $2, $3, 'pending', $4, 0)`,
);
const SQLITE_RECORD_KEY = queryOn(
  "sqlite",
  (d) =>
    `INSERT INTO ${d.inboundKeys} (key, event_id, seen_at) VALUES ($1, $2, $3)
   ON CONFLICT (key) DO UPDATE SET event_id = excluded.event_id, seen_at = excluded.seen_at`,
);

/**
 * SQLite: the caller's BEGIN IMMEDIATE admits one writer, ids come from
 * AUTOINCREMENT (https://sqlite.org/autoinc.html), and a primary-key
 * lookup per key costs less than unpacking a JSON list.
 */
const SQLITE_STEPS: AppendSteps = {
  // The append path of reliable mode and pull: each statement is yielded
  // as a step() (no helper generator per row).
  *seenKeys(keys) {
    const found: SqlRow[] = [];
    for (const key of keys.length > 1 ? new Set(keys) : keys) {
      const rows = yield step(SQLITE_SEEN_KEY, [key], "rows");
      for (const row of rows as SqlRow[]) found.push(row);
    }
    return found;
  },
  *insertEvents(events, deliverTo) {
    const ids: number[] = [];
    for (const event of events) {
      const id = (yield step(SQLITE_INSERT_EVENT, [
        event.receivedAt,
        event.kind,
        event.from,
        event.to,
        event.conversation,
        event.stanza,
      ], "rowid")) as number;
      for (const consumer of deliverTo) {
        const delivery = [consumer, id, event.conversation, event.receivedAt];
        yield step(SQLITE_INSERT_DELIVERY, delivery, "changes");
      }
      ids.push(id);
    }
    return ids;
  },
  *recordKeys(record) {
    for (const k of record) {
      const params = [k.key, k.eventId, k.seenAt];
      yield step(SQLITE_RECORD_KEY, params, "changes");
    }
  },
};

const PG_LOCK_APPENDS = queryOn(
  "postgres",
  () => "SELECT 1 FROM xmpp_rest_meta FOR UPDATE",
);
const PG_SEEN_KEYS = queryOn(
  "postgres",
  (d) =>
    `SELECT key, event_id, seen_at FROM ${d.inboundKeys} WHERE key ${
      d.inList("$1", "text")
    }`,
);
const PG_ALLOCATE_IDS = queryOn(
  "postgres",
  () => "UPDATE xmpp_rest_meta SET last_id = last_id + $1 RETURNING last_id",
);
const PG_INSERT_EVENTS = queryOn(
  "postgres",
  (d) =>
    `INSERT INTO ${d.events} (id, received_at, kind, from_jid, to_jid, conversation, stanza)
   SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
);
const PG_INSERT_DELIVERIES = queryOn(
  "postgres",
  (d) =>
    `INSERT INTO ${d.deliveries} (consumer, event_id, conversation, state, due_at, attempts)
   SELECT $1, e, c, 'pending', d, 0 FROM unnest($2::bigint[], $3::text[], $4::bigint[]) AS u(e, c, d)`,
);
const PG_NOTIFY = queryOn("postgres", () => "SELECT pg_notify($1, $2)");
const PG_RECORD_KEYS = queryOn(
  "postgres",
  (d) =>
    `INSERT INTO ${d.inboundKeys} (key, event_id, seen_at)
   SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])
   ON CONFLICT (key) DO UPDATE SET event_id = excluded.event_id, seen_at = excluded.seen_at`,
);

/**
 * PostgreSQL: the meta row hands out ids and its row lock (PostgreSQL
 * documentation, section 13.3.2) serialises appends, so ids become
 * visible in order and, of two instances reading the same re-sent stanza,
 * the second sees the first one's key; batches go as arrays through
 * unnest() (section 9.19); the NOTIFY tells the other instances.
 */
const POSTGRES_STEPS: AppendSteps = {
  *seenKeys(keys) {
    yield* rows(PG_LOCK_APPENDS);
    return yield* rows(PG_SEEN_KEYS, [list(keys)]);
  },
  *insertEvents(events, deliverTo, token) {
    const [meta] = yield* rows(PG_ALLOCATE_IDS, [events.length]);
    const first = Number(meta.last_id) - events.length + 1;
    const ids = events.map((_, i) => first + i);
    const conversations = list(events.map((e) => e.conversation));
    const receivedAts = list(events.map((e) => e.receivedAt));
    yield* changes(PG_INSERT_EVENTS, [
      list(ids),
      receivedAts,
      list(events.map((e) => e.kind)),
      list(events.map((e) => e.from)),
      list(events.map((e) => e.to)),
      conversations,
      list(events.map((e) => e.stanza)),
    ]);
    for (const consumer of deliverTo) {
      yield* changes(PG_INSERT_DELIVERIES, [
        consumer,
        list(ids),
        conversations,
        receivedAts,
      ]);
    }
    yield* rows(PG_NOTIFY, [APPEND_CHANNEL, `${ids.at(-1)} ${token}`]);
    return ids;
  },
  *recordKeys(record) {
    yield* changes(PG_RECORD_KEYS, [
      list(record.map((k) => k.key)),
      list(record.map((k) => k.eventId)),
      list(record.map((k) => k.seenAt)),
    ]);
  },
};

/** Each dialect's append steps. */
export const APPEND_STEPS: Readonly<Record<SqlKind, AppendSteps>> = {
  sqlite: SQLITE_STEPS,
  postgres: POSTGRES_STEPS,
};
