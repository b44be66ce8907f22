// The configuration contract (README "Configuration"): every option as data (flag, env, config key, default, parser).

import {
  CALLBACK_CONTENT_TYPES,
  CALLBACK_EVENTS,
  CALLBACK_STANZAS,
  type CallbackContentType,
  type CallbackEvent,
  validateCallbackUrl,
} from "../webhook/mod.ts";
import { parseScopedCredential, type ScopedCredential } from "../http/scope.ts";
import { HTTP_SERVER_DEFAULTS } from "../http/server.ts";
import {
  DEFAULT_RETRY_SCHEDULE,
  parseDuration,
  parseRetrySchedule,
} from "../webhook/retry.ts";
import { secretKey } from "../webhook/signature.ts";
import { DEFAULT_DATA_DIR, DEFAULT_EVENT_RETENTION_MS } from "../store/open.ts";

import {
  CLUSTER_DEFAULTS,
  STREAM_MODES,
  type StreamMode,
} from "../cluster/roles.ts";
import { isPostgresUrl, redact } from "../store/postgres_open.ts";
import {
  ETIQUETTE_ANSWERS,
  type EtiquetteAnswer,
} from "../inbound/etiquette.ts";
import { OPEN_IQ_DEFAULTS } from "../inbound/open_iqs.ts";

import {
  AddressError,
  formatHostPort,
  type HostPort,
  parseHostPort,
} from "../address.ts";
import { COMPONENT_DEFAULTS } from "../component/api.ts";
import { REST_DEFAULTS } from "../http/rest_handler.ts";
import { GATEWAY_DEFAULTS } from "../gateway.ts";
import { WEBHOOK_DEFAULTS } from "../webhook/mod.ts";
import { MEDIA_TYPES } from "../wire/mod.ts";

export type { HostPort } from "../address.ts";

export {
  CALLBACK_CONTENT_TYPES,
  CALLBACK_EVENTS,
  CALLBACK_STANZAS,
} from "../webhook/mod.ts";
export type { CallbackContentType, CallbackEvent } from "../webhook/mod.ts";
/** A stanza kind `rest_callback_stanzas` can select. */
export type CallbackStanza = typeof CALLBACK_STANZAS[number];

/** Webhook delivery modes. */
export const CALLBACK_MODES = ["sync", "reliable"] as const;
/** A webhook delivery mode. */
export type CallbackMode = typeof CALLBACK_MODES[number];

/** Log formats. */
const LOG_FORMATS = ["text", "json"] as const;

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
  /** Built-in answers for the component's own domain. */
  etiquette: EtiquetteAnswer[];
}

/** Values of `--events-api`. */
export const EVENTS_API_SWITCHES = ["auto", "on", "off"] as const;
/** Whether pull and SSE are served. */
export type EventsApiSwitch = typeof EVENTS_API_SWITCHES[number];

/** `--etiquette` list or `none`. */
function etiquetteList(raw: unknown): EtiquetteAnswer[] {
  const values = list(raw);
  if (values.length === 1 && values[0].toLowerCase() === "none") return [];
  return listOf(ETIQUETTE_ANSWERS)(raw);
}

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

function text(raw: unknown): string {
  if (typeof raw === "number") return String(raw);
  if (typeof raw !== "string") throw new Error("expected a string");
  return raw.trim();
}

/** `HOST:PORT` (IPv6 as `[::1]:5347`); `anyPort` accepts port 0. */
function hostPort(anyPort: boolean): (raw: unknown) => HostPort {
  return (raw) => {
    try {
      return parseHostPort(text(raw), { anyPort });
    } catch (error) {
      if (error instanceof AddressError) throw new Error(error.reason);
      throw error;
    }
  };
}

function positiveNumber(raw: unknown): number {
  const value = typeof raw === "number" ? raw : Number(text(raw));
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`expected a positive number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function positiveInteger(raw: unknown): number {
  const value = positiveNumber(raw);
  if (!Number.isInteger(value)) {
    throw new Error(`expected a whole number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** A list from a comma-separated string or an array (whose items may hold commas too). */
function list(raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw.map(text) : [text(raw)];
  return items.flatMap((item) => item.split(","))
    .map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * Credentials: comma-separated in a string; array items are taken whole,
 * and may be scoped credential objects (config file only).
 */
function credentialList(raw: unknown): (string | ScopedCredential)[] {
  if (!Array.isArray(raw)) return list(raw);
  return raw.flatMap((item, i): (string | ScopedCredential)[] => {
    if (typeof item === "object" && item !== null && !Array.isArray(item)) {
      try {
        return [parseScopedCredential(item as Record<string, unknown>)];
      } catch (error) {
        throw new Error(`item ${i}: ${(error as Error).message}`);
      }
    }
    const value = text(item);
    return value === "" ? [] : [value];
  });
}

function oneOf<T extends string>(
  allowed: readonly T[],
  aliases: Record<string, T> = {},
) {
  return (raw: unknown): T => {
    const value = text(raw).toLowerCase();
    const found = aliases[value] ?? allowed.find((a) => a === value);
    if (!found) {
      throw new Error(`expected one of ${allowed.join(", ")}, got "${value}"`);
    }
    return found;
  };
}

function listOf<T extends string>(allowed: readonly T[]) {
  const one = oneOf(allowed);
  return (raw: unknown): T[] => {
    const values = list(raw).map(one);
    if (values.length === 0) throw new Error("expected at least one value");
    return [...new Set(values)];
  };
}

function httpUrl(raw: unknown): string {
  const value = text(raw);
  const problems = validateCallbackUrl(value);
  if (problems.length > 0) throw new Error(problems.join("; "));
  return value;
}

function domainJid(raw: unknown): string {
  const value = text(raw).toLowerCase();
  if (
    !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(
      value,
    )
  ) {
    throw new Error(
      `expected a domain name like rest.example.net, got "${value}"`,
    );
  }
  return value;
}

function boolean(raw: unknown): boolean {
  if (typeof raw === "boolean") return raw;
  const value = text(raw).toLowerCase();
  if (["true", "yes", "on", "1"].includes(value)) return true;
  if (["false", "no", "off", "0"].includes(value)) return false;
  throw new Error(`expected true or false, got ${JSON.stringify(raw)}`);
}

/** An `Authorization` value: a scheme and a token. */
function authorizationValue(raw: unknown): string {
  const value = text(raw);
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+ +\S+$/.test(value)) {
    throw new Error(
      'expected an Authorization value like "Bearer TOKEN"',
    );
  }
  return value;
}

function retrySchedule(raw: unknown): number[] {
  return parseRetrySchedule(
    Array.isArray(raw) ? raw.map(text).join(",") : text(raw),
  );
}

function duration(raw: unknown): number {
  const value = parseDuration(text(raw));
  if (value <= 0) throw new Error("expected a duration above zero");
  return value;
}

function webhookSecrets(raw: unknown): string[] {
  const values = Array.isArray(raw)
    ? raw.map(text).filter((s) => s !== "")
    : list(raw);
  for (const value of values) secretKey(value);
  return values;
}

function dataDir(raw: unknown): string {
  const value = text(raw);
  if (value === "") throw new Error("must not be empty");
  return value;
}

function filePath(raw: unknown): string {
  const value = text(raw);
  if (value === "") throw new Error("expected a file path");
  return value;
}

function postgresUrl(raw: unknown): string {
  const value = text(raw);
  let valid = isPostgresUrl(value);
  try {
    new URL(value);
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new Error(
      `expected a postgres://USER:PASSWORD@HOST:PORT/DATABASE URL, got "${
        redact(value)
      }"`,
    );
  }
  return value;
}

function instanceId(raw: unknown): string {
  const value = text(raw);
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(value)) {
    throw new Error(
      `expected letters, digits and . _ : - (at most 128), got "${value}"`,
    );
  }
  return value;
}

function secret(raw: unknown): string {
  const value = text(raw);
  if (value === "") throw new Error("must not be empty");
  return value;
}

/** Every option, in `--help` order. */
export const OPTIONS: readonly OptionSpec[] = [
  {
    field: "server",
    flag: "server",
    env: "XMPP_REST_SERVER",
    key: "component_server",
    defaultText: formatHostPort(COMPONENT_DEFAULTS.server),
    placeholder: "HOST:PORT",
    description: "XMPP server's component port (XEP-0114)",
    parse: hostPort(false),
  },
  {
    field: "domain",
    flag: "domain",
    env: "XMPP_REST_DOMAIN",
    key: "component_domain",
    defaultText: "required",
    placeholder: "JID",
    description: "the component's domain, e.g. rest.example.net",
    parse: domainJid,
  },
  {
    field: "secret",
    flag: "secret",
    env: "XMPP_REST_SECRET",
    key: "component_secret",
    defaultText: "required",
    placeholder: "S",
    description: "the component secret shared with the server",
    parse: secret,
  },
  {
    field: "listen",
    flag: "listen",
    env: "XMPP_REST_LISTEN",
    key: "http_listen",
    defaultText: formatHostPort(GATEWAY_DEFAULTS.listen),
    placeholder: "HOST:PORT",
    description: "where the HTTP API listens",
    parse: hostPort(true),
  },
  {
    field: "credentials",
    flag: "credentials",
    env: "XMPP_REST_CREDENTIALS",
    key: "rest_credentials",
    defaultText: "none",
    placeholder: '"Bearer X"',
    description:
      "accepted Authorization header value (repeatable; env: comma-separated)",
    list: true,
    parse: credentialList,
  },
  {
    field: "tlsCert",
    flag: "tls-cert",
    env: "XMPP_REST_TLS_CERT",
    key: "http_tls_cert",
    defaultText: "none (plain HTTP)",
    placeholder: "FILE",
    description:
      "PEM certificate chain: serve HTTPS, HTTP/2 or HTTP/1.1 by ALPN (with --tls-key)",
    parse: filePath,
  },
  {
    field: "tlsKey",
    flag: "tls-key",
    env: "XMPP_REST_TLS_KEY",
    key: "http_tls_key",
    defaultText: "none",
    placeholder: "FILE",
    description: "PEM private key of --tls-cert",
    parse: filePath,
  },
  {
    field: "callbackUrl",
    flag: "callback-url",
    env: "XMPP_REST_CALLBACK_URL",
    key: "rest_callback_url",
    defaultText: "none (webhooks off)",
    placeholder: "URL",
    description: "webhook URL; {kind} {type} {to} {from} are filled in",
    parse: httpUrl,
  },
  {
    field: "callbackContentType",
    flag: "callback-content-type",
    env: "XMPP_REST_CALLBACK_CONTENT_TYPE",
    key: "rest_callback_content_type",
    defaultText: WEBHOOK_DEFAULTS.callbackContentType,
    placeholder: "TYPE",
    description: "webhook body format (xml, json, form, text/plain)",
    parse: oneOf(CALLBACK_CONTENT_TYPES, {
      json: MEDIA_TYPES.json,
      xml: MEDIA_TYPES.xml,
      form: MEDIA_TYPES.form,
    }),
  },
  {
    field: "callbackStanzas",
    flag: "callback-stanzas",
    env: "XMPP_REST_CALLBACK_STANZAS",
    key: "rest_callback_stanzas",
    defaultText: WEBHOOK_DEFAULTS.callbackStanzas.join(","),
    placeholder: "LIST",
    description: "stanza kinds sent to the webhook",
    list: true,
    parse: listOf(CALLBACK_STANZAS),
  },
  {
    field: "callbackEvents",
    flag: "callback-events",
    env: "XMPP_REST_CALLBACK_EVENTS",
    key: "rest_callback_events",
    defaultText: WEBHOOK_DEFAULTS.callbackEvents.join(","),
    placeholder: "LIST",
    description: "address forms of `to` sent to the webhook",
    list: true,
    parse: listOf(CALLBACK_EVENTS),
  },
  {
    field: "iqTimeout",
    flag: "iq-timeout",
    env: "XMPP_REST_IQ_TIMEOUT",
    key: "rest_iq_timeout",
    defaultText: String(REST_DEFAULTS.iqTimeout),
    placeholder: "S",
    description: "seconds an iq waits for its reply",
    parse: positiveNumber,
  },
  {
    field: "iqMaxTimeout",
    flag: "iq-max-timeout",
    env: "XMPP_REST_IQ_MAX_TIMEOUT",
    key: "rest_iq_max_timeout",
    defaultText: String(REST_DEFAULTS.iqMaxTimeout),
    placeholder: "S",
    description: "largest Prosody-Rest-Timeout a request may ask for",
    parse: positiveNumber,
  },
  {
    field: "sizeLimit",
    flag: "size-limit",
    env: "XMPP_REST_SIZE_LIMIT",
    key: "rest_stanza_size_limit",
    defaultText: String(REST_DEFAULTS.sizeLimit),
    placeholder: "BYTES",
    description: "largest request body",
    parse: positiveInteger,
  },
  {
    field: "maxConnections",
    flag: "max-connections",
    env: "XMPP_REST_MAX_CONNECTIONS",
    key: "http_max_connections",
    defaultText: "descriptor limit - max(64, 10%)",
    placeholder: "N",
    description: "most open HTTP connections; more get 503 at once",
    parse: positiveInteger,
  },
  {
    field: "headerTimeout",
    flag: "header-timeout",
    env: "XMPP_REST_HEADER_TIMEOUT",
    key: "http_header_timeout",
    defaultText: String(HTTP_SERVER_DEFAULTS.headerTimeout),
    placeholder: "S",
    description: "seconds a new HTTP connection has to send its request head",
    parse: positiveNumber,
  },
  {
    field: "bodyTimeout",
    flag: "body-timeout",
    env: "XMPP_REST_BODY_TIMEOUT",
    key: "http_body_timeout",
    defaultText: String(HTTP_SERVER_DEFAULTS.bodyTimeout),
    placeholder: "S",
    description: "seconds a request body may take to arrive (then 408)",
    parse: positiveNumber,
  },
  {
    field: "idleTimeout",
    flag: "idle-timeout",
    env: "XMPP_REST_IDLE_TIMEOUT",
    key: "http_idle_timeout",
    defaultText: String(HTTP_SERVER_DEFAULTS.idleTimeout),
    placeholder: "S",
    description: "seconds an idle kept-alive HTTP connection stays open",
    parse: positiveNumber,
  },
  {
    field: "callbackTimeout",
    flag: "callback-timeout",
    env: "XMPP_REST_CALLBACK_TIMEOUT",
    key: "rest_callback_timeout",
    defaultText: String(WEBHOOK_DEFAULTS.callbackTimeout),
    placeholder: "S",
    description: "seconds a webhook request may take",
    parse: positiveNumber,
  },
  {
    field: "callbackMode",
    flag: "callback-mode",
    env: "XMPP_REST_CALLBACK_MODE",
    key: "rest_callback_mode",
    defaultText: "sync",
    placeholder: "MODE",
    description:
      "sync (mod_rest: one attempt, its answer is the reply) or reliable (stored, retried)",
    parse: oneOf(CALLBACK_MODES),
  },
  {
    field: "callbackRetry",
    flag: "callback-retry",
    env: "XMPP_REST_CALLBACK_RETRY",
    key: "rest_callback_retry",
    defaultText: DEFAULT_RETRY_SCHEDULE,
    placeholder: "DELAYS",
    description: "reliable mode: delay before each attempt (ms, s, m, h, d)",
    parse: retrySchedule,
  },
  {
    field: "callbackConcurrency",
    flag: "callback-concurrency",
    env: "XMPP_REST_CALLBACK_CONCURRENCY",
    key: "rest_callback_concurrency",
    defaultText: String(WEBHOOK_DEFAULTS.maxConcurrent),
    placeholder: "N",
    description: "webhook requests in flight at once",
    parse: positiveInteger,
  },
  {
    field: "callbackSecrets",
    flag: "callback-secret",
    env: "XMPP_REST_CALLBACK_SECRET",
    key: "rest_callback_secret",
    defaultText: "none (unsigned)",
    placeholder: "whsec_...",
    description:
      "Standard Webhooks signing secret (repeatable for rotation; env: comma-separated)",
    list: true,
    parse: webhookSecrets,
  },
  {
    field: "dataDir",
    flag: "data-dir",
    env: "XMPP_REST_DATA_DIR",
    key: "data_dir",
    defaultText: DEFAULT_DATA_DIR,
    placeholder: "DIR",
    description:
      "where the event store's SQLite file lives (reliable mode); :memory: keeps none",
    parse: dataDir,
  },
  {
    field: "eventRetention",
    flag: "event-retention",
    env: "XMPP_REST_EVENT_RETENTION",
    key: "event_retention",
    defaultText: "72h",
    placeholder: "DURATION",
    description: "how long received events are kept",
    parse: duration,
  },
  {
    field: "logLevel",
    flag: "log-level",
    env: "XMPP_REST_LOG_LEVEL",
    key: "log_level",
    defaultText: "info",
    placeholder: "LEVEL",
    description: "debug, info, warn or error",
    parse: oneOf(["debug", "info", "warn", "error"] as const),
  },
  {
    field: "logFormat",
    flag: "log-format",
    env: "XMPP_REST_LOG_FORMAT",
    key: "log_format",
    defaultText: "text",
    placeholder: "FORMAT",
    description: "text or json",
    parse: oneOf(LOG_FORMATS),
  },
  {
    field: "metricsCredential",
    flag: "metrics-credential",
    env: "XMPP_REST_METRICS_CREDENTIAL",
    key: "metrics_credential",
    defaultText: "none (/metrics is open)",
    placeholder: '"Bearer X"',
    description:
      "Authorization value GET /metrics requires (its own; REST credentials are not accepted there)",
    parse: authorizationValue,
  },
  {
    field: "basicAuth",
    flag: "basic-auth",
    env: "XMPP_REST_BASIC_AUTH",
    key: "rest_basic_auth",
    defaultText: "true",
    placeholder: "BOOL",
    description:
      "accept HTTP Basic <domain>:<secret> on the REST API (false: only configured credentials)",
    parse: boolean,
  },
  {
    field: "eventsApi",
    flag: "events-api",
    env: "XMPP_REST_EVENTS_API",
    key: "rest_events_api",
    defaultText: "auto",
    placeholder: "SWITCH",
    description:
      "GET /rest/updates and /rest/events: on, off, or auto (on without a webhook)",
    parse: oneOf(EVENTS_API_SWITCHES),
  },
  {
    field: "inboundIqTimeout",
    flag: "inbound-iq-timeout",
    env: "XMPP_REST_INBOUND_IQ_TIMEOUT",
    key: "rest_inbound_iq_timeout",
    defaultText: String(OPEN_IQ_DEFAULTS.timeoutSeconds),
    placeholder: "S",
    description:
      "seconds an inbound iq waits for its answer over POST /rest, then service-unavailable",
    parse: positiveNumber,
  },
  {
    field: "etiquette",
    flag: "etiquette",
    env: "XMPP_REST_ETIQUETTE",
    key: "rest_etiquette",
    defaultText: ETIQUETTE_ANSWERS.join(","),
    placeholder: "LIST",
    description:
      "built-in answers for the component's domain (ping, disco, version, time; none)",
    list: true,
    parse: etiquetteList,
  },
  {
    field: "storeUrl",
    flag: "store",
    env: "XMPP_REST_STORE",
    key: "store",
    defaultText: "none (one instance)",
    placeholder: "URL",
    description:
      "postgres://... URL of the store several instances share (stream lease, outbox, events)",
    parse: postgresUrl,
  },
  {
    field: "instanceId",
    flag: "instance-id",
    env: "XMPP_REST_INSTANCE_ID",
    key: "instance_id",
    defaultText: "HOSTNAME-PID",
    placeholder: "ID",
    description: "this instance's name among several (in /readyz and logs)",
    parse: instanceId,
  },
  {
    field: "streamMode",
    flag: "stream-mode",
    env: "XMPP_REST_STREAM_MODE",
    key: "stream_mode",
    defaultText: CLUSTER_DEFAULTS.streamMode,
    placeholder: "MODE",
    description:
      "with --store: lease (one instance holds the stream; Prosody) or all (every instance connects; ejabberd)",
    parse: oneOf(STREAM_MODES),
  },
  {
    field: "leaseExpiry",
    flag: "lease-expiry",
    env: "XMPP_REST_LEASE_EXPIRY",
    key: "lease_expiry",
    defaultText: String(CLUSTER_DEFAULTS.leaseExpirySeconds),
    placeholder: "S",
    description: "seconds until a dead holder's stream lease expires",
    parse: positiveNumber,
  },
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
  etiquette: [...ETIQUETTE_ANSWERS],
  streamMode: CLUSTER_DEFAULTS.streamMode,
  leaseExpiry: CLUSTER_DEFAULTS.leaseExpirySeconds,
};
