// Pieces every event store back-end shares: the delivery row shape, claim order, the idempotency and acknowledged-pruning decisions and append listeners.

import type {
  AckScope,
  AppendListener,
  AttemptError,
  IdempotencyBegin,
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
