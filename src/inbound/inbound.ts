// The one owner of every stanza the component hands over (README "Receiving you can trust"): log, then offer.

import type { XmlElement } from "../xml/element.ts";
import { type Logger, silentLogger } from "../logger.ts";
import { errorReply, isReplyForbidden } from "../xmpp/stanza.ts";
import {
  type AppendDedupe,
  type AppendedEvent,
  type EventStore,
  type StoredEvent,
  StoreError,
} from "../store/types.ts";
import type { StanzaHandler } from "./route.ts";
import { toNewEvent } from "./rules.ts";
import { dedupeKey } from "./dedupe.ts";

/**
 * Takes one inbound stanza (with its event when a store is in use).
 * Returns true when it answers an iq get/set itself; anything else means
 * "not mine" and the iq gets `service-unavailable`.
 */
export type InboundConsumer = (
  stanza: XmlElement,
  event: StoredEvent | undefined,
) => boolean;

/** Options of {@linkcode createInbound}. */
export interface InboundOptions {
  /** Sends an answer (errors when the store cannot write). */
  send(stanza: XmlElement): void;
  /** Offered every stanza after it is logged; default: nobody (iq get/set get `service-unavailable`). */
  consumer?: InboundConsumer;
  /** The event log: every stanza is appended before it is offered. Default: none. */
  store?: EventStore;
  /** Push consumers that get a pending delivery for this stanza's event (e.g. `["webhook"]`). */
  deliverTo?(stanza: XmlElement): readonly string[];
  /**
   * With a store: a message whose {@linkcode dedupeKey} was stored less
   * than this long ago (ms) is a re-send, not stored again and not offered
   * to the consumer. Default 0 (off).
   */
  dedupeWindowMs?: number;
  /** Told about each re-sent message (with its first copy's event). */
  onDuplicate?(stanza: XmlElement, first: AppendedEvent): void;
  /** Told when the store failed to write and when it recovered. */
  onStoreHealth?(healthy: boolean, error?: StoreError): void;
  /** Clock in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Log sink. Default silent. */
  logger?: Logger;
}

/** The inbound owner: its handler goes to the component. */
export interface Inbound {
  /** The component's stanza handler. */
  readonly handler: StanzaHandler;
  /** False after an append failed, until one succeeds again. */
  readonly storeHealthy: boolean;
}

interface Pending {
  readonly stanza: XmlElement;
  readonly receivedAt: number;
  readonly done: (result: AppendedEvent | StoreError) => void;
}

/**
 * Creates the inbound owner. With a store, every stanza of one socket read
 * is appended in one batch (one transaction) before any is offered; when
 * the append fails, messages and iq requests are answered
 * `wait/resource-constraint` and nothing is offered.
 *
 * @example
 * ```ts
 * const inbound = createInbound({ send: (s) => component.send(s), store,
 *   consumer: (stanza) => false });
 * component.setStanzaHandler(inbound.handler);
 * ```
 */
export function createInbound(options: InboundOptions): Inbound {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const consumer = options.consumer ?? (() => false);
  const { store } = options;
  let healthy = true;
  let batch: Pending[] = [];
  let chain = Promise.resolve();

  function setHealth(ok: boolean, error?: StoreError): void {
    if (ok === healthy) return;
    healthy = ok;
    if (ok) logger.info("Event store writes again");
    else {
      logger.error("Cannot write to the event store; answering wait", {
        store: store?.kind,
        error: error?.message,
      });
    }
    options.onStoreHealth?.(ok, error);
  }

  async function flush(items: Pending[], target: EventStore): Promise<void> {
    const events = items.map((p) => toNewEvent(p.stanza, p.receivedAt));
    const windowMs = options.dedupeWindowMs ?? 0;
    const dedupe = windowMs > 0
      ? {
        keys: items.map((p, i) => dedupeKey(p.stanza, events[i].stanza)),
        since: Math.min(...items.map((p) => p.receivedAt)) - windowMs,
      }
      : undefined;
    try {
      const stored = await appendGrouped(
        target,
        items,
        events,
        options.deliverTo ?? (() => []),
        dedupe,
      );
      setHealth(true);
      items.forEach((p, i) => p.done(stored[i]));
    } catch (error) {
      const failure = error instanceof StoreError
        ? error
        : new StoreError(target.kind, String(error), { cause: error });
      setHealth(false, failure);
      for (const p of items) p.done(failure);
    }
  }

  function answerUnstored(stanza: XmlElement): void {
    if (stanza.name === "presence" || isReplyForbidden(stanza)) return;
    try {
      options.send(errorReply(stanza, {
        type: "wait",
        condition: "resource-constraint",
        text: "Cannot store the stanza; try again later",
      }));
    } catch (error) {
      logger.warn("Cannot send error reply", { error: String(error) });
    }
  }

  const handler: StanzaHandler = (stanza) => {
    if (!store) return consumer(stanza, undefined);
    return new Promise<AppendedEvent | StoreError>((done) => {
      batch.push({ stanza, receivedAt: now(), done });
      if (batch.length > 1) return;
      queueMicrotask(() => {
        const items = batch;
        batch = [];
        chain = chain.then(() => flush(items, store));
      });
    }).then((result) => {
      if (result instanceof StoreError) {
        answerUnstored(stanza);
        return true;
      }
      if (result.duplicate) {
        logger.debug("Re-sent message recognised; not stored again", {
          id: stanza.attr("id"),
          from: stanza.attr("from"),
          event: result.id,
        });
        options.onDuplicate?.(stanza, result);
        return true;
      }
      return consumer(stanza, result);
    });
  };

  return {
    handler,
    get storeHealthy() {
      return healthy;
    },
  };
}

/** Appends in one transaction when every stanza goes to the same consumers, else in runs that do. */
async function appendGrouped(
  store: EventStore,
  items: readonly Pending[],
  events: ReturnType<typeof toNewEvent>[],
  deliverTo: (stanza: XmlElement) => readonly string[],
  dedupe: AppendDedupe | undefined,
): Promise<AppendedEvent[]> {
  const out: AppendedEvent[] = [];
  let start = 0;
  while (start < items.length) {
    const targets = deliverTo(items[start].stanza);
    let end = start + 1;
    while (
      end < items.length &&
      sameList(deliverTo(items[end].stanza), targets)
    ) end++;
    out.push(
      ...await store.append(events.slice(start, end), {
        deliverTo: targets,
        ...(dedupe && {
          dedupe: { keys: dedupe.keys.slice(start, end), since: dedupe.since },
        }),
      }),
    );
    start = end;
  }
  return out;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
