// The gateway's public shape: its options (README "Configuration", "Library use"), the running gateway, and the defaults it owns.

import type { ComponentClient } from "./component/api.ts";
import type { Dial } from "./component/connection.ts";
import type { HostPort } from "./address.ts";
import type { Logger } from "./logger.ts";
import type { Webhook } from "./webhook/delivery.ts";
import type { EventsApiSwitch } from "./config/options.ts";
import type { EtiquetteAnswer } from "./inbound/etiquette.ts";
import type { EventStore } from "./store/types.ts";
import type { WebhookOptions } from "./webhook/options.ts";
import type { ScopedCredential } from "./http/scope.ts";
import type { ReloadableOptions } from "./reload.ts";
import type { InstanceRole, StreamMode } from "./cluster/roles.ts";

/**
 * Defaults the gateway itself owns (the others are those of the component,
 * the REST handler and the webhook): the HTTP API listens on loopback, clear
 * of Prosody's 5280/5281.
 *
 * @example
 * ```ts
 * GATEWAY_DEFAULTS.listen; // { hostname: "127.0.0.1", port: 5380 }
 * ```
 */
export const GATEWAY_DEFAULTS = {
  listen: { hostname: "127.0.0.1", port: 5380 },
} as const;

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
  /**
   * Serve the API over HTTPS with this PEM certificate chain and key;
   * clients then get HTTP/2 or HTTP/1.1 by ALPN (RFC 7301), so many
   * long-polls and event streams can share one connection. Default: plain
   * HTTP/1.1.
   */
  tls?: { cert: string; key: string };
  /** Accepted `Authorization` header values, e.g. `"Bearer xyz"`, each with an optional scope. */
  credentials?: readonly (string | ScopedCredential)[];
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
  /** Most open HTTP connections. Default: from the descriptor limit. */
  maxConnections?: number;
  /** Seconds a new HTTP connection has for its request head. Default 10. */
  headerTimeout?: number;
  /** Seconds a request body may take to arrive. Default 30. */
  bodyTimeout?: number;
  /** Seconds an idle kept-alive HTTP connection stays open. Default 75. */
  idleTimeout?: number;
  /** The engine serving plain HTTP connections. Default `http1`. */
  httpEngine?: "http1" | "deno";
  /** Where log lines go. Default: nowhere. */
  logger?: Logger;
  /** Opens the XMPP socket (tests). Default TCP. */
  dial?: Dial;
  /** HTTP client for webhooks (tests). Default the global `fetch`. */
  fetch?: typeof fetch;
  /** Reconnect delays of the component. */
  backoff?: { baseMs?: number; capMs?: number };
  /** Seconds between XEP-0199 pings to the server. Default 15. */
  pingInterval?: number;
  /** Seconds a ping may go unanswered before the stream counts as not ready. Default 10. */
  pingTimeout?: number;
  /** The `Authorization` value `GET /metrics` requires. Default: none (open). */
  metricsCredential?: string;
  /** Accept HTTP Basic `<domain>:<secret>`. Default true (as mod_rest). */
  basicAuth?: boolean;
  /** `sync` (default, mod_rest's behaviour) or `reliable` (stored, retried). */
  callbackMode?: "sync" | "reliable";
  /** Reliable mode: delays before each attempt, ms. Default `0s,5s,5m,30m,2h,5h,10h,10h`. */
  callbackRetry?: readonly number[];
  /** Webhook requests in flight at once. Default 32. */
  callbackConcurrency?: number;
  /** Standard Webhooks secrets (`whsec_...`) that sign every webhook request. */
  callbackSecrets?: readonly string[];
  /** Where the SQLite event store lives (reliable mode); `:memory:` for none. Default `./xmpp-rest-data`. */
  dataDir?: string;
  /** How long events are kept, ms. Default 72 h. */
  eventRetention?: number;
  /** Clock, ms since the epoch (tests). Default `Date.now`. */
  now?: () => number;
  /** The event log (closed by the caller). Default: SQLite in `dataDir` in reliable mode, else a memory store; the gateway owns it. */
  store?: EventStore;
  /** Pull and SSE routes: `auto` (default) = on when no webhook is configured. */
  eventsApi?: EventsApiSwitch;
  /** Seconds an inbound iq waits for an answer over POST /rest. Default 30. */
  inboundIqTimeout?: number;
  /** A message re-sent within this many ms is stored once (README "Running several instances"); 0 = off. Default 10 min. */
  inboundDedupeWindow?: number;
  /** Built-in answers for the component's own domain. Default all. */
  etiquette?: readonly EtiquetteAnswer[];
  /** A `postgres://` URL: run as one of several instances sharing this store (README "Running several instances"); it is then the event log. */
  storeUrl?: string;
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
  /** The HTTP server shell (connection count and cap). */
  readonly httpServer: {
    /** HTTP connections open right now. */
    readonly openConnections: number;
    /** The connection cap in force. */
    readonly maxConnections: number;
  };
  /** The event log. */
  readonly store: EventStore;
  /** The HTTP handler (also usable without a socket). */
  readonly handler: (request: Request) => Promise<Response>;
  /** With `storeUrl`: this instance's id and role. */
  readonly instance?: { readonly id: string; readonly role: InstanceRole };
  /**
   * Applies reloadable settings (SIGHUP) without dropping the XMPP stream:
   * credentials, Basic, the metrics credential, webhook settings. Throws
   * {@linkcode ReloadError} (or the webhook's validation error) and changes
   * nothing when they cannot be applied.
   */
  reload(options: ReloadableOptions): void;
  /**
   * Stops accepting requests and stanzas, lets in-flight requests and
   * webhook deliveries finish for up to `graceMs` (default 10 s), then closes
   * the XMPP stream (iqs still waiting are answered 503).
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}
