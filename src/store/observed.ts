// An EventStore that reports acknowledgements (README "What is kept, and for how long"): what can make events prunable.

import type { EventStore } from "./types.ts";

/**
 * Wraps `store` so that `onAcknowledged` is called after a pull cursor
 * moved or was forgotten, and with the event's id after a push delivery
 * was settled as delivered: the moments an event may become done for
 * every consumer (a retry or a dead letter keeps it). Everything else
 * passes through; closing the wrapper closes `store`.
 *
 * @example
 * ```ts
 * const pruner = startPruning({ store, retentionMs, untilFirstPull: true });
 * const observed = observeAcknowledgements(store, pruner.nudge);
 * ```
 */
export function observeAcknowledgements(
  store: EventStore,
  onAcknowledged: (releasedId?: number) => void,
): EventStore {
  const after = <T>(result: Promise<T>, releasedId?: number): Promise<T> =>
    result.then((value) => {
      onAcknowledged(releasedId);
      return value;
    });
  return {
    kind: store.kind,
    append: (events, options) => store.append(events, options),
    read: (fromId, limit) => store.read(fromId, limit),
    lastId: () => store.lastId(),
    watch: (listener) => store.watch(listener),
    getCursor: (consumer) => store.getCursor(consumer),
    setCursor: (consumer, offset) => after(store.setCursor(consumer, offset)),
    listCursors: () => store.listCursors(),
    deleteCursor: (consumer) => after(store.deleteCursor(consumer)),
    claimDeliveries: (consumer, options) =>
      store.claimDeliveries(consumer, options),
    settleDelivery: (consumer, eventId, settlement) =>
      settlement.outcome === "delivered"
        ? after(store.settleDelivery(consumer, eventId, settlement), eventId)
        : store.settleDelivery(consumer, eventId, settlement),
    nextDueAt: (consumer) => store.nextDueAt(consumer),
    deliveryStats: (consumer) => store.deliveryStats(consumer),
    listDeadLetters: (consumer, options) =>
      store.listDeadLetters(consumer, options),
    redeliver: (consumer, selection, now) =>
      store.redeliver(consumer, selection, now),
    getSetting: (consumer, name) => store.getSetting(consumer, name),
    setSetting: (consumer, name, value) =>
      store.setSetting(consumer, name, value),
    beginIdempotent: (key, fingerprint, options) =>
      store.beginIdempotent(key, fingerprint, options),
    completeIdempotent: (key, response) =>
      store.completeIdempotent(key, response),
    abandonIdempotent: (key) => store.abandonIdempotent(key),
    prune: (before) => store.prune(before),
    pruneAcknowledged: (scope) => store.pruneAcknowledged(scope),
    countEvents: () => store.countEvents(),
    close: () => store.close(),
    [Symbol.asyncDispose]: () => store.close(),
  };
}
