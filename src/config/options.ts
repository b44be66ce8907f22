// The configuration contract of decisions.md: every option as data (flag, env, config key, default, parser).

import {
  CALLBACK_CONTENT_TYPES,
  CALLBACK_EVENTS,
  CALLBACK_STANZAS,
  type CallbackContentType,
  type CallbackEvent,
  validateCallbackUrl,
} from "../webhook/mod.ts";

import { STREAM_MODES, type StreamMode } from "../cluster/roles.ts";
import { isPostgresUrl, redact } from "../store/postgres_open.ts";

/** A `HOST:PORT` pair. */
export interface HostPort {
  /** Host name or IP address (IPv6 without brackets). */
  hostname: string;
  /** TCP port. */
  port: number;
}

export {
  CALLBACK_CONTENT_TYPES,
  CALLBACK_EVENTS,
  CALLBACK_STANZAS,
} from "../webhook/mod.ts";
export type { CallbackContentType, CallbackEvent } from "../webhook/mod.ts";
/** A stanza kind `rest_callback_stanzas` can select. */
export type CallbackStanza = typeof CALLBACK_STANZAS[number];

/** Log formats. */
export const LOG_FORMATS = ["text", "json"] as const;

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
  /** Accepted `Authorization` header values. */
  credentials: string[];
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
  /** Webhook request timeout, seconds. */
  callbackTimeout: number;
  /** Lowest log level written. */
  logLevel: "debug" | "info" | "warn" | "error";
  /** Log line format. */
  logFormat: "text" | "json";
  /** A `postgres://` URL: the store shared by several instances (README "Running several instances"). */
  store?: string;
  /** This instance's id among several (default: host name and pid). */
  instanceId?: string;
  /** How several instances share the XMPP stream. */
  streamMode: StreamMode;
  /** Seconds after which a dead holder's stream lease expires. */
  leaseExpiry: number;
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

/** Default HTTP listen address: loopback, clear of Prosody's 5280/5281. */
export const DEFAULT_LISTEN = "127.0.0.1:5380";

function text(raw: unknown): string {
  if (typeof raw === "number") return String(raw);
  if (typeof raw !== "string") throw new Error("expected a string");
  return raw.trim();
}

/** Parses `HOST:PORT` (IPv6 as `[::1]:5347`). */
export function parseHostPort(raw: unknown): HostPort {
  const value = text(raw);
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s\[\]]+)):(\d{1,5})$/.exec(
    value,
  );
  if (!match) throw new Error(`expected HOST:PORT, got "${value}"`);
  const port = Number(match[3]);
  if (port < 0 || port > 65535) throw new Error(`port ${port} is out of range`);
  return { hostname: match[1] ?? match[2], port };
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

/** Credentials: comma-separated in a string, but array items are taken whole. */
function credentialList(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(text).filter((s) => s !== "");
  return list(raw);
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
    defaultText: "127.0.0.1:5347",
    placeholder: "HOST:PORT",
    description: "XMPP server's component port (XEP-0114)",
    parse: parseHostPort,
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
    defaultText: DEFAULT_LISTEN,
    placeholder: "HOST:PORT",
    description: "where the HTTP API listens",
    parse: parseHostPort,
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
    defaultText: "application/xmpp+xml",
    placeholder: "TYPE",
    description: "webhook body format (xml, json, form, text/plain)",
    parse: oneOf(CALLBACK_CONTENT_TYPES, {
      json: "application/json",
      xml: "application/xmpp+xml",
      form: "application/x-www-form-urlencoded",
    }),
  },
  {
    field: "callbackStanzas",
    flag: "callback-stanzas",
    env: "XMPP_REST_CALLBACK_STANZAS",
    key: "rest_callback_stanzas",
    defaultText: "message,presence,iq",
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
    defaultText: "bare,full,host",
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
    defaultText: "120",
    placeholder: "S",
    description: "seconds an iq waits for its reply",
    parse: positiveNumber,
  },
  {
    field: "iqMaxTimeout",
    flag: "iq-max-timeout",
    env: "XMPP_REST_IQ_MAX_TIMEOUT",
    key: "rest_iq_max_timeout",
    defaultText: "300",
    placeholder: "S",
    description: "largest Prosody-Rest-Timeout a request may ask for",
    parse: positiveNumber,
  },
  {
    field: "sizeLimit",
    flag: "size-limit",
    env: "XMPP_REST_SIZE_LIMIT",
    key: "rest_stanza_size_limit",
    defaultText: "196608",
    placeholder: "BYTES",
    description: "largest request body",
    parse: positiveInteger,
  },
  {
    field: "callbackTimeout",
    flag: "callback-timeout",
    env: "XMPP_REST_CALLBACK_TIMEOUT",
    key: "rest_callback_timeout",
    defaultText: "30",
    placeholder: "S",
    description: "seconds a webhook request may take",
    parse: positiveNumber,
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
    field: "store",
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
    defaultText: "lease",
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
    defaultText: "5",
    placeholder: "S",
    description: "seconds until a dead holder's stream lease expires",
    parse: positiveNumber,
  },
];

/** Defaults of every optional field. */
export const DEFAULTS: Omit<GatewayConfig, "domain" | "secret"> = {
  server: { hostname: "127.0.0.1", port: 5347 },
  listen: parseHostPort(DEFAULT_LISTEN),
  credentials: [],
  callbackContentType: "application/xmpp+xml",
  callbackStanzas: ["message", "presence", "iq"],
  callbackEvents: ["bare", "full", "host"],
  iqTimeout: 120,
  iqMaxTimeout: 300,
  sizeLimit: 196608,
  callbackTimeout: 30,
  logLevel: "info",
  logFormat: "text",
  streamMode: "lease",
  leaseExpiry: 5,
};
