// The gateway: wires the XEP-0114 component, the REST handler (behind the HTTP server shell) and the webhook together.

import { createComponent } from "./component/client.ts";
import { COMPONENT_DEFAULTS } from "./component/api.ts";
import { createRestHandler, REST_DEFAULTS } from "./http/rest_handler.ts";
import { createHttpApp } from "./http/app.ts";
import { type Listen, serveHttp } from "./http/server.ts";
import { createWebhookOps } from "./http/webhook_ops.ts";
import { silentLogger } from "./logger.ts";
import { createMemoryStore } from "./store/memory.ts";
import type { EventStore } from "./store/types.ts";
import { createPruner } from "./store/pruning.ts";
import { observeAcknowledgements } from "./store/observed.ts";
import { VERSION } from "./version.ts";
import { GatewayMetrics } from "./metrics/gateway_metrics.ts";
import type { AuthOptions } from "./http/auth.ts";
import { ReloadError } from "./reload.ts";
import type { StanzaPort } from "./xmpp/port.ts";
import { createInstance, type Instance } from "./cluster/instance.ts";
import { CLUSTER_DEFAULTS } from "./cluster/roles.ts";
import {
  defaultInstanceId,
  openSharedStore,
  type SharedStore,
} from "./cluster/open.ts";
import {
  DEFAULT_DATA_DIR,
  DEFAULT_EVENT_RETENTION_MS,
  openStore,
} from "./store/open.ts";
import { createWebhookHealth } from "./webhook/health.ts";
import { openWebhook } from "./webhook/delivery.ts";
import { eventsApiOn, wireReceiving } from "./gateway_receiving.ts";

export { GATEWAY_DEFAULTS } from "./gateway_api.ts";
export type { Gateway, GatewayOptions } from "./gateway_api.ts";
import {
  type Gateway,
  GATEWAY_DEFAULTS,
  type GatewayOptions,
} from "./gateway_api.ts";

/**
 * Starts a gateway: connects the component (it keeps reconnecting on its
 * own), probes the webhook, and serves the HTTP API.
 *
 * @example
 * ```ts
 * await using gateway = await createGateway({
 *   domain: "rest.localhost",
 *   secret: "s3cret",
 *   credentials: ["Bearer token"],
 * });
 * await gateway.component.waitOnline();
 * ```
 */
export async function createGateway(
  options: GatewayOptions,
): Promise<Gateway> {
  const instanceId = options.instanceId ??
    (options.storeUrl === undefined ? "" : defaultInstanceId());
  const shared = options.storeUrl === undefined
    ? undefined
    : await openSharedStore(options.storeUrl, options.domain, instanceId);
  const reliable = options.callbackMode === "reliable" &&
    options.callbackUrl !== undefined;
  // Durable when something reads the log later: reliable delivery, or
  // pull/SSE consumers (their cursors and idempotency records too).
  const store = options.store ?? shared?.store ??
    (reliable || eventsApiOn(options)
      ? await openStore(options.dataDir ?? DEFAULT_DATA_DIR)
      : createMemoryStore());
  try {
    return await startGateway(options, store, shared && { shared, instanceId });
  } catch (error) {
    if (!options.store) await store.close();
    await shared?.close();
    throw error; // e.g. Deno.errors.AddrInUse
  }
}

/** The listener for `tls` (undefined: plain TCP, the server's default). */
function tlsListen(tls: GatewayOptions["tls"]): Listen | undefined {
  if (tls === undefined) return undefined;
  return (address) =>
    Deno.listenTls({
      ...address,
      cert: tls.cert,
      key: tls.key,
      alpnProtocols: ["h2", "http/1.1"],
    });
}

/** Builds and starts everything; throws when the HTTP port cannot be bound. */
async function startGateway(
  options: GatewayOptions,
  store: EventStore,
  cluster?: { shared: SharedStore; instanceId: string },
): Promise<Gateway> {
  const ownStore = options.store === undefined && cluster === undefined;
  const logger = options.logger ?? silentLogger;
  const metrics = new GatewayMetrics({
    version: VERSION,
    memoryUsage: () => Deno.memoryUsage(),
    startedAt: Date.now() - performance.now(),
  });
  const now = options.now ?? Date.now;
  // Events go once every consumer is done with them, or at retention end
  // (README "What is kept, and for how long"). Without a webhook, or with
  // pull/SSE served, nothing goes before the first pull consumer appears.
  const untilFirstPull = eventsApiOn(options) ||
    options.callbackUrl === undefined;
  const pruner = createPruner({
    store,
    retentionMs: options.eventRetention ?? DEFAULT_EVENT_RETENTION_MS,
    untilFirstPull,
    now,
    logger,
  });
  // Consumers use this view of the store: their acknowledgements nudge the
  // pruner. With only a webhook, an event without a delivery (sync mode,
  // iqs, stanzas the webhook does not select) is done once it is appended.
  const consumed = observeAcknowledgements(store, pruner.nudge);
  const unwatchAppends = untilFirstPull
    ? undefined
    : store.watch(() => pruner.nudge());
  const health = createWebhookHealth();
  const component = createComponent({
    domain: options.domain,
    secret: options.secret,
    server: options.server ?? COMPONENT_DEFAULTS.server,
    logger,
    dial: options.dial,
    backoff: options.backoff,
    pingIntervalMs: options.pingInterval === undefined
      ? undefined
      : options.pingInterval * 1000,
    pingTimeoutMs: options.pingTimeout === undefined
      ? undefined
      : options.pingTimeout * 1000,
    // The REST size limit holds for the stanza as written (README
    // "Sending"), for webhook replies too: under the server's own limit,
    // no stanza can make it close the stream.
    maxStanzaBytes: options.sizeLimit ?? REST_DEFAULTS.sizeLimit,
  });
  const instance: Instance | undefined = cluster && createInstance({
    instanceId: cluster.instanceId,
    mode: options.streamMode ?? CLUSTER_DEFAULTS.streamMode,
    coordination: cluster.shared.coordination,
    component,
    leaseMs: (options.leaseExpiry ?? CLUSTER_DEFAULTS.leaseExpirySeconds) *
      1000,
    renewMs: options.heartbeatMs,
    logger,
    onRoleChange: (role) => metrics.instanceRole(role),
  });
  // With several instances, stanzas go out through whichever has the stream.
  const xmpp: StanzaPort = instance?.port ?? component;
  // Read on every request; a reload replaces the credentials and Basic.
  const auth: AuthOptions = {
    domain: options.domain,
    secret: options.secret,
    credentials: options.credentials,
    basic: options.basicAuth,
  };
  let metricsCredential = options.metricsCredential;
  const {
    webhookClient,
    webhookOptions,
    opened,
    webhook,
    reliable,
    eventsApi,
    inbound,
  } = await wireReceiving(options, {
    store,
    consumed,
    xmpp,
    component,
    health,
    metrics,
    auth,
    owner: cluster?.instanceId,
    now,
    logger,
  });
  const unwatch = reliable ? store.watch(() => reliable.wake()) : undefined;
  component.setStanzaHandler(
    instance ? instance.wrap(inbound.handler) : inbound.handler,
  );
  const rest = createRestHandler({
    inboundIqs: eventsApi.openIqs,
    xmpp,
    domain: options.domain,
    secret: options.secret,
    credentials: options.credentials,
    sizeLimit: options.sizeLimit,
    bodyTimeout: options.bodyTimeout,
    iqTimeout: options.iqTimeout,
    iqMaxTimeout: options.iqMaxTimeout,
    basicAuth: options.basicAuth,
    auth,
    logger,
    metrics,
  });
  const app = createHttpApp({
    rest: eventsApi.wrap(rest),
    webhookOps: createWebhookOps({
      domain: auth.domain,
      secret: auth.secret,
      get credentials() {
        return auth.credentials;
      },
      get basic() {
        return auth.basic;
      },
      mode: reliable ? "reliable" : "sync",
      get url() {
        return opened?.settings.displayUrl;
      },
      health,
      store: reliable ? consumed : undefined,
      reliable,
      now,
    }),
    readiness: () => ({
      online: xmpp.online,
      state: instance?.streamState ??
        (component.answering ? component.state.name : "not-answering"),
      storeFailing: !inbound.storeHealthy,
      ...(instance
        ? { role: instance.role, instance: instance.instanceId }
        : {}),
    }),
    metrics,
    metricsCredential: () => metricsCredential,
    logger,
  });
  const handler = app; // the REST handler writes the access log lines

  // The session logs online, failures and reconnect delays itself.
  component.onStateChange((state, previous) => {
    logger.debug("XMPP stream state", { from: previous.name, to: state.name });
    metrics.streamState(state.name, previous.name);
  });
  // Bind first: if the port is taken, nothing has been started yet.
  const listen = options.listen ?? GATEWAY_DEFAULTS.listen;
  const server = serveHttp({
    hostname: listen.hostname,
    port: listen.port,
    maxConnections: options.maxConnections,
    headerTimeout: options.headerTimeout,
    idleTimeout: options.idleTimeout,
    engine: options.httpEngine,
    logger,
    // With a certificate: TLS, offering h2 and http/1.1 by ALPN.
    listen: tlsListen(options.tls),
  }, handler);
  metrics.setConnectionSource(() => ({
    http: server.openConnections,
    sse: eventsApi.sseClients,
  }));
  pruner.start();
  if (instance) {
    try {
      await instance.start();
    } catch (error) {
      await server.shutdown();
      throw error;
    }
  } else component.start();
  if (webhook) void webhook.probe();
  const addr = server.addr;
  const host = addr.hostname.includes(":")
    ? `[${addr.hostname}]`
    : addr.hostname;
  let stopping: Promise<void> | undefined;
  const gateway: Gateway = {
    url: `${options.tls ? "https" : "http"}://${host}:${addr.port}`,
    listen: { hostname: addr.hostname, port: addr.port },
    component,
    webhook,
    httpServer: server,
    store,
    handler,
    instance: instance && {
      id: instance.instanceId,
      get role() {
        return instance.role;
      },
    },
    reload(next) {
      if ((next.callbackUrl === undefined) !== (opened === undefined)) {
        throw new ReloadError(
          "cannot turn webhooks on or off without a restart (rest_callback_url)",
        );
      }
      // Build first: a webhook setting that does not validate throws here,
      // before anything changed.
      const replacement = opened && next.callbackUrl !== undefined
        ? openWebhook(
          webhookOptions({ ...options, ...next }, next.callbackUrl),
          webhookClient,
        )
        : undefined;
      auth.credentials = next.credentials ?? [];
      auth.basic = next.basicAuth ?? true;
      metricsCredential = next.metricsCredential;
      if (opened && replacement) {
        opened.replace(replacement);
        void replacement.webhook.probe();
      }
    },
    stop({ graceMs = 10_000 } = {}) {
      stopping ??= (async () => {
        // New stanzas are no longer taken (iqs get service-unavailable).
        component.setStanzaHandler(undefined);
        const shutdown = server.shutdown();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const grace = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        });
        eventsApi.close(); // SSE streams end, waiting iqs are answered
        await Promise.race([
          Promise.all([shutdown, webhook?.drain(), reliable?.stop()]),
          grace,
        ]);
        clearTimeout(timer);
        unwatch?.();
        unwatchAppends?.();
        await pruner.stop();
        await instance?.stop();
        await component.stop();
        await webhookClient?.close();
        await server.close();
        if (ownStore) await store.close();
        await cluster?.shared.close();
      })();
      return stopping;
    },
    [Symbol.asyncDispose]() {
      return gateway.stop();
    },
  };
  return gateway;
}
