// Receiving without a webhook, assembled (README "Receiving without a webhook: pull, SSE, inbound iqs"): inbound answering, the SSE feed, the pull/SSE routes, Idempotency-Key.

import type { XmlElement } from "../xml/element.ts";
import type { Logger } from "../logger.ts";
import type { EventStore } from "../store/types.ts";
import type { AuthOptions } from "../http/auth.ts";
import { createEventsHandler } from "../http/events.ts";
import { withIdempotency } from "../http/idempotency.ts";
import type { InboundConsumer } from "../inbound/inbound.ts";
import { answeringConsumer } from "../inbound/answering.ts";
import type { EtiquetteAnswer } from "../inbound/etiquette.ts";
import { OpenIqs } from "../inbound/open_iqs.ts";
import { EventFeed } from "./feed.ts";

type Handler = (request: Request) => Promise<Response>;

/** Options of {@linkcode createEventsApi}. */
export interface EventsApiOptions {
  /** The event log. */
  readonly store: EventStore;
  /** Serve GET /rest/updates and /rest/events. */
  readonly serve: boolean;
  /** The component's domain (built-in answers). */
  readonly domain: string;
  /** The credentials of /rest. */
  readonly auth: AuthOptions;
  /** Sends answers to inbound iqs. */
  readonly send: (stanza: XmlElement) => void;
  /** Seconds an inbound iq waits for a POSTed answer. */
  readonly inboundIqTimeout: number;
  /** Built-in answers that are on. */
  readonly etiquette: readonly EtiquetteAnswer[];
  /** Software version (XEP-0092). */
  readonly version: string;
  /** Largest request body, bytes. */
  readonly sizeLimit: number;
  /** Milliseconds a request body may take to arrive; then 408. Default: no limit. */
  readonly bodyTimeoutMs?: number;
  /** Log sink. */
  readonly logger: Logger;
}

/** The parts the gateway wires in. */
export interface EventsApi {
  /** Inbound iqs waiting for a POSTed answer (for the REST handler). */
  readonly openIqs: OpenIqs;
  /** The inbound consumer when no webhook takes the stanzas. */
  readonly consumer: InboundConsumer;
  /** Wraps the REST handler: the event routes first, Idempotency-Key on sending. */
  wrap(rest: Handler): Handler;
  /** SSE clients connected now. */
  readonly sseClients: number;
  /** Ends SSE streams and answers waiting iqs (the gateway is stopping). */
  close(): void;
}

/**
 * Builds pull, SSE, inbound iq answering and idempotent sending over one
 * store.
 *
 * @example
 * ```ts
 * const events = createEventsApi({ store, serve: true, domain, auth, send, inboundIqTimeout: 30,
 *   etiquette: ["ping"], version: "1.0.0", sizeLimit: 196608, logger });
 * const handler = events.wrap(createRestHandler({ xmpp, inboundIqs: events.openIqs }));
 * ```
 */
export function createEventsApi(options: EventsApiOptions): EventsApi {
  const openIqs = new OpenIqs({
    timeoutMs: options.inboundIqTimeout * 1000,
    send: options.send,
  });
  const feed = options.serve
    ? new EventFeed({ store: options.store, logger: options.logger })
    : undefined;
  const events = feed
    ? createEventsHandler({
      store: options.store,
      feed,
      auth: options.auth,
      logger: options.logger,
    })
    : undefined;
  return {
    openIqs,
    consumer: answeringConsumer({
      // Without pull/SSE nobody sees an iq to answer it.
      openIqs: options.serve ? openIqs : undefined,
      send: options.send,
      etiquette: {
        domain: options.domain,
        enabled: options.etiquette,
        version: options.version,
        now: Date.now,
      },
    }),
    wrap(rest) {
      const idempotent = withIdempotency(rest, {
        store: options.store,
        auth: options.auth,
        sizeLimit: options.sizeLimit,
        bodyTimeoutMs: options.bodyTimeoutMs,
        logger: options.logger,
      });
      return (request) => events?.(request) ?? idempotent(request);
    },
    get sseClients() {
      return feed?.clients ?? 0;
    },
    close() {
      feed?.close();
      openIqs.closeAll();
    },
  };
}
