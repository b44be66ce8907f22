// Pieces every event store back-end shares: the delivery row shape, claim order, the idempotency and acknowledged-pruning decisions and append listeners.

import type {
  AckScope,
  AppendDedupe,
  AppendedEvent,
  AppendListener,
  AttemptError,
  DeliverySettlement,
  IdempotencyBegin,
  NewEvent,
  StoredResponse,
} from "./types.ts";

/** One push delivery as a back-end keeps it (delivered ones are deleted). */
export interface DeliveryRow {
  /** The event. */
  readonly eventId: number;
  /** Its conversation key (deliveries of one key go one at a time). */
  readonly conversation: string;
  /** `pending` (to deliver) or `dead` (out of retries). */
  state: "pending" | "dead";
  /** When the next attempt is due. */
  dueAt: number;
  /** Attempts made. */
  attempts: number;
  /** Why the last attempt failed. */
  lastError?: AttemptError;
  /** Who holds the claim. */
  claimOwner?: string;
  /** Until when the claim holds. */
  claimUntil?: number;
}

/** Claim order of {@linkcode EventStore.claimDeliveries}: due time, then event id. */
export function byDueThenId(a: DeliveryRow, b: DeliveryRow): number {
  return a.dueAt - b.dueAt || a.eventId - b.eventId;
}

/**
 * Whether a conversation's oldest pending delivery may be claimed now: it
 * is due and holds no live claim of another owner (the SQL back-ends'
 * claim statement has the same condition, `sql_deliveries.ts`).
 */
export function claimable(
  row: DeliveryRow,
  claim: { readonly now: number; readonly owner: string },
): boolean {
  return row.dueAt <= claim.now &&
    (row.claimUntil === undefined || row.claimUntil <= claim.now ||
      row.claimOwner === claim.owner);
}

/**
 * What a failed attempt leaves in its delivery: dead for good, or pending
 * again when the retry is due; the attempt's error is kept either way.
 */
export function failedDelivery(
  settlement: Exclude<DeliverySettlement, { outcome: "delivered" }>,
): { state: "pending" | "dead"; dueAt: number; lastError: AttemptError } {
  return settlement.outcome === "retry"
    ? { state: "pending", dueAt: settlement.dueAt, lastError: settlement.error }
    : { state: "dead", dueAt: 0, lastError: settlement.error };
}

/**
 * The bound {@linkcode acknowledgedBelow} gives when the store has no pull
 * cursor: 0 (keep everything) while pull consumers are expected, else no
 * bound at all. The SQL back-ends pass it as the `coalesce` fallback of
 * `min(offset)`.
 */
export function boundWithoutCursors(scope: AckScope): number {
  return scope.untilFirstPull ? 0 : Number.MAX_SAFE_INTEGER;
}

/**
 * Events with an id below the returned bound are acknowledged by every
 * pull consumer: the lowest cursor offset, or
 * {@linkcode boundWithoutCursors} when there is no cursor. Such an event
 * may be deleted once it has no pending or dead delivery either.
 *
 * @example
 * ```ts
 * acknowledgedBelow([12, 7], { untilFirstPull: true, limit: 100 }); // 7
 * acknowledgedBelow([], { untilFirstPull: true, limit: 100 }); // 0
 * ```
 */
export function acknowledgedBelow(
  offsets: Iterable<number>,
  scope: AckScope,
): number {
  let bound: number | undefined;
  for (const offset of offsets) {
    if (bound === undefined || offset < bound) bound = offset;
  }
  return bound ?? boundWithoutCursors(scope);
}

/**
 * The decision of {@linkcode EventStore.pruneAcknowledged} (the SQL
 * back-ends make it in their scan statement: `sql_prune.ts`): of the
 * stored ids, in ascending order, examine up
 * to `scope.limit` above `scope.afterId` and below
 * {@linkcode acknowledgedBelow}; those not `pinned` (by a pending or dead
 * delivery) are doomed.
 *
 * @example
 * ```ts
 * acknowledgedPrune([1, 2, 3, 4], [4], { untilFirstPull: true, limit: 10 }, (id) => id === 2);
 * // { doomed: [1, 3], examinedTo: 3, complete: true }
 * ```
 */
export function acknowledgedPrune(
  storedIds: Iterable<number>,
  offsets: Iterable<number>,
  scope: AckScope,
  pinned: (id: number) => boolean,
): { doomed: number[]; examinedTo: number; complete: boolean } {
  const below = acknowledgedBelow(offsets, scope);
  const after = scope.afterId ?? 0;
  const doomed: number[] = [];
  let examined = 0;
  let examinedTo = 0;
  for (const id of storedIds) {
    if (id <= after) continue;
    if (id >= below || examined >= scope.limit) break;
    examined++;
    examinedTo = id;
    if (!pinned(id)) doomed.push(id);
  }
  return { doomed, examinedTo, complete: examined < scope.limit };
}

/** An idempotency record as a back-end keeps it. */
export interface IdempotencyRecord {
  /** The request fingerprint the key was first used with. */
  readonly fingerprint: string;
  /** When the key was reserved. */
  readonly createdAt: number;
  /** The finished response (absent while the first request runs). */
  response?: StoredResponse;
}

/**
 * What {@linkcode EventStore.beginIdempotent} answers for a kept record;
 * `undefined` when there is none or it is older than `ttlMs`, and the key
 * is to be reserved anew.
 */
export function idempotencyAnswer(
  record: IdempotencyRecord | undefined,
  fingerprint: string,
  options: { readonly now: number; readonly ttlMs: number },
): IdempotencyBegin | undefined {
  if (!record || record.createdAt <= options.now - options.ttlMs) {
    return undefined;
  }
  if (record.fingerprint !== fingerprint) return { state: "mismatch" };
  return record.response
    ? { state: "done", response: record.response }
    : { state: "in-flight" };
}

/** A de-duplication key as a back-end keeps it. */
export interface SeenKey {
  /** The first copy's event id. */
  readonly eventId: number;
  /** When the first copy was received (ms since epoch). */
  readonly seenAt: number;
}

/**
 * What becomes of one event of an append under de-duplication: `store` it,
 * or it repeats an event already `seen` in the store, or one stored
 * earlier in the same append (`repeat`, by index).
 */
export type DedupeVerdict =
  | { readonly kind: "store" }
  | { readonly kind: "seen"; readonly eventId: number }
  | { readonly kind: "repeat"; readonly index: number };

/**
 * Decides, for each of `count` events, whether it is stored or repeats an
 * earlier copy: a key recorded at or after `dedupe.since` (looked up in
 * `seen`), or the same key earlier in the batch. Without `dedupe` every
 * event is stored.
 *
 * @example
 * ```ts
 * dedupeVerdicts(2, { keys: ["k", "k"], since: 0 }, new Map());
 * // [{ kind: "store" }, { kind: "repeat", index: 0 }]
 * ```
 */
export function dedupeVerdicts(
  count: number,
  dedupe: AppendDedupe | undefined,
  seen: ReadonlyMap<string, SeenKey>,
): DedupeVerdict[] {
  const firstInBatch = new Map<string, number>();
  return Array.from({ length: count }, (_, i): DedupeVerdict => {
    const key = dedupe?.keys[i];
    if (key === undefined) return { kind: "store" };
    const known = seen.get(key);
    if (known && known.seenAt >= dedupe!.since) {
      return { kind: "seen", eventId: known.eventId };
    }
    const index = firstInBatch.get(key);
    if (index !== undefined) return { kind: "repeat", index };
    firstInBatch.set(key, i);
    return { kind: "store" };
  });
}

/**
 * The append's answer: stored events get the next of `ids` in order,
 * duplicates their first copy's id and `duplicate`. `undelivered(id)`
 * says whether a delivery of a stored first copy is still pending or dead;
 * a repeat within the batch is undelivered when the append has consumers.
 */
export function appendedEvents(
  events: readonly NewEvent[],
  verdicts: readonly DedupeVerdict[],
  ids: readonly number[],
  undelivered: (eventId: number) => boolean,
  hasConsumers: boolean,
): AppendedEvent[] {
  const out: AppendedEvent[] = [];
  let next = 0;
  verdicts.forEach((verdict, i) => {
    const event = events[i];
    if (verdict.kind === "store") out.push({ ...event, id: ids[next++] });
    else if (verdict.kind === "seen") {
      const delivered = !undelivered(verdict.eventId);
      out.push({ ...event, id: verdict.eventId, duplicate: { delivered } });
    } else {
      const id = out[verdict.index].id;
      out.push({ ...event, id, duplicate: { delivered: !hasConsumers } });
    }
  });
  return out;
}

/** The keys an append records: those of the events it stores, with their ids. */
export function keysToRecord(
  events: readonly NewEvent[],
  verdicts: readonly DedupeVerdict[],
  appended: readonly AppendedEvent[],
  dedupe: AppendDedupe | undefined,
): { key: string; eventId: number; seenAt: number }[] {
  const out: { key: string; eventId: number; seenAt: number }[] = [];
  verdicts.forEach((verdict, i) => {
    const key = dedupe?.keys[i];
    if (verdict.kind !== "store" || key === undefined) return;
    out.push({ key, eventId: appended[i].id, seenAt: events[i].receivedAt });
  });
  return out;
}

/** Append listeners of one store; a throwing listener does not stop the others. */
export class WatchList {
  #listeners = new Set<AppendListener>();

  /** Adds a listener; returns the unsubscribe function. */
  add(listener: AppendListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Calls every listener with the new last id. */
  notify(lastId: number): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(lastId);
      } catch {
        // A listener's failure is its own business.
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}
