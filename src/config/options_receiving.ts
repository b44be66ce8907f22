// The configuration contract (README "Configuration"), second part: receiving, logging, operations, several instances.

import { DEFAULT_RETRY_SCHEDULE } from "../webhook/retry.ts";
import { DEFAULT_DATA_DIR } from "../store/open.ts";

import { CLUSTER_DEFAULTS, STREAM_MODES } from "../cluster/roles.ts";
import { ETIQUETTE_ANSWERS } from "../inbound/etiquette.ts";
import { OPEN_IQ_DEFAULTS } from "../inbound/open_iqs.ts";
import { DEFAULT_DEDUPE_WINDOW_MS } from "../inbound/dedupe.ts";

import { WEBHOOK_DEFAULTS } from "../webhook/mod.ts";

import {
  authorizationValue,
  boolean,
  dataDir,
  duration,
  durationOrOff,
  etiquetteList,
  instanceId,
  oneOf,
  positiveInteger,
  positiveNumber,
  postgresUrl,
  retrySchedule,
  webhookSecrets,
} from "./parsers.ts";
import type { OptionSpec } from "./options.ts";

/** Webhook delivery modes. */
export const CALLBACK_MODES = ["sync", "reliable"] as const;

/** Log formats. */
export const LOG_FORMATS = ["text", "json"] as const;

/** Values of `--events-api`. */
export const EVENTS_API_SWITCHES = ["auto", "on", "off"] as const;

/** The options of receiving, logging, operations and several instances, in `--help` order. */
export const RECEIVING_OPTIONS: readonly OptionSpec[] = [
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
    field: "inboundDedupeWindow",
    flag: "inbound-dedupe-window",
    env: "XMPP_REST_INBOUND_DEDUPE_WINDOW",
    key: "rest_inbound_dedupe_window",
    defaultText: `${DEFAULT_DEDUPE_WINDOW_MS / 60_000}m`,
    placeholder: "DURATION",
    description:
      "a message re-sent (same sender, id and payload, or origin-id) within this long is stored once (0: off)",
    parse: durationOrOff,
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
