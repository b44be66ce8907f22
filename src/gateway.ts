// The gateway: wires the XEP-0114 component, the REST handler (Deno.serve) and the webhook together.

import { createComponent } from "./component/client.ts";
import type { ComponentClient } from "./component/api.ts";
import type { Dial } from "./component/connection.ts";
import type { HostPort } from "./config/options.ts";
import { createRestHandler } from "./http/rest_handler.ts";
import { createHttpApp } from "./http/app.ts";
import { type Logger, silentLogger } from "./logger.ts";
import { createWebhook, type Webhook } from "./webhook/delivery.ts";
import { createInbound } from "./inbound/inbound.ts";
import { syncConsumer, unhandledConsumer } from "./inbound/consumers.ts";
import type { WebhookOptions } from "./webhook/options.ts";
import { VERSION } from "./version.ts";
import type { StanzaPort } from "./xmpp/port.ts";
import { createInstance, type Instance } from "./cluster/instance.ts";
import type { InstanceRole, StreamMode } from "./cluster/roles.ts";
import {
  defaultInstanceId,
  openSharedStore,
  type SharedStore,
} from "./cluster/open.ts";

/** Options of {@linkcode createGateway}; names follow the configuration contract. */
export interface GatewayOptions {
  /** The component's domain, e.g. `rest.example.net`. */
  domain: string;
  /** The component secret (also the Basic password `<domain>:<secret>`). */
  secret: string;
  /** The XMPP server's component port. Default `127.0.0.1:5347`. */
  server?: HostPort;
  /** Where the HTTP API listens. Default `127.0.0.1:5380`; port 0 picks a free one. */
  listen?: HostPort;
  /** Accepted `Authorization` header values, e.g. `"Bearer xyz"`. */
  credentials?: readonly string[];
  /** Webhook URL template; without it incoming iqs get `service-unavailable`. */
  callbackUrl?: string;
  /** Webhook body format. Default `application/xmpp+xml`. */
  callbackContentType?: WebhookOptions["callbackContentType"];
  /** Stanza kinds sent to the webhook. Default all. */
  callbackStanzas?: WebhookOptions["callbackStanzas"];
  /** Address forms sent to the webhook. Default all. */
  callbackEvents?: WebhookOptions["callbackEvents"];
  /** Webhook request timeout, seconds. Default 30. */
  callbackTimeout?: number;
  /** Default iq wait, seconds. Default 120. */
  iqTimeout?: number;
  /** Largest iq wait a request may ask for, seconds. Default 300. */
  iqMaxTimeout?: number;
  /** Largest request body, bytes. Default 196608. */
  sizeLimit?: number;
  /** Where log lines go. Default: nowhere. */
  logger?: Logger;
  /** Opens the XMPP socket (tests). Default TCP. */
  dial?: Dial;
  /** HTTP client for webhooks (tests). Default the global `fetch`. */
  fetch?: typeof fetch;
  /** Reconnect delays of the component. */
  backoff?: { baseMs?: number; capMs?: number };
  /** A `postgres://` URL: run as one of several instances sharing this store (README "Running several instances"). */
  store?: string;
  /** This instance's id among several. Default: host name and pid. */
  instanceId?: string;
  /** How several instances share the XMPP stream. Default `lease`. */
  streamMode?: StreamMode;
  /** Seconds until a dead holder's stream lease expires. Default 5. */
  leaseExpiry?: number;
  /** Heartbeat interval with several instances, ms (tests). Default a fifth of the lease. */
  heartbeatMs?: number;
}

/** A running gateway. */
export interface Gateway extends AsyncDisposable {
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:5380`. */
  readonly url: string;
  /** The address the HTTP server listens on. */
  readonly listen: HostPort;
  /** The component connection. */
  readonly component: ComponentClient;
  /** The webhook, when a callback URL is configured. */
  readonly webhook?: Webhook;
  /** The HTTP handler (also usable without a socket). */
  readonly handler: (request: Request) => Promise<Response>;
  /** With `store`: this instance's id and role. */
  readonly instance?: { readonly id: string; readonly role: InstanceRole };
  /**
   * Stops accepting requests and stanzas, lets in-flight requests and
   * webhook deliveries finish for up to `graceMs` (default 10 s), then closes
   * the XMPP stream (iqs still waiting are answered 503).
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

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
  if (options.store === undefined) return await startGateway(options);
  const instanceId = options.instanceId ?? defaultInstanceId();
  const shared = await openSharedStore(
    options.store,
    options.domain,
    instanceId,
  );
  try {
    return await startGateway(options, { shared, instanceId });
  } catch (error) {
    await shared.close();
    throw error; // e.g. Deno.errors.AddrInUse
  }
}

/** Builds and starts everything; throws when the HTTP port cannot be bound. */
async function startGateway(
  options: GatewayOptions,
  cluster?: { shared: SharedStore; instanceId: string },
): Promise<Gateway> {
  const logger = options.logger ?? silentLogger;
  const component = createComponent({
    domain: options.domain,
    secret: options.secret,
    server: options.server ?? { hostname: "127.0.0.1", port: 5347 },
    logger,
    dial: options.dial,
    backoff: options.backoff,
  });
  const instance: Instance | undefined = cluster && createInstance({
    instanceId: cluster.instanceId,
    mode: options.streamMode ?? "lease",
    coordination: cluster.shared.coordination,
    component,
    leaseMs: (options.leaseExpiry ?? 5) * 1000,
    renewMs: options.heartbeatMs,
    logger,
  });
  // With several instances, stanzas go out through whichever has the stream.
  const port: StanzaPort = instance?.port ?? component;
  const webhook = options.callbackUrl === undefined
    ? undefined
    : createWebhook({
      callbackUrl: options.callbackUrl,
      callbackContentType: options.callbackContentType,
      callbackStanzas: options.callbackStanzas,
      callbackEvents: options.callbackEvents,
      callbackTimeout: options.callbackTimeout,
      port,
      version: VERSION,
      fetch: options.fetch,
      logger,
    });
  const inbound = createInbound({
    send: (stanza) => component.send(stanza),
    consumer: webhook
      ? syncConsumer(webhook, logger)
      : unhandledConsumer(logger),
    logger,
  });
  const stanzaHandler = instance
    ? instance.wrap(inbound.handler)
    : inbound.handler;
  component.setStanzaHandler(stanzaHandler);
  const rest = createRestHandler({
    port,
    domain: options.domain,
    secret: options.secret,
    credentials: options.credentials,
    sizeLimit: options.sizeLimit,
    iqTimeout: options.iqTimeout,
    iqMaxTimeout: options.iqMaxTimeout,
    logger,
  });
  const app = createHttpApp({
    rest,
    readiness: () =>
      instance
        ? {
          online: port.online,
          state: instance.streamState,
          role: instance.role,
          instance: instance.instanceId,
        }
        : { online: component.online, state: component.state.name },
  });
  const handler = app; // the REST handler writes the access log lines

  // The session logs online, failures and reconnect delays itself.
  component.onStateChange((state, previous) => {
    logger.debug("XMPP stream state", { from: previous.name, to: state.name });
  });
  // Bind first: if the port is taken, nothing has been started yet.
  const listen = options.listen ?? { hostname: "127.0.0.1", port: 5380 };
  const server = Deno.serve({
    hostname: listen.hostname,
    port: listen.port,
    onListen: () => {},
  }, handler);
  if (instance) {
    try {
      await instance.start();
    } catch (error) {
      await server.shutdown();
      throw error;
    }
  } else component.start();
  if (webhook) void webhook.probe();
  const addr = server.addr as Deno.NetAddr;
  const host = addr.hostname.includes(":")
    ? `[${addr.hostname}]`
    : addr.hostname;
  let stopping: Promise<void> | undefined;
  const gateway: Gateway = {
    url: `http://${host}:${addr.port}`,
    listen: { hostname: addr.hostname, port: addr.port },
    component,
    webhook,
    handler,
    instance: instance && {
      id: instance.instanceId,
      get role() {
        return instance.role;
      },
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
        await Promise.race([
          Promise.all([shutdown, webhook?.drain()]),
          grace,
        ]);
        clearTimeout(timer);
        await instance?.stop();
        await component.stop();
        await shutdown;
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
