// The SQL back-ends' reads of the event log, pull cursors, settings and idempotency records (README "Receiving you can trust"): each query and its logic once, for SQLite and PostgreSQL.

import type {
  IdempotencyBegin,
  PullCursor,
  StoredEvent,
  StoredResponse,
} from "./types.ts";
import { idempotencyAnswer } from "./common.ts";
import { query, queryPerDialect } from "./sql_dialect.ts";
import { changes, rows, type SqlOp } from "./sql_op.ts";
import { eventFromRow, idempotencyFromRow } from "./sql_rows.ts";

const READ = query((d) =>
  `SELECT * FROM ${d.events} WHERE id >= $1 ORDER BY id LIMIT $2`
);

/** {@linkcode EventStore.read}. */
export function* readEvents(
  fromId: number,
  limit: number,
): SqlOp<StoredEvent[]> {
  return (yield* rows(READ, [fromId, limit])).map(eventFromRow);
}

const LAST_ID = queryPerDialect({
  // AUTOINCREMENT keeps the largest id ever used in sqlite_sequence
  // (https://sqlite.org/autoinc.html): it survives deleting every event.
  sqlite: () =>
    "SELECT seq AS last_id FROM sqlite_sequence WHERE name = 'events'",
  // Ids come from the one meta row (postgres_schema.ts).
  postgres: () => "SELECT last_id FROM xmpp_rest_meta",
});

/** {@linkcode EventStore.lastId}. */
export function* lastEventId(): SqlOp<number> {
  const [row] = yield* rows(LAST_ID);
  return Number(row?.last_id ?? 0);
}

const COUNT = query((d) => `SELECT count(*) AS n FROM ${d.events}`);

/** {@linkcode EventStore.countEvents}. */
export function* countEvents(): SqlOp<number> {
  const [row] = yield* rows(COUNT);
  return Number(row.n);
}

const GET_CURSOR = query((d) =>
  `SELECT "offset" FROM ${d.cursors} WHERE consumer = $1`
);
const SET_CURSOR = query((d) =>
  `INSERT INTO ${d.cursors} (consumer, "offset") VALUES ($1, $2)
   ON CONFLICT (consumer) DO UPDATE
   SET "offset" = ${d.greatest}(${d.cursors}."offset", excluded."offset")`
);
const LIST_CURSORS = query((d) =>
  `SELECT consumer, "offset" FROM ${d.cursors} ORDER BY consumer COLLATE ${d.byteOrder}`
);
const DELETE_CURSOR = query((d) =>
  `DELETE FROM ${d.cursors} WHERE consumer = $1`
);

/** {@linkcode EventStore.getCursor}. */
export function* getCursor(consumer: string): SqlOp<number> {
  const [row] = yield* rows(GET_CURSOR, [consumer]);
  return Number(row?.offset ?? 0);
}

/** {@linkcode EventStore.setCursor}: never moves back. */
export function* setCursor(consumer: string, offset: number): SqlOp<void> {
  yield* changes(SET_CURSOR, [consumer, offset]);
}

/** {@linkcode EventStore.listCursors}. */
export function* listCursors(): SqlOp<PullCursor[]> {
  return (yield* rows(LIST_CURSORS)).map((row) => ({
    consumer: String(row.consumer),
    offset: Number(row.offset),
  }));
}

/** {@linkcode EventStore.deleteCursor}. */
export function* deleteCursor(consumer: string): SqlOp<boolean> {
  return (yield* changes(DELETE_CURSOR, [consumer])) > 0;
}

const GET_SETTING = query((d) =>
  `SELECT value FROM ${d.settings} WHERE consumer = $1 AND name = $2`
);
const PUT_SETTING = query((d) =>
  `INSERT INTO ${d.settings} (consumer, name, value) VALUES ($1, $2, $3)
   ON CONFLICT (consumer, name) DO UPDATE SET value = excluded.value`
);
const DELETE_SETTING = query((d) =>
  `DELETE FROM ${d.settings} WHERE consumer = $1 AND name = $2`
);

/** {@linkcode EventStore.getSetting}. */
export function* getSetting(
  consumer: string,
  name: string,
): SqlOp<string | undefined> {
  const [row] = yield* rows(GET_SETTING, [consumer, name]);
  return row === undefined ? undefined : String(row.value);
}

/** {@linkcode EventStore.setSetting}: `undefined` removes it. */
export function* setSetting(
  consumer: string,
  name: string,
  value: string | undefined,
): SqlOp<void> {
  if (value === undefined) {
    yield* changes(DELETE_SETTING, [consumer, name]);
  } else yield* changes(PUT_SETTING, [consumer, name, value]);
}

const RESERVE_KEY = query((d) =>
  `INSERT INTO ${d.idempotency} (key, fingerprint, created_at) VALUES ($1, $2, $3)
   ON CONFLICT (key) DO NOTHING RETURNING key`
);
const KEPT_KEY = query((d) =>
  `SELECT * FROM ${d.idempotency} WHERE key = $1${d.lockRows}`
);
const RENEW_KEY = query((d) =>
  `UPDATE ${d.idempotency} SET fingerprint = $2, created_at = $3,
     status = NULL, headers = NULL, body = NULL WHERE key = $1`
);
const COMPLETE_KEY = query((d) =>
  `UPDATE ${d.idempotency} SET status = $1, headers = $2, body = $3 WHERE key = $4`
);
const RELEASE_KEY = query((d) => `DELETE FROM ${d.idempotency} WHERE key = $1`);

/**
 * {@linkcode EventStore.beginIdempotent} (atomic): reserves a new key, or
 * answers from the kept record as {@linkcode idempotencyAnswer} decides
 * and renews an expired one.
 */
export function* beginIdempotent(
  key: string,
  fingerprint: string,
  options: { readonly now: number; readonly ttlMs: number },
): SqlOp<IdempotencyBegin> {
  const reserved = yield* rows(RESERVE_KEY, [key, fingerprint, options.now]);
  if (reserved.length > 0) return { state: "new" };
  const [row] = yield* rows(KEPT_KEY, [key]);
  const kept = idempotencyAnswer(
    row && idempotencyFromRow(row),
    fingerprint,
    options,
  );
  if (kept) return kept;
  yield* changes(RENEW_KEY, [key, fingerprint, options.now]);
  return { state: "new" };
}

/** {@linkcode EventStore.completeIdempotent}. */
export function* completeIdempotent(
  key: string,
  response: StoredResponse,
): SqlOp<void> {
  yield* changes(COMPLETE_KEY, [
    response.status,
    JSON.stringify(response.headers),
    response.body,
    key,
  ]);
}

/** {@linkcode EventStore.abandonIdempotent}. */
export function* abandonIdempotent(key: string): SqlOp<void> {
  yield* changes(RELEASE_KEY, [key]);
}
