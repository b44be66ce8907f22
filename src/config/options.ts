// The configuration contract (README "Configuration"): every option as data (flag, env, config key, default, parser).

import type {
  CALLBACK_STANZAS,
  CallbackContentType,
  CallbackEvent,
} from "../webhook/mod.ts";
import type { ScopedCredential } from "../http/scope.ts";
import { HTTP_SERVER_DEFAULTS, type HttpEngine } from "../http/server.ts";
import {
  DEFAULT_RETRY_SCHEDULE,
  parseRetrySchedule,
} from "../webhook/retry.ts";
import { DEFAULT_DATA_DIR, DEFAULT_EVENT_RETENTION_MS } from "../store/open.ts";

import { CLUSTER_DEFAULTS, type StreamMode } from "../cluster/roles.ts";
import {
  ETIQUETTE_ANSWERS,
  type EtiquetteAnswer,
} from "../inbound/etiquette.ts";
import { OPEN_IQ_DEFAULTS } from "../inbound/open_iqs.ts";
import { DEFAULT_DEDUPE_WINDOW_MS } from "../inbound/dedupe.ts";

import type { HostPort } from "../address.ts";
import { COMPONENT_DEFAULTS } from "../component/api.ts";
import { REST_DEFAULTS } from "../http/rest_handler.ts";
import { GATEWAY_DEFAULTS } from "../gateway_api.ts";
import { MEMORY_TRIM_DEFAULTS } from "../native_memory.ts";
import { WEBHOOK_DEFAULTS } from "../webhook/mod.ts";

import { CONNECTION_OPTIONS } from "./options_connection.ts";
import {
  type CALLBACK_MODES,
  type EVENTS_API_SWITCHES,
  RECEIVING_OPTIONS,
} from "./options_receiving.ts";
export { CALLBACK_MODES, EVENTS_API_SWITCHES } from "./options_receiving.ts";
export type { HostPort } from "../address.ts";

export {
  CALLBACK_CONTENT_TYPES,
  CALLBACK_EVENTS,
  CALLBACK_STANZAS,
} from "../webhook/mod.ts";
export type { CallbackContentType, CallbackEvent } from "../webhook/mod.ts";
/** A stanza kind `rest_callback_stanzas` can select. */
export type CallbackStanza = typeof CALLBACK_STANZAS[number];

/** A webhook delivery mode. */
export type CallbackMode = typeof CALLBACK_MODES[number];

/** The whole, validated configuration of a gateway. */
export interface GatewayConfig {
  /** XMPP server's component port. */
  server: HostPort;
  /** The component's domain (JID). */
  domain: string;
  /** The component secret (also the Basic password). */
  secret: string;
  /** Where the HTTP server listens. */
  listen: HostPort;
  /** Accepted `Authorization` header values, each with an optional scope. */
  credentials: (string | ScopedCredential)[];
  /** PEM certificate chain file: the API is served over HTTPS (with `tlsKey`). */
  tlsCert?: string;
  /** PEM private key file of `tlsCert`. */
  tlsKey?: string;
  /** Webhook URL template; undefined turns webhooks off. */
  callbackUrl?: string;
  /** Webhook body format. */
  callbackContentType: CallbackContentType;
  /** Stanza kinds sent to the webhook. */
  callbackStanzas: CallbackStanza[];
  /** Address forms sent to the webhook. */
  callbackEvents: CallbackEvent[];
  /** Default iq wait, seconds. */
  iqTimeout: number;
  /** Largest iq wait a request may ask for, seconds. */
  iqMaxTimeout: number;
  /** Largest request body, bytes. */
  sizeLimit: number;
  /** Most open HTTP connections; undefined derives it from the descriptor limit. */
  maxConnections?: number;
  /** Seconds a new HTTP connection has for its request head. */
  headerTimeout: number;
  /** Seconds a request body may take to arrive. */
  bodyTimeout: number;
  /** Seconds an idle kept-alive HTTP connection stays open. */
  idleTimeout: number;
  /** The engine serving plain HTTP connections. */
  httpEngine: HttpEngine;
  /** Seconds between returns of freed native memory to the system (0: off). */
  memoryTrim: number;
  /** Seconds between XEP-0199 pings to the XMPP server. */
  pingInterval: number;
  /** Seconds a ping may go unanswered before the stream is not ready. */
  pingTimeout: number;
  /** Webhook request timeout, seconds. */
  callbackTimeout: number;
  /** Where the event store keeps its SQLite file; `:memory:` for none. */
  dataDir: string;
  /** `sync` (mod_rest's behaviour) or `reliable` (stored, retried). */
  callbackMode: CallbackMode;
  /** Delays before each reliable attempt, ms. */
  callbackRetry: number[];
  /** How long events are kept, ms. */
  eventRetention: number;
  /** Webhook requests in flight at once. */
  callbackConcurrency: number;
  /** Standard Webhooks secrets (`whsec_...`) signing every webhook request. */
  callbackSecrets: string[];
  /** Lowest log level written. */
  logLevel: "debug" | "info" | "warn" | "error";
  /** Log line format. */
  logFormat: "text" | "json";
  /** The `Authorization` value `/metrics` requires; undefined: none. */
  metricsCredential?: string;
  /** Accept HTTP Basic `<domain>:<secret>` (as mod_rest does). */
  basicAuth: boolean;
  /** A `postgres://` URL (`--store`): the store shared by several instances (README "Running several instances"). */
  storeUrl?: string;
  /** This instance's id among several (default: host name and pid). */
  instanceId?: string;
  /** How several instances share the XMPP stream. */
  streamMode: StreamMode;
  /** Seconds after which a dead holder's stream lease expires. */
  leaseExpiry: number;
  /** Pull and SSE: `auto` = on when no webhook is configured. */
  eventsApi: EventsApiSwitch;
  /** Seconds an inbound iq waits for a consumer's answer over POST /rest. */
  inboundIqTimeout: number;
  /** Inbound de-duplication window, ms (0: off). */
  inboundDedupeWindow: number;
  /** Built-in answers for the component's own domain. */
  etiquette: EtiquetteAnswer[];
}

/** Whether pull and SSE are served. */
export type EventsApiSwitch = typeof EVENTS_API_SWITCHES[number];

/** The value types an option can parse to. */
type OptionValue = GatewayConfig[keyof GatewayConfig];

/** One configuration option in its three spellings. */
export interface OptionSpec {
  /** Field of {@linkcode GatewayConfig}. */
  field: keyof GatewayConfig;
  /** Command-line flag without dashes, e.g. `server`. */
  flag: string;
  /** Environment variable. */
  env: string;
  /** Key in the JSON config file (mod_rest's option name). */
  key: string;
  /** Default as shown in `--help` ("required" when there is none). */
  defaultText: string;
  /** The flag's value placeholder in `--help`. */
  placeholder: string;
  /** One-line description for `--help`. */
  description: string;
  /** True when the flag may repeat / the value is a list. */
  list?: boolean;
  /** Parses one raw value (string from flags/env, any JSON value from the file); throws Error with a reason. */
  parse(raw: unknown): OptionValue;
}

/** Every option, in `--help` order. */
export const OPTIONS: readonly OptionSpec[] = [
  ...CONNECTION_OPTIONS,
  ...RECEIVING_OPTIONS,
];

/** Defaults of every optional field. */
export const DEFAULTS: Omit<GatewayConfig, "domain" | "secret"> = {
  server: { ...COMPONENT_DEFAULTS.server },
  listen: { ...GATEWAY_DEFAULTS.listen },
  credentials: [],
  callbackContentType: WEBHOOK_DEFAULTS.callbackContentType,
  callbackStanzas: [...WEBHOOK_DEFAULTS.callbackStanzas],
  callbackEvents: [...WEBHOOK_DEFAULTS.callbackEvents],
  iqTimeout: REST_DEFAULTS.iqTimeout,
  iqMaxTimeout: REST_DEFAULTS.iqMaxTimeout,
  sizeLimit: REST_DEFAULTS.sizeLimit,
  headerTimeout: HTTP_SERVER_DEFAULTS.headerTimeout,
  bodyTimeout: HTTP_SERVER_DEFAULTS.bodyTimeout,
  idleTimeout: HTTP_SERVER_DEFAULTS.idleTimeout,
  httpEngine: HTTP_SERVER_DEFAULTS.engine,
  memoryTrim: MEMORY_TRIM_DEFAULTS.intervalSeconds,
  pingInterval: COMPONENT_DEFAULTS.pingIntervalMs / 1000,
  pingTimeout: COMPONENT_DEFAULTS.pingTimeoutMs / 1000,
  callbackTimeout: WEBHOOK_DEFAULTS.callbackTimeout,
  dataDir: DEFAULT_DATA_DIR,
  callbackMode: "sync",
  callbackRetry: parseRetrySchedule(DEFAULT_RETRY_SCHEDULE),
  eventRetention: DEFAULT_EVENT_RETENTION_MS,
  callbackConcurrency: WEBHOOK_DEFAULTS.maxConcurrent,
  callbackSecrets: [],
  logLevel: "info",
  logFormat: "text",
  basicAuth: true,
  eventsApi: "auto",
  inboundIqTimeout: OPEN_IQ_DEFAULTS.timeoutSeconds,
  inboundDedupeWindow: DEFAULT_DEDUPE_WINDOW_MS,
  etiquette: [...ETIQUETTE_ANSWERS],
  streamMode: CLUSTER_DEFAULTS.streamMode,
  leaseExpiry: CLUSTER_DEFAULTS.leaseExpirySeconds,
};
