// The receiving side of the gateway (README "Receiving (webhooks)", "Reliable webhooks", "Receiving without a webhook"): the webhook and its delivery mode, the pull/SSE API, and the inbound owner that hands each stanza to them.

import type { AuthOptions } from "./http/auth.ts";
import { HTTP_SERVER_DEFAULTS } from "./http/server.ts";
import { REST_DEFAULTS } from "./http/rest_handler.ts";
import { createEventsApi, type EventsApi } from "./events/api.ts";
import { createInbound, type Inbound } from "./inbound/inbound.ts";
import {
  isPushed,
  receiptForCopy,
  reliableConsumer,
  syncConsumer,
} from "./inbound/consumers.ts";
import { ETIQUETTE_ANSWERS } from "./inbound/etiquette.ts";
import { OPEN_IQ_DEFAULTS } from "./inbound/open_iqs.ts";
import { DEFAULT_DEDUPE_WINDOW_MS } from "./inbound/dedupe.ts";
import type { Logger } from "./logger.ts";
import type { GatewayMetrics } from "./metrics/gateway_metrics.ts";
import { switchableWebhook } from "./reload.ts";
import type { EventStore } from "./store/types.ts";
import { VERSION } from "./version.ts";
import type { StanzaPort } from "./xmpp/port.ts";
import type { ComponentClient } from "./component/api.ts";
import { openWebhook } from "./webhook/delivery.ts";
import { createHttp1Client, type Http1Client } from "./webhook/http1_client.ts";
import { fetchTransport } from "./webhook/transport.ts";
import type { WebhookHealth } from "./webhook/health.ts";
import { WEBHOOK_DEFAULTS, type WebhookOptions } from "./webhook/options.ts";
import {
  createReliableDelivery,
  type ReliableDelivery,
  WEBHOOK_CONSUMER,
} from "./webhook/reliable.ts";
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule } from "./webhook/retry.ts";
import type { GatewayOptions } from "./gateway_api.ts";

/** Whether GET /rest/updates and /rest/events are served (`auto`: when no webhook is configured). */
export function eventsApiOn(options: GatewayOptions): boolean {
  const setting = options.eventsApi ?? "auto";
  return setting === "auto"
    ? options.callbackUrl === undefined
    : setting === "on";
}

/** What {@linkcode wireReceiving} builds on. */
export interface ReceivingParts {
  /** The event store. */
  readonly store: EventStore;
  /** The store as consumers see it (their acknowledgements nudge the pruner). */
  readonly consumed: EventStore;
  /** Where stanzas go out (the component, or the instance port). */
  readonly xmpp: StanzaPort;
  /** The component (inbound iqs are answered on it directly). */
  readonly component: ComponentClient;
  /** Webhook health, shared with the operations API. */
  readonly health: WebhookHealth;
  /** The gateway's metrics. */
  readonly metrics: GatewayMetrics;
  /** Credentials of the events API (a reload replaces them in place). */
  readonly auth: AuthOptions;
  /** This instance's id when several share the store. */
  readonly owner?: string;
  /** Clock in ms since the epoch. */
  readonly now: () => number;
  /** Where everything logs. */
  readonly logger: Logger;
}

/** The receiving side, wired. */
export interface Receiving {
  /** The pooled client for http: webhook URLs, when one is in use. */
  readonly webhookClient?: Http1Client;
  /** The webhook options for a configuration and a URL (a reload builds new ones). */
  readonly webhookOptions: (o: GatewayOptions, url: string) => WebhookOptions;
  /** The webhook, replaceable on reload, when one is configured. */
  readonly opened?: ReturnType<typeof switchableWebhook>;
  /** The webhook, when one is configured. */
  readonly webhook?: ReturnType<typeof switchableWebhook>["webhook"];
  /** Reliable delivery, in reliable mode. */
  readonly reliable?: ReliableDelivery;
  /** Pull, SSE and inbound iqs answered over REST. */
  readonly eventsApi: EventsApi;
  /** The one owner of inbound stanzas. */
  readonly inbound: Inbound;
}

/** Builds the webhook (sync or reliable), the events API and the inbound owner for `options`. */
export async function wireReceiving(
  options: GatewayOptions,
  parts: ReceivingParts,
): Promise<Receiving> {
  const { store, consumed, xmpp, component, health, metrics, auth, owner } =
    parts;
  const { now, logger } = parts;
  // Deliveries to http: URLs go over pooled keep-alive connections (README
  // "Receiving (webhooks)"); https: and a test's own fetch use fetch.
  const webhookClient = options.callbackUrl === undefined || options.fetch
    ? undefined
    : createHttp1Client({ fallback: fetchTransport(globalThis.fetch) });
  const webhookOptions = (o: GatewayOptions, url: string): WebhookOptions => ({
    callbackUrl: url,
    callbackContentType: o.callbackContentType,
    callbackStanzas: o.callbackStanzas,
    callbackEvents: o.callbackEvents,
    callbackTimeout: o.callbackTimeout,
    xmpp,
    version: VERSION,
    fetch: options.fetch,
    logger,
    callbackSecrets: o.callbackSecrets,
    maxConcurrent: options.callbackConcurrency,
    health,
    now,
    onAttempt: (outcome, seconds) => metrics.webhookAttempt(outcome, seconds),
  });
  const opened = options.callbackUrl === undefined
    ? undefined
    : switchableWebhook(
      openWebhook(webhookOptions(options, options.callbackUrl), webhookClient),
    );
  const webhook = opened?.webhook;
  const reliable = opened && store && options.callbackMode === "reliable"
    ? await createReliableDelivery({
      store: consumed,
      settings: opened.settings,
      contentType: () => opened.webhook.contentType,
      xmpp,
      owner,
      schedule: options.callbackRetry ??
        parseRetrySchedule(DEFAULT_RETRY_SCHEDULE),
      concurrency: options.callbackConcurrency ??
        WEBHOOK_DEFAULTS.maxConcurrent,
      health,
      fetch: options.fetch,
      transport: webhookClient,
      now,
      logger,
      randomId: () => crypto.randomUUID(),
      onAttempt: (outcome, seconds) => metrics.webhookAttempt(outcome, seconds),
    })
    : undefined;
  const eventsApi = createEventsApi({
    store: consumed,
    serve: eventsApiOn(options),
    domain: options.domain,
    auth,
    send: (stanza) => component.send(stanza),
    inboundIqTimeout: options.inboundIqTimeout ??
      OPEN_IQ_DEFAULTS.timeoutSeconds,
    etiquette: options.etiquette ?? ETIQUETTE_ANSWERS,
    version: VERSION,
    sizeLimit: options.sizeLimit ?? REST_DEFAULTS.sizeLimit,
    bodyTimeoutMs: (options.bodyTimeout ?? HTTP_SERVER_DEFAULTS.bodyTimeout) *
      1000,
    logger,
  });
  const receiptAgain = receiptForCopy(xmpp, logger);
  // Events are logged only where something reads them later (reliable
  // delivery, pull/SSE); a sync webhook alone posts each stanza as it
  // comes, as mod_rest does, with no log in between.
  const logged = reliable !== undefined || eventsApiOn(options);
  const inbound = createInbound({
    send: (stanza) => component.send(stanza),
    store: logged ? store : undefined,
    // Only where events are kept for later: sync mode stays mod_rest's.
    dedupeWindowMs: logged
      ? options.inboundDedupeWindow ?? DEFAULT_DEDUPE_WINDOW_MS
      : 0,
    onDuplicate: (stanza, first) => {
      metrics.inboundDuplicate();
      if (reliable) receiptAgain(stanza, first);
    },
    consumer: !webhook
      ? eventsApi.consumer
      : reliable
      ? reliableConsumer(webhook, logger)
      : syncConsumer(webhook, logger),
    deliverTo: (stanza) =>
      webhook && reliable && isPushed(stanza, webhook)
        ? [WEBHOOK_CONSUMER]
        : [],
    now,
    logger,
  });
  metrics.setQueueSource(async () => {
    const [lastEventId, storedEvents] = await Promise.all([
      store.lastId(),
      store.countEvents(),
    ]);
    const events = { lastEventId, storedEvents };
    if (!reliable) return { pending: webhook?.queued ?? 0, dead: 0, ...events };
    const stats = await store.deliveryStats(WEBHOOK_CONSUMER);
    return { ...stats, ...events };
  });
  return {
    webhookClient,
    webhookOptions,
    opened,
    webhook,
    reliable,
    eventsApi,
    inbound,
  };
}
