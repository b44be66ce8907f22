// The in-memory store's push deliveries of one consumer (README "Receiving you can trust"): claims, settlements, retries and dead letters over a map of rows; the SQL back-ends state the same rules in sql_deliveries.ts.

import type {
  AttemptError,
  ClaimOptions,
  DeadLetter,
  Delivery,
  DeliverySettlement,
  DeliveryStats,
  RedeliverSelection,
  StoredEvent,
} from "./types.ts";
import {
  byDueThenId,
  claimable,
  type DeliveryRow,
  failedDelivery,
} from "./common.ts";

/** One consumer's deliveries by event id. */
export type DeliveryRows = Map<number, DeliveryRow>;

/** The events a consumer's deliveries refer to, by id. */
export type EventsById = ReadonlyMap<number, StoredEvent>;

/** Oldest pending delivery of each conversation. */
function heads(rows: DeliveryRows): DeliveryRow[] {
  const oldest = new Map<string, DeliveryRow>();
  for (const row of rows.values()) {
    if (row.state !== "pending") continue;
    const head = oldest.get(row.conversation);
    if (!head || row.eventId < head.eventId) oldest.set(row.conversation, row);
  }
  return [...oldest.values()];
}

/** {@linkcode EventStore.claimDeliveries} over one consumer's rows. */
export function claimRows(
  rows: DeliveryRows,
  events: EventsById,
  options: ClaimOptions,
): Delivery[] {
  const due = heads(rows).filter((row) => claimable(row, options))
    .sort(byDueThenId).slice(0, options.limit);
  const claimed: Delivery[] = [];
  for (const row of due) {
    const event = events.get(row.eventId);
    if (!event) continue;
    row.claimOwner = options.owner;
    row.claimUntil = options.now + options.leaseMs;
    claimed.push({
      event,
      attempts: row.attempts,
      ...(row.lastError ? { lastError: row.lastError } : {}),
    });
  }
  return claimed;
}

/** {@linkcode EventStore.settleDelivery} over one consumer's rows. */
export function settleRow(
  rows: DeliveryRows,
  eventId: number,
  settlement: DeliverySettlement,
): void {
  const row = rows.get(eventId);
  if (!row || row.state !== "pending") return;
  if (settlement.outcome === "delivered") {
    rows.delete(eventId);
    return;
  }
  const failed = failedDelivery(settlement);
  row.attempts++;
  row.claimOwner = undefined;
  row.claimUntil = undefined;
  row.state = failed.state;
  row.dueAt = failed.dueAt;
  row.lastError = failed.lastError;
}

/** {@linkcode EventStore.nextDueAt} over one consumer's rows. */
export function nextDue(rows: DeliveryRows): number | undefined {
  let next: number | undefined;
  for (const row of heads(rows)) {
    const at = Math.max(row.dueAt, row.claimUntil ?? row.dueAt);
    if (next === undefined || at < next) next = at;
  }
  return next;
}

/** {@linkcode EventStore.deliveryStats} over one consumer's rows. */
export function statsOf(rows: DeliveryRows, events: EventsById): DeliveryStats {
  let pending = 0;
  let dead = 0;
  let oldestPendingAt: number | undefined;
  for (const row of rows.values()) {
    if (row.state === "dead") {
      dead++;
      continue;
    }
    pending++;
    const at = events.get(row.eventId)?.receivedAt;
    if (at !== undefined && (oldestPendingAt ?? Infinity) > at) {
      oldestPendingAt = at;
    }
  }
  return oldestPendingAt === undefined
    ? { pending, dead }
    : { pending, dead, oldestPendingAt };
}

/** {@linkcode EventStore.listDeadLetters} over one consumer's rows. */
export function deadLettersOf(
  rows: DeliveryRows,
  events: EventsById,
  options: { readonly afterId?: number; readonly limit: number },
): DeadLetter[] {
  const after = options.afterId ?? 0;
  return [...rows.values()]
    .filter((row) => row.state === "dead" && row.eventId > after)
    .sort((a, b) => a.eventId - b.eventId)
    .slice(0, options.limit)
    .flatMap((row) => {
      const event = events.get(row.eventId);
      return event
        ? [{
          event,
          attempts: row.attempts,
          lastError: row.lastError as AttemptError,
        }]
        : [];
    });
}

/** {@linkcode EventStore.redeliver} over one consumer's rows: how many went back to pending. */
export function redeliverRows(
  rows: DeliveryRows,
  events: EventsById,
  selection: RedeliverSelection,
  now: number,
): number {
  const ids = "ids" in selection ? new Set(selection.ids) : undefined;
  let count = 0;
  for (const row of rows.values()) {
    if (row.state !== "dead") continue;
    const chosen = ids ? ids.has(row.eventId) : "since" in selection &&
      (events.get(row.eventId)?.receivedAt ?? -Infinity) >= selection.since;
    if (!chosen) continue;
    row.state = "pending";
    row.dueAt = now;
    row.attempts = 0;
    row.lastError = undefined;
    count++;
  }
  return count;
}
