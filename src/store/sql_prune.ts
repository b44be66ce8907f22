// The SQL back-ends' pruning (README "What is kept, and for how long"): events past retention, and events every consumer is done with, for SQLite and PostgreSQL.

import type { AckPruned, AckScope } from "./types.ts";
import { boundWithoutCursors } from "./common.ts";
import { query, queryOn, type SqlKind } from "./sql_dialect.ts";
import { changes, rows, type SqlOp } from "./sql_op.ts";

const OLD_DELIVERIES = query((d) =>
  `DELETE FROM ${d.deliveries} WHERE event_id IN
     (SELECT id FROM ${d.events} WHERE received_at < $1)`
);
const OLD_IDEMPOTENCY = query((d) =>
  `DELETE FROM ${d.idempotency} WHERE created_at < $1`
);
const OLD_KEYS = query((d) =>
  `DELETE FROM ${d.inboundKeys} WHERE seen_at < $1`
);
const OLD_EVENTS = query((d) =>
  `DELETE FROM ${d.events} WHERE received_at < $1`
);

/**
 * {@linkcode EventStore.prune} (atomic): deletes events received before
 * `before` with their deliveries, and idempotency records and
 * de-duplication keys older than that; returns how many events.
 */
export function* pruneOld(before: number): SqlOp<number> {
  yield* changes(OLD_DELIVERIES, [before]);
  yield* changes(OLD_IDEMPOTENCY, [before]);
  yield* changes(OLD_KEYS, [before]);
  return yield* changes(OLD_EVENTS, [before]);
}

// The decision of acknowledgedPrune() (common.ts): of the events above
// `afterId` and below every cursor, up to `limit`, those without a pending
// or dead delivery go.
const SCAN = (d: { events: string; deliveries: string; cursors: string }) =>
  `SELECT e.id, EXISTS (SELECT 1 FROM ${d.deliveries} d WHERE d.event_id = e.id) AS pinned
   FROM ${d.events} e
   WHERE e.id > $1 AND e.id < coalesce((SELECT min("offset") FROM ${d.cursors}), $2)
   ORDER BY e.id LIMIT $3`;
// SQLite: under the caller's BEGIN IMMEDIATE nothing changes between the
// scan and the deletes (https://sqlite.org/lang_transaction.html).
const SCAN_ACKNOWLEDGED = queryOn("sqlite", SCAN);
const DELETE_EVENT = queryOn(
  "sqlite",
  (d) => `DELETE FROM ${d.events} WHERE id = $1`,
);
// PostgreSQL: one statement, safe on several instances at once. Its
// snapshot can only be behind: cursors only grow and a delivery row is
// only ever created with its event, so a stale view keeps more, never
// less. Rows another instance is deleting are skipped, not waited for
// (SKIP LOCKED: PostgreSQL documentation, SELECT, "The Locking Clause").
const PRUNE_ACKNOWLEDGED = queryOn(
  "postgres",
  (d) =>
    `WITH scanned AS (${SCAN(d)}),
   doomed AS (
     SELECT e.id FROM ${d.events} e JOIN scanned s ON s.id = e.id
     WHERE NOT s.pinned
     FOR UPDATE OF e SKIP LOCKED),
   gone AS (
     DELETE FROM ${d.events} e USING doomed WHERE e.id = doomed.id
     RETURNING e.id)
   SELECT (SELECT count(*) FROM gone) AS deleted,
     (SELECT coalesce(max(id), 0) FROM scanned) AS examined_to,
     (SELECT count(*) FROM scanned) AS examined`,
);

/** {@linkcode EventStore.pruneAcknowledged}. */
export function* pruneAcknowledged(
  kind: SqlKind,
  scope: AckScope,
): SqlOp<AckPruned> {
  const params = [scope.afterId ?? 0, boundWithoutCursors(scope), scope.limit];
  if (kind === "postgres") {
    const [row] = yield* rows(PRUNE_ACKNOWLEDGED, params);
    return {
      deleted: Number(row.deleted),
      examinedTo: Number(row.examined_to),
      complete: Number(row.examined) < scope.limit,
    };
  }
  const scanned = yield* rows(SCAN_ACKNOWLEDGED, params);
  let deleted = 0;
  for (const row of scanned) {
    if (!Number(row.pinned)) deleted += yield* changes(DELETE_EVENT, [row.id]);
  }
  return {
    deleted,
    examinedTo: scanned.length === 0 ? 0 : Number(scanned.at(-1)!.id),
    complete: scanned.length < scope.limit,
  };
}
