// The EventStore of both SQL back-ends (README "Receiving you can trust"): each method runs one operation of sql_ops.ts, sql_deliveries.ts, sql_append.ts or sql_prune.ts on a driver (SQLite or PostgreSQL).

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
import type { WatchList } from "./common.ts";
import type { SqlAccess, SqlDriver, SqlOp } from "./sql_op.ts";
import * as ops from "./sql_ops.ts";
import * as deliveries from "./sql_deliveries.ts";
import { appendEvents } from "./sql_append.ts";
import { pruneAcknowledged, pruneOld } from "./sql_prune.ts";

/** Options of {@linkcode SqlStore}. */
export interface SqlStoreOptions {
  /** Append listeners; the driver may also call them for other instances' appends. */
  readonly watchers: WatchList;
  /** Names this store in PostgreSQL's append NOTIFY (to ignore its own). */
  readonly token: string;
}

/** An {@linkcode EventStore} whose every method is one SQL operation run by `driver`. */
export class SqlStore implements EventStore {
  /** `sqlite` or `postgres`. */
  readonly kind: string;
  #driver: SqlDriver;
  #watchers: WatchList;
  #token: string;
  #closed = false;

  /** Creates the store; closing it closes `driver`. */
  constructor(driver: SqlDriver, options: SqlStoreOptions) {
    this.kind = driver.kind;
    this.#driver = driver;
    this.#watchers = options.watchers;
    this.#token = options.token;
  }

  /** Runs `op`, turning failures into StoreError ("Cannot <action>: ..."). */
  #run<T>(action: string, op: SqlOp<T>, access: SqlAccess): Promise<T> {
    if (this.#closed) {
      return Promise.reject(new StoreError(this.kind, "Store is closed"));
    }
    return this.#driver.run(op, access).catch((error) => {
      throw storeError(this.kind, action, error);
    });
  }

  /** {@inheritDoc EventStore.append} */
  async append(
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<readonly AppendedEvent[]> {
    if (events.length === 0) return [];
    const op = appendEvents(this.#driver.kind, events, options, this.#token);
    const result = await this.#run("append events", op, "atomic");
    if (result.last !== undefined) this.#watchers.notify(result.last);
    return result.out;
  }

  /** {@inheritDoc EventStore.read} */
  read(fromId: number, limit: number): Promise<readonly StoredEvent[]> {
    return this.#run("read events", ops.readEvents(fromId, limit), "read");
  }

  /** {@inheritDoc EventStore.lastId} */
  lastId(): Promise<number> {
    return this.#run("read the last id", ops.lastEventId(), "read");
  }

  /** {@inheritDoc EventStore.watch} */
  watch(listener: AppendListener): () => void {
    return this.#watchers.add(listener);
  }

  /** {@inheritDoc EventStore.getCursor} */
  getCursor(consumer: string): Promise<number> {
    return this.#run("read a cursor", ops.getCursor(consumer), "read");
  }

  /** {@inheritDoc EventStore.setCursor} */
  setCursor(consumer: string, offset: number): Promise<void> {
    return this.#run("move a cursor", ops.setCursor(consumer, offset), "write");
  }

  /** {@inheritDoc EventStore.listCursors} */
  listCursors(): Promise<readonly PullCursor[]> {
    return this.#run("list cursors", ops.listCursors(), "read");
  }

  /** {@inheritDoc EventStore.deleteCursor} */
  deleteCursor(consumer: string): Promise<boolean> {
    return this.#run("forget a cursor", ops.deleteCursor(consumer), "write");
  }

  /** {@inheritDoc EventStore.claimDeliveries} */
  claimDeliveries(
    consumer: string,
    options: ClaimOptions,
  ): Promise<readonly Delivery[]> {
    const op = deliveries.claimDeliveries(this.#driver.kind, consumer, options);
    return this.#run("claim deliveries", op, "atomic");
  }

  /** {@inheritDoc EventStore.settleDelivery} */
  settleDelivery(
    consumer: string,
    eventId: number,
    settlement: DeliverySettlement,
  ): Promise<void> {
    const op = deliveries.settleDelivery(consumer, eventId, settlement);
    return this.#run("settle a delivery", op, "write");
  }

  /** {@inheritDoc EventStore.nextDueAt} */
  nextDueAt(consumer: string): Promise<number | undefined> {
    const op = deliveries.nextDueAt(consumer);
    return this.#run("read the next due time", op, "read");
  }

  /** {@inheritDoc EventStore.deliveryStats} */
  deliveryStats(consumer: string): Promise<DeliveryStats> {
    const op = deliveries.deliveryStats(consumer);
    return this.#run("count deliveries", op, "read");
  }

  /** {@inheritDoc EventStore.listDeadLetters} */
  listDeadLetters(
    consumer: string,
    options: { readonly afterId?: number; readonly limit: number },
  ): Promise<readonly DeadLetter[]> {
    const op = deliveries.listDeadLetters(consumer, options);
    return this.#run("list dead letters", op, "read");
  }

  /** {@inheritDoc EventStore.redeliver} */
  async redeliver(
    consumer: string,
    selection: RedeliverSelection,
    now: number,
  ): Promise<number> {
    const op = deliveries.redeliver(consumer, selection, now);
    const count = await this.#run("redeliver dead letters", op, "write");
    if (count > 0) this.#watchers.notify(await this.lastId());
    return count;
  }

  /** {@inheritDoc EventStore.getSetting} */
  getSetting(consumer: string, name: string): Promise<string | undefined> {
    return this.#run("read a setting", ops.getSetting(consumer, name), "read");
  }

  /** {@inheritDoc EventStore.setSetting} */
  setSetting(
    consumer: string,
    name: string,
    value: string | undefined,
  ): Promise<void> {
    const op = ops.setSetting(consumer, name, value);
    return this.#run("write a setting", op, "write");
  }

  /** {@inheritDoc EventStore.beginIdempotent} */
  beginIdempotent(
    key: string,
    fingerprint: string,
    options: { readonly now: number; readonly ttlMs: number },
  ): Promise<IdempotencyBegin> {
    const op = ops.beginIdempotent(key, fingerprint, options);
    return this.#run("reserve an idempotency key", op, "atomic");
  }

  /** {@inheritDoc EventStore.completeIdempotent} */
  completeIdempotent(key: string, response: StoredResponse): Promise<void> {
    const op = ops.completeIdempotent(key, response);
    return this.#run("store an idempotent response", op, "write");
  }

  /** {@inheritDoc EventStore.abandonIdempotent} */
  abandonIdempotent(key: string): Promise<void> {
    const op = ops.abandonIdempotent(key);
    return this.#run("release an idempotency key", op, "write");
  }

  /** {@inheritDoc EventStore.prune} */
  prune(before: number): Promise<number> {
    return this.#run("prune events", pruneOld(before), "atomic");
  }

  /** {@inheritDoc EventStore.pruneAcknowledged} */
  pruneAcknowledged(scope: AckScope): Promise<AckPruned> {
    const op = pruneAcknowledged(this.#driver.kind, scope);
    return this.#run("prune acknowledged events", op, "write");
  }

  /** {@inheritDoc EventStore.countEvents} */
  countEvents(): Promise<number> {
    return this.#run("count events", ops.countEvents(), "read");
  }

  /** {@inheritDoc EventStore.close} */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watchers.clear();
    await this.#driver.close();
  }

  /** Closes the store. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** `error` as the StoreError of a failed `action` ("Cannot append events: ..."). */
export function storeError(
  kind: string,
  action: string,
  error: unknown,
): StoreError {
  if (error instanceof StoreError) return error;
  return new StoreError(kind, `Cannot ${action}: ${messageOf(error)}`, {
    cause: error,
  });
}

/** The message of a thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
