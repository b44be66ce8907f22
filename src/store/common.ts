// Pieces every event store back-end shares: the delivery row shape, claim order and append listeners.

import type { AppendListener, AttemptError } from "./types.ts";

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
