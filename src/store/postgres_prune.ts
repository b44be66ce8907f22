// The PostgreSQL event store's pruning (README "What is kept, and for how long"): events past retention, and events every consumer is done with, safe with several instances at once.

import type { PgQueryable } from "./postgres_client.ts";
import type { AckPruned, AckScope } from "./types.ts";
import { boundWithoutCursors } from "./common.ts";

/**
 * Deletes events received before `before` with their deliveries, and
 * idempotency records and de-duplication keys older than that (the caller
 * runs it in a transaction); returns how many events.
 */
export async function pruneOldPostgres(
  tx: PgQueryable,
  before: number,
): Promise<number> {
  await tx.query(
    `DELETE FROM xmpp_rest_deliveries WHERE event_id IN
       (SELECT id FROM xmpp_rest_events WHERE received_at < $1)`,
    [before],
  );
  await tx.query(
    "DELETE FROM xmpp_rest_idempotency WHERE created_at < $1",
    [before],
  );
  await tx.query(
    "DELETE FROM xmpp_rest_inbound_keys WHERE seen_at < $1",
    [before],
  );
  const rows = await tx.query(
    "DELETE FROM xmpp_rest_events WHERE received_at < $1 RETURNING id",
    [before],
  );
  return rows.length;
}

/**
 * {@linkcode EventStore.pruneAcknowledged} in one statement: the decision
 * of acknowledgedPrune() (common.ts) over the shared cursors and
 * deliveries. Its snapshot can only be behind: cursors only grow and a
 * delivery row is only ever created with its event, so a stale view keeps
 * more, never less. Rows another instance is deleting are skipped, not
 * waited for.
 */
export async function pruneAcknowledgedPostgres(
  db: PgQueryable,
  scope: AckScope,
): Promise<AckPruned> {
  const [row] = await db.query(
    `WITH scanned AS (
       SELECT e.id, EXISTS (SELECT 1 FROM xmpp_rest_deliveries d WHERE d.event_id = e.id) AS pinned
       FROM xmpp_rest_events e
       WHERE e.id > $1 AND e.id < coalesce((SELECT min("offset") FROM xmpp_rest_cursors), $2)
       ORDER BY e.id LIMIT $3),
     doomed AS (
       SELECT e.id FROM xmpp_rest_events e JOIN scanned s ON s.id = e.id
       WHERE NOT s.pinned
       FOR UPDATE OF e SKIP LOCKED),
     gone AS (
       DELETE FROM xmpp_rest_events e USING doomed WHERE e.id = doomed.id
       RETURNING e.id)
     SELECT (SELECT count(*) FROM gone) AS deleted,
       (SELECT coalesce(max(id), 0) FROM scanned) AS examined_to,
       (SELECT count(*) FROM scanned) AS examined`,
    [scope.afterId ?? 0, boundWithoutCursors(scope), scope.limit],
  );
  return {
    deleted: Number(row.deleted),
    examinedTo: Number(row.examined_to),
    complete: Number(row.examined) < scope.limit,
  };
}
