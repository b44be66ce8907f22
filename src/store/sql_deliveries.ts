// The SQL back-ends' push deliveries (README "Receiving you can trust"): claims, settlements, retries and dead letters, each query and its logic once for SQLite and PostgreSQL.

import type {
  ClaimOptions,
  DeadLetter,
  Delivery,
  DeliverySettlement,
  DeliveryStats,
  RedeliverSelection,
} from "./types.ts";
import {
  list,
  query,
  queryOn,
  queryPerDialect,
  type SqlKind,
} from "./sql_dialect.ts";
import { changes, rows, type SqlOp } from "./sql_op.ts";
import {
  deadLetterFromRow,
  deliveryFromRow,
  settlementColumns,
} from "./sql_rows.ts";

const CLAIM = queryPerDialect({
  // SQLite: the caller's BEGIN IMMEDIATE holds the only write lock, so
  // the heads are read here and claimed one by one (CLAIM_ONE).
  sqlite: (d) =>
    `WITH heads AS (
       SELECT min(event_id) AS event_id FROM ${d.deliveries}
       WHERE consumer = $1 AND state = 'pending' GROUP BY conversation)
     SELECT d.due_at, d.attempts, d.last_at, d.last_status, d.last_reason, e.*
     FROM heads ${d.drivingJoin} ${d.deliveries} d ON d.consumer = $1 AND d.event_id = heads.event_id
     JOIN ${d.events} e ON e.id = d.event_id
     WHERE d.due_at <= $2 AND (d.claim_until IS NULL OR d.claim_until <= $2 OR d.claim_owner = $3)
     ORDER BY d.due_at, d.event_id LIMIT $4`,
  // PostgreSQL: instances claim at once; FOR UPDATE SKIP LOCKED (PostgreSQL
  // documentation, SELECT, "The Locking Clause") lets each take rows no
  // other holds, and the claim is written in the same statement.
  postgres: (d) =>
    `WITH heads AS (
       SELECT min(event_id) AS event_id FROM ${d.deliveries}
       WHERE consumer = $1 AND state = 'pending' GROUP BY conversation),
     picked AS (
       SELECT d.event_id FROM heads
       JOIN ${d.deliveries} d ON d.consumer = $1 AND d.event_id = heads.event_id
       WHERE d.state = 'pending' AND d.due_at <= $2
         AND (d.claim_until IS NULL OR d.claim_until <= $2 OR d.claim_owner = $3)
       ORDER BY d.due_at, d.event_id LIMIT $4
       FOR UPDATE OF d SKIP LOCKED)
     UPDATE ${d.deliveries} d SET claim_owner = $3, claim_until = $5
     FROM picked JOIN ${d.events} e ON e.id = picked.event_id
     WHERE d.consumer = $1 AND d.event_id = picked.event_id
     RETURNING d.due_at, d.attempts, d.last_at, d.last_status, d.last_reason, e.*`,
});
const CLAIM_ONE = queryOn(
  "sqlite",
  (d) =>
    `UPDATE ${d.deliveries} SET claim_owner = $1, claim_until = $2 WHERE consumer = $3 AND event_id = $4`,
);

/** {@linkcode EventStore.claimDeliveries} (atomic). */
export function* claimDeliveries(
  kind: SqlKind,
  consumer: string,
  options: ClaimOptions,
): SqlOp<Delivery[]> {
  const { now, owner } = options;
  const until = now + options.leaseMs;
  const params = [consumer, now, owner, options.limit];
  if (kind === "postgres") params.push(until);
  const claimed = yield* rows(CLAIM, params);
  if (kind === "sqlite") {
    for (const row of claimed) {
      yield* changes(CLAIM_ONE, [owner, until, consumer, row.id]);
    }
  } else {
    // RETURNING gives the updated rows in no particular order.
    claimed.sort((a, b) =>
      Number(a.due_at) - Number(b.due_at) || Number(a.id) - Number(b.id)
    );
  }
  return claimed.map(deliveryFromRow);
}

const DELIVERED = query((d) =>
  `DELETE FROM ${d.deliveries} WHERE consumer = $1 AND event_id = $2 AND state = 'pending'`
);
const FAILED = query((d) =>
  `UPDATE ${d.deliveries} SET attempts = attempts + 1, claim_owner = NULL, claim_until = NULL,
     state = $1, due_at = $2, last_at = $3, last_status = $4, last_reason = $5
   WHERE consumer = $6 AND event_id = $7 AND state = 'pending'`
);

/** {@linkcode EventStore.settleDelivery}. */
export function* settleDelivery(
  consumer: string,
  eventId: number,
  settlement: DeliverySettlement,
): SqlOp<void> {
  if (settlement.outcome === "delivered") {
    yield* changes(DELIVERED, [consumer, eventId]);
  } else {
    yield* changes(FAILED, [
      ...settlementColumns(settlement),
      consumer,
      eventId,
    ]);
  }
}

const NEXT_DUE = query((d) =>
  `WITH heads AS (
     SELECT min(event_id) AS event_id FROM ${d.deliveries}
     WHERE consumer = $1 AND state = 'pending' GROUP BY conversation)
   SELECT min(${d.greatest}(d.due_at, coalesce(d.claim_until, d.due_at))) AS next
   FROM heads ${d.drivingJoin} ${d.deliveries} d ON d.consumer = $1 AND d.event_id = heads.event_id`
);

/** {@linkcode EventStore.nextDueAt}. */
export function* nextDueAt(consumer: string): SqlOp<number | undefined> {
  const [row] = yield* rows(NEXT_DUE, [consumer]);
  return row?.next === null || row?.next === undefined
    ? undefined
    : Number(row.next);
}

// Aggregate FILTER clauses: SQLite https://sqlite.org/lang_aggfunc.html,
// PostgreSQL documentation, section 4.2.7.
const STATS = query((d) =>
  `SELECT count(*) FILTER (WHERE d.state = 'pending') AS pending,
     count(*) FILTER (WHERE d.state = 'dead') AS dead,
     min(e.received_at) FILTER (WHERE d.state = 'pending') AS oldest
   FROM ${d.deliveries} d JOIN ${d.events} e ON e.id = d.event_id
   WHERE d.consumer = $1`
);

/** {@linkcode EventStore.deliveryStats}. */
export function* deliveryStats(consumer: string): SqlOp<DeliveryStats> {
  const [row] = yield* rows(STATS, [consumer]);
  const stats = { pending: Number(row.pending), dead: Number(row.dead) };
  return row.oldest === null || row.oldest === undefined
    ? stats
    : { ...stats, oldestPendingAt: Number(row.oldest) };
}

const DEAD_LETTERS = query((d) =>
  `SELECT d.attempts, d.last_at, d.last_status, d.last_reason, e.*
   FROM ${d.deliveries} d JOIN ${d.events} e ON e.id = d.event_id
   WHERE d.consumer = $1 AND d.state = 'dead' AND d.event_id > $2
   ORDER BY d.event_id LIMIT $3`
);

/** {@linkcode EventStore.listDeadLetters}. */
export function* listDeadLetters(
  consumer: string,
  options: { readonly afterId?: number; readonly limit: number },
): SqlOp<DeadLetter[]> {
  return (yield* rows(DEAD_LETTERS, [
    consumer,
    options.afterId ?? 0,
    options.limit,
  ])).map(deadLetterFromRow);
}

const RESET_DEAD = (d: { deliveries: string }) =>
  `UPDATE ${d.deliveries} SET state = 'pending', due_at = $1, attempts = 0,
     last_at = NULL, last_status = NULL, last_reason = NULL
   WHERE consumer = $2 AND state = 'dead'`;
const REDELIVER_IDS = query((d) =>
  `${RESET_DEAD(d)} AND event_id ${d.inList("$3", "bigint")}`
);
const REDELIVER_SINCE = query((d) =>
  `${
    RESET_DEAD(d)
  } AND event_id IN (SELECT id FROM ${d.events} WHERE received_at >= $3)`
);

/** {@linkcode EventStore.redeliver}: how many dead letters went back to pending. */
export function* redeliver(
  consumer: string,
  selection: RedeliverSelection,
  now: number,
): SqlOp<number> {
  return "ids" in selection
    ? yield* changes(REDELIVER_IDS, [
      now,
      consumer,
      list([
        ...new Set(selection.ids),
      ]),
    ])
    : yield* changes(REDELIVER_SINCE, [now, consumer, selection.since]);
}
