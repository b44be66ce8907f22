// The SQLite event store's pruning (README "What is kept, and for how long"): events past retention, and events every consumer is done with.

import type { StatementSync } from "node:sqlite";
import type { AckPruned, AckScope } from "./types.ts";
import { boundWithoutCursors } from "./common.ts";

/**
 * Deletes events received before `before` with their deliveries, and
 * idempotency records and de-duplication keys older than that (the caller
 * runs it in a transaction); returns how many events.
 */
export function pruneOldSqlite(
  sql: (text: string) => StatementSync,
  before: number,
): number {
  sql(
    "DELETE FROM deliveries WHERE event_id IN (SELECT id FROM events WHERE received_at < ?)",
  ).run(before);
  sql("DELETE FROM idempotency WHERE created_at < ?").run(before);
  sql("DELETE FROM inbound_keys WHERE seen_at < ?").run(before);
  return Number(
    sql("DELETE FROM events WHERE received_at < ?").run(before).changes,
  );
}

/**
 * {@linkcode EventStore.pruneAcknowledged} (the caller runs it in a
 * transaction): one statement decides, as acknowledgedPrune() in
 * common.ts does, which examined events are done with.
 */
export function pruneAcknowledgedSqlite(
  sql: (text: string) => StatementSync,
  scope: AckScope,
): AckPruned {
  const rows = sql(
    `SELECT e.id, EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id) AS pinned
     FROM events e
     WHERE e.id > ? AND e.id < coalesce((SELECT min(offset) FROM cursors), ?)
     ORDER BY e.id LIMIT ?`,
  ).all(scope.afterId ?? 0, boundWithoutCursors(scope), scope.limit);
  const remove = sql("DELETE FROM events WHERE id = ?");
  let deleted = 0;
  for (const row of rows) {
    if (Number(row.pinned)) continue;
    deleted += Number(remove.run(row.id as number).changes);
  }
  return {
    deleted,
    examinedTo: rows.length === 0 ? 0 : Number(rows[rows.length - 1].id),
    complete: rows.length < scope.limit,
  };
}
