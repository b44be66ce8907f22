// Rows of the SQL back-ends (SQLite, PostgreSQL) as store values: both use the same column names (see sqlite_schema.ts, postgres_schema.ts).

import type {
  DeadLetter,
  Delivery,
  DeliverySettlement,
  EventKind,
  StoredEvent,
} from "./types.ts";
import { failedDelivery, type IdempotencyRecord } from "./common.ts";

/** One result row: column name to value (integers may arrive as strings or bigints). */
export type SqlRow = Record<string, unknown>;

/** The event in a row of the events table (or a join that selects `e.*`). */
export function eventFromRow(row: SqlRow): StoredEvent {
  return {
    id: Number(row.id),
    receivedAt: Number(row.received_at),
    kind: row.kind as EventKind,
    from: String(row.from_jid),
    to: String(row.to_jid),
    conversation: String(row.conversation),
    stanza: String(row.stanza),
  };
}

/** The delivery in a deliveries row joined with its event. */
export function deliveryFromRow(row: SqlRow): Delivery {
  const delivery = { event: eventFromRow(row), attempts: Number(row.attempts) };
  if (row.last_reason === null || row.last_reason === undefined) {
    return delivery;
  }
  return {
    ...delivery,
    lastError: {
      at: Number(row.last_at),
      reason: String(row.last_reason),
      ...(row.last_status === null ? {} : { status: Number(row.last_status) }),
    },
  };
}

/** The dead letter in a dead deliveries row joined with its event. */
export function deadLetterFromRow(row: SqlRow): DeadLetter {
  const delivery = deliveryFromRow(row);
  return {
    event: delivery.event,
    attempts: delivery.attempts,
    lastError: delivery.lastError ?? { at: 0, reason: "unknown" },
  };
}

/** The record in a row of the idempotency table. */
export function idempotencyFromRow(row: SqlRow): IdempotencyRecord {
  return {
    fingerprint: String(row.fingerprint),
    createdAt: Number(row.created_at),
    ...(row.status === null || row.status === undefined ? {} : {
      response: {
        status: Number(row.status),
        headers: JSON.parse(String(row.headers)),
        body: String(row.body),
      },
    }),
  };
}

/**
 * The columns a retry or dead-letter settlement writes, in this order:
 * `state`, `due_at`, `last_at`, `last_status`, `last_reason`.
 */
export function settlementColumns(
  settlement: Exclude<DeliverySettlement, { outcome: "delivered" }>,
): [string, number, number, number | null, string] {
  const { state, dueAt, lastError } = failedDelivery(settlement);
  return [
    state,
    dueAt,
    lastError.at,
    lastError.status ?? null,
    lastError.reason,
  ];
}
