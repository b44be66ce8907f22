// The EventStore of both SQL back-ends (README "Receiving you can trust"): each method runs one operation of sql_ops.ts, sql_deliveries.ts, sql_append.ts or sql_prune.ts on a driver (SQLite or PostgreSQL).

import { type EventStore, StoreError } from "./types.ts";
import type { WatchList } from "./common.ts";
import type { SqlAccess, SqlDriver, SqlOp } from "./sql_op.ts";
import * as ops from "./sql_ops.ts";
import * as deliveries from "./sql_deliveries.ts";
import { appendEvents } from "./sql_append.ts";
import { pruneAcknowledged, pruneOld } from "./sql_prune.ts";

/** Options of {@linkcode createSqlStore}. */
export interface SqlStoreOptions {
  /** Append listeners; the driver may also call them for other instances' appends. */
  readonly watchers: WatchList;
  /** Names this store in PostgreSQL's append NOTIFY (to ignore its own). */
  readonly token: string;
}

/**
 * An {@linkcode EventStore} whose every method is one SQL operation run
 * by `driver`; failures become {@linkcode StoreError} ("Cannot <action>:
 * ..."). Closing the store closes `driver`.
 */
export function createSqlStore(
  driver: SqlDriver,
  options: SqlStoreOptions,
): EventStore {
  const { kind } = driver;
  const { watchers } = options;
  let closed = false;
  const run = <T>(action: string, op: SqlOp<T>, access: SqlAccess) =>
    closed
      ? Promise.reject<T>(new StoreError(kind, "Store is closed"))
      : driver.run(op, access, action);
  const lastId = () => run("read the last id", ops.lastEventId(), "read");
  const close = async () => {
    if (closed) return;
    closed = true;
    watchers.clear();
    await driver.close();
  };
  return {
    kind,
    async append(events, appendOptions = {}) {
      if (events.length === 0) return [];
      const op = appendEvents(kind, events, appendOptions, options.token);
      const result = await run("append events", op, "atomic");
      if (result.last !== undefined) watchers.notify(result.last);
      return result.out;
    },
    read: (fromId, limit) =>
      run("read events", ops.readEvents(fromId, limit), "read"),
    lastId,
    watch: (listener) => watchers.add(listener),
    getCursor: (consumer) =>
      run("read a cursor", ops.getCursor(consumer), "read"),
    setCursor: (consumer, offset) =>
      run("move a cursor", ops.setCursor(consumer, offset), "write"),
    listCursors: () => run("list cursors", ops.listCursors(), "read"),
    deleteCursor: (consumer) =>
      run("forget a cursor", ops.deleteCursor(consumer), "write"),
    claimDeliveries: (consumer, claim) =>
      run(
        "claim deliveries",
        deliveries.claimDeliveries(kind, consumer, claim),
        "atomic",
      ),
    settleDelivery: (consumer, eventId, settlement) =>
      run(
        "settle a delivery",
        deliveries.settleDelivery(consumer, eventId, settlement),
        "write",
      ),
    nextDueAt: (consumer) =>
      run("read the next due time", deliveries.nextDueAt(consumer), "read"),
    deliveryStats: (consumer) =>
      run("count deliveries", deliveries.deliveryStats(consumer), "read"),
    listDeadLetters: (consumer, list) =>
      run(
        "list dead letters",
        deliveries.listDeadLetters(consumer, list),
        "read",
      ),
    async redeliver(consumer, selection, now) {
      const op = deliveries.redeliver(consumer, selection, now);
      const count = await run("redeliver dead letters", op, "write");
      if (count > 0) watchers.notify(await lastId());
      return count;
    },
    getSetting: (consumer, name) =>
      run("read a setting", ops.getSetting(consumer, name), "read"),
    setSetting: (consumer, name, value) =>
      run("write a setting", ops.setSetting(consumer, name, value), "write"),
    beginIdempotent: (key, fingerprint, ttl) =>
      run(
        "reserve an idempotency key",
        ops.beginIdempotent(key, fingerprint, ttl),
        "atomic",
      ),
    completeIdempotent: (key, response) =>
      run(
        "store an idempotent response",
        ops.completeIdempotent(key, response),
        "write",
      ),
    abandonIdempotent: (key) =>
      run("release an idempotency key", ops.abandonIdempotent(key), "write"),
    prune: (before) => run("prune events", pruneOld(before), "atomic"),
    pruneAcknowledged: (scope) =>
      run(
        "prune acknowledged events",
        pruneAcknowledged(kind, scope),
        "write",
      ),
    countEvents: () => run("count events", ops.countEvents(), "read"),
    close,
    [Symbol.asyncDispose]: close,
  };
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
