// The in-memory event store (README "Receiving you can trust"): fast, for unit tests and `--data-dir :memory:`.

import {
  type AckPruned,
  type AckScope,
  type AppendedEvent,
  type AppendListener,
  type AppendOptions,
  type ClaimOptions,
  type DeadLetter,
  type Delivery,
  type DeliverySettlement,
  type DeliveryStats,
  type EventStore,
  type IdempotencyBegin,
  type NewEvent,
  type PullCursor,
  type RedeliverSelection,
  type StoredEvent,
  type StoredResponse,
  StoreError,
} from "./types.ts";
import {
  acknowledgedPrune,
  appendedEvents,
  dedupeVerdicts,
  idempotencyAnswer,
  type IdempotencyRecord,
  keysToRecord,
  type SeenKey,
  WatchList,
} from "./common.ts";
import {
  claimRows,
  deadLettersOf,
  type DeliveryRows,
  nextDue,
  redeliverRows,
  settleRow,
  statsOf,
} from "./memory_deliveries.ts";

/**
 * Creates an {@linkcode EventStore} that keeps everything in memory (lost
 * when the process ends).
 *
 * @example
 * ```ts
 * await using store = createMemoryStore();
 * const [event] = await store.append([{ receivedAt: Date.now(), kind: "message",
 *   from: "a@x/r", to: "gw.x", conversation: "a@x gw.x", stanza: "<message/>" }]);
 * ```
 */
export function createMemoryStore(): EventStore {
  return new MemoryStore();
}

class MemoryStore implements EventStore {
  readonly kind = "memory";
  #closed = false;
  #lastId = 0;
  #events = new Map<number, StoredEvent>();
  #deliveries = new Map<string, DeliveryRows>();
  #cursors = new Map<string, number>();
  #settings = new Map<string, string>();
  #idempotency = new Map<string, IdempotencyRecord>();
  #seen = new Map<string, SeenKey>();
  #watchers = new WatchList();

  #consumer(consumer: string): DeliveryRows {
    let rows = this.#deliveries.get(consumer);
    if (!rows) this.#deliveries.set(consumer, rows = new Map());
    return rows;
  }

  append(
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<readonly AppendedEvent[]> {
    if (this.#closed) return closed();
    const deliverTo = options.deliverTo ?? [];
    const verdicts = dedupeVerdicts(events.length, options.dedupe, this.#seen);
    const ids: number[] = [];
    verdicts.forEach((verdict, i) => {
      if (verdict.kind !== "store") return;
      const row: StoredEvent = { ...events[i], id: ++this.#lastId };
      ids.push(row.id);
      this.#events.set(row.id, row);
      for (const consumer of deliverTo) {
        this.#consumer(consumer).set(row.id, {
          eventId: row.id,
          conversation: row.conversation,
          state: "pending",
          dueAt: row.receivedAt,
          attempts: 0,
        });
      }
    });
    const appended = appendedEvents(
      events,
      verdicts,
      ids,
      (id) => deliverTo.some((c) => this.#consumer(c).has(id)),
      deliverTo.length > 0,
    );
    for (const k of keysToRecord(events, verdicts, appended, options.dedupe)) {
      this.#seen.set(k.key, { eventId: k.eventId, seenAt: k.seenAt });
    }
    if (ids.length > 0) this.#watchers.notify(this.#lastId);
    return Promise.resolve(appended);
  }

  read(fromId: number, limit: number): Promise<readonly StoredEvent[]> {
    if (this.#closed) return closed();
    const out: StoredEvent[] = [];
    for (let id = Math.max(1, fromId); id <= this.#lastId; id++) {
      if (out.length >= limit) break;
      const event = this.#events.get(id);
      if (event) out.push(event);
    }
    return Promise.resolve(out);
  }

  lastId(): Promise<number> {
    if (this.#closed) return closed();
    return Promise.resolve(this.#lastId);
  }

  watch(listener: AppendListener): () => void {
    return this.#watchers.add(listener);
  }

  getCursor(consumer: string): Promise<number> {
    if (this.#closed) return closed();
    return Promise.resolve(this.#cursors.get(consumer) ?? 0);
  }

  setCursor(consumer: string, offset: number): Promise<void> {
    if (this.#closed) return closed();
    const current = this.#cursors.get(consumer);
    if (current === undefined || offset > current) {
      this.#cursors.set(consumer, offset);
    }
    return Promise.resolve();
  }

  listCursors(): Promise<readonly PullCursor[]> {
    if (this.#closed) return closed();
    return Promise.resolve(
      [...this.#cursors].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
        .map(([consumer, offset]) => ({ consumer, offset })),
    );
  }

  deleteCursor(consumer: string): Promise<boolean> {
    if (this.#closed) return closed();
    return Promise.resolve(this.#cursors.delete(consumer));
  }

  claimDeliveries(
    consumer: string,
    options: ClaimOptions,
  ): Promise<readonly Delivery[]> {
    if (this.#closed) return closed();
    return Promise.resolve(
      claimRows(this.#consumer(consumer), this.#events, options),
    );
  }

  settleDelivery(
    consumer: string,
    eventId: number,
    settlement: DeliverySettlement,
  ): Promise<void> {
    if (this.#closed) return closed();
    settleRow(this.#consumer(consumer), eventId, settlement);
    return Promise.resolve();
  }

  nextDueAt(consumer: string): Promise<number | undefined> {
    if (this.#closed) return closed();
    return Promise.resolve(nextDue(this.#consumer(consumer)));
  }

  deliveryStats(consumer: string): Promise<DeliveryStats> {
    if (this.#closed) return closed();
    return Promise.resolve(statsOf(this.#consumer(consumer), this.#events));
  }

  listDeadLetters(
    consumer: string,
    options: { readonly afterId?: number; readonly limit: number },
  ): Promise<readonly DeadLetter[]> {
    if (this.#closed) return closed();
    const rows = this.#consumer(consumer);
    return Promise.resolve(deadLettersOf(rows, this.#events, options));
  }

  redeliver(
    consumer: string,
    selection: RedeliverSelection,
    now: number,
  ): Promise<number> {
    if (this.#closed) return closed();
    const rows = this.#consumer(consumer);
    const count = redeliverRows(rows, this.#events, selection, now);
    if (count > 0) this.#watchers.notify(this.#lastId);
    return Promise.resolve(count);
  }

  getSetting(consumer: string, name: string): Promise<string | undefined> {
    if (this.#closed) return closed();
    return Promise.resolve(this.#settings.get(`${consumer}\n${name}`));
  }

  setSetting(
    consumer: string,
    name: string,
    value: string | undefined,
  ): Promise<void> {
    if (this.#closed) return closed();
    const key = `${consumer}\n${name}`;
    if (value === undefined) this.#settings.delete(key);
    else this.#settings.set(key, value);
    return Promise.resolve();
  }

  beginIdempotent(
    key: string,
    fingerprint: string,
    options: { readonly now: number; readonly ttlMs: number },
  ): Promise<IdempotencyBegin> {
    if (this.#closed) return closed();
    const kept = idempotencyAnswer(
      this.#idempotency.get(key),
      fingerprint,
      options,
    );
    if (kept) return Promise.resolve(kept);
    this.#idempotency.set(key, { fingerprint, createdAt: options.now });
    return Promise.resolve({ state: "new" });
  }

  completeIdempotent(key: string, response: StoredResponse): Promise<void> {
    if (this.#closed) return closed();
    const record = this.#idempotency.get(key);
    if (record) record.response = response;
    return Promise.resolve();
  }

  abandonIdempotent(key: string): Promise<void> {
    if (this.#closed) return closed();
    this.#idempotency.delete(key);
    return Promise.resolve();
  }

  prune(before: number): Promise<number> {
    if (this.#closed) return closed();
    let count = 0;
    for (const [id, event] of this.#events) {
      if (event.receivedAt >= before) continue;
      this.#events.delete(id);
      for (const rows of this.#deliveries.values()) rows.delete(id);
      count++;
    }
    for (const [key, record] of this.#idempotency) {
      if (record.createdAt < before) this.#idempotency.delete(key);
    }
    for (const [key, seen] of this.#seen) {
      if (seen.seenAt < before) this.#seen.delete(key);
    }
    return Promise.resolve(count);
  }

  pruneAcknowledged(scope: AckScope): Promise<AckPruned> {
    if (this.#closed) return closed();
    // Map order is insertion order, which is id order.
    const { doomed, examinedTo, complete } = acknowledgedPrune(
      this.#events.keys(),
      this.#cursors.values(),
      scope,
      (id) => this.#hasDelivery(id),
    );
    for (const id of doomed) this.#events.delete(id);
    return Promise.resolve({ deleted: doomed.length, examinedTo, complete });
  }

  #hasDelivery(id: number): boolean {
    for (const rows of this.#deliveries.values()) {
      if (rows.has(id)) return true;
    }
    return false;
  }

  countEvents(): Promise<number> {
    if (this.#closed) return closed();
    return Promise.resolve(this.#events.size);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#watchers.clear();
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function closed(): Promise<never> {
  return Promise.reject(new StoreError("memory", "Store is closed"));
}
