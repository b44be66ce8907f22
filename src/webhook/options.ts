// README "Configuration" (rest_callback_*): webhook options, their defaults and validation.

import type { Logger } from "../logger.ts";
import type { StanzaPort } from "../xmpp/port.ts";
import type { StanzaKind } from "../xmpp/stanza.ts";
import { CALLBACK_CONTENT_TYPES, type CallbackContentType } from "./encode.ts";
import {
  CALLBACK_EVENTS,
  CALLBACK_STANZAS,
  type CallbackEvent,
  type StanzaSelection,
} from "./filter.ts";
import { secretKey, WebhookSecretError } from "./signature.ts";
import type { WebhookHealth } from "./health.ts";
import {
  parseUrlTemplate,
  renderUrl,
  type UrlTemplate,
  UrlTemplateError,
} from "./template.ts";

/** How one webhook request ended, for metrics: the status class, or no answer. */
export type WebhookAttemptOutcome =
  | "2xx"
  | "3xx"
  | "4xx"
  | "5xx"
  | "timeout"
  | "unreachable";

/** Options of {@linkcode createWebhook}; names follow the configuration contract. */
export interface WebhookOptions {
  /** `rest_callback_url`: URL template; userinfo becomes `Authorization: Basic`. */
  callbackUrl: string;
  /** `rest_callback_content_type`; `json` is an alias. Default `application/xmpp+xml`. */
  callbackContentType?: CallbackContentType | "json";
  /** `rest_callback_stanzas`. Default message, presence, iq. */
  callbackStanzas?: readonly StanzaKind[];
  /** `rest_callback_events`. Default bare, full, host. */
  callbackEvents?: readonly CallbackEvent[];
  /** `rest_callback_timeout`, seconds per request (body included). Default 30. */
  callbackTimeout?: number;
  /** Requests in flight at once. Default 32. */
  maxConcurrent?: number;
  /** Stanzas waiting for a free slot before new ones are refused. Default 1000. */
  queueLimit?: number;
  /** Largest response body read, in bytes; a larger one is ignored. Default 1 MiB. */
  maxReplyBytes?: number;
  /** Where replies are sent; its `domain` fills the probe URL. */
  xmpp: StanzaPort;
  /** Version for `User-Agent: xmpp-rest/<version>`. Default "dev". */
  version?: string;
  /** HTTP client. Default the global `fetch`. */
  fetch?: typeof fetch;
  /** Log sink. Default silent. */
  logger?: Logger;
  /** Ids for replies that need a new one. Default 16 random base64url characters. */
  randomId?: () => string;
  /** Signal that aborts after the given milliseconds. Default `AbortSignal.timeout`. */
  timeoutSignal?: (ms: number) => AbortSignal;
  /** Makes the `X-Request-Id` of each webhook request. Default: random UUIDs. */
  newRequestId?: () => string;
  /** Told how each webhook request ended (`2xx`, `4xx`, `5xx`, `timeout`, `unreachable`) and how long it took. */
  onAttempt?: (outcome: WebhookAttemptOutcome, seconds: number) => void;
  /** `rest_callback_secret`: Standard Webhooks secrets (`whsec_...`) that sign every request. Default none. */
  callbackSecrets?: readonly string[];
  /** Records the last success and failure for the status API. */
  health?: WebhookHealth;
  /** `webhook-id` of a sync-mode request. Default `msg_` and a random UUID. */
  webhookId?: () => string;
  /** Clock for `webhook-timestamp`, ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

/** Defaults of {@linkcode WebhookOptions}. */
export const WEBHOOK_DEFAULTS = {
  callbackContentType: "application/xmpp+xml",
  callbackStanzas: CALLBACK_STANZAS,
  callbackEvents: CALLBACK_EVENTS,
  callbackTimeout: 30,
  maxConcurrent: 32,
  queueLimit: 1000,
  maxReplyBytes: 1024 * 1024,
  version: "dev",
} as const;

/** The validated, pure part of {@linkcode WebhookOptions}. */
export interface WebhookSettings {
  /** URL template with the userinfo removed. */
  readonly template: UrlTemplate;
  /** `Basic ...` from the URL's userinfo, if it had one. */
  readonly authorization?: string;
  /** Initial body format (the probe may change it). */
  readonly contentType: CallbackContentType;
  /** What goes to the webhook. */
  readonly selection: StanzaSelection;
  /** Per-request timeout in seconds. */
  readonly timeoutSeconds: number;
  /** Requests in flight at once. */
  readonly maxConcurrent: number;
  /** Waiting stanzas before refusing. */
  readonly queueLimit: number;
  /** Largest response body read. */
  readonly maxReplyBytes: number;
  /** The `User-Agent` header. */
  readonly userAgent: string;
  /** The URL template as text, without credentials (for logs and the status API). */
  readonly displayUrl: string;
  /** Decoded signing keys, in the order the secrets were given. */
  readonly signingKeys: readonly Uint8Array[];
}

/**
 * Webhook options that cannot be used; `problems` holds one line each.
 *
 * @example
 * ```ts
 * try { resolveWebhookSettings({ callbackUrl: "ftp://x", xmpp }); } catch (e) {
 *   if (e instanceof WebhookOptionsError) e.problems.forEach((p) => console.error(p));
 * }
 * ```
 */
export class WebhookOptionsError extends TypeError {
  /** Every problem found, one line each. */
  readonly problems: readonly string[];
  /** Creates the error. */
  constructor(problems: readonly string[]) {
    super(`Invalid webhook options: ${problems.join("; ")}`);
    this.name = "WebhookOptionsError";
    this.problems = problems;
  }
}

/**
 * Validates the options and applies defaults. Throws
 * {@linkcode WebhookOptionsError} listing every problem.
 */
export function resolveWebhookSettings(
  options: WebhookOptions,
): WebhookSettings {
  const problems: string[] = [];
  const url = splitUserinfo(String(options.callbackUrl ?? ""), problems);
  const template = checkTemplate(url.template, problems);
  const contentType = checkContentType(options.callbackContentType, problems);
  const stanzas = checkList(
    "rest_callback_stanzas",
    options.callbackStanzas ?? WEBHOOK_DEFAULTS.callbackStanzas,
    CALLBACK_STANZAS,
    problems,
  );
  const events = checkList(
    "rest_callback_events",
    options.callbackEvents ?? WEBHOOK_DEFAULTS.callbackEvents,
    CALLBACK_EVENTS,
    problems,
  );
  const timeoutSeconds = checkNumber(
    "rest_callback_timeout",
    options.callbackTimeout ?? WEBHOOK_DEFAULTS.callbackTimeout,
    "positive number",
    problems,
  );
  const maxConcurrent = checkNumber(
    "maxConcurrent",
    options.maxConcurrent ?? WEBHOOK_DEFAULTS.maxConcurrent,
    "positive integer",
    problems,
  );
  const queueLimit = checkNumber(
    "queueLimit",
    options.queueLimit ?? WEBHOOK_DEFAULTS.queueLimit,
    "non-negative integer",
    problems,
  );
  const maxReplyBytes = checkNumber(
    "maxReplyBytes",
    options.maxReplyBytes ?? WEBHOOK_DEFAULTS.maxReplyBytes,
    "positive integer",
    problems,
  );
  const signingKeys = checkSecrets(options.callbackSecrets ?? [], problems);
  if (problems.length > 0 || !template) throw new WebhookOptionsError(problems);
  return {
    template,
    authorization: url.authorization,
    contentType,
    selection: { stanzas, events } as StanzaSelection,
    timeoutSeconds,
    maxConcurrent,
    queueLimit,
    maxReplyBytes,
    userAgent: `xmpp-rest/${options.version ?? WEBHOOK_DEFAULTS.version}`,
    displayUrl: url.template,
    signingKeys,
  };
}

/**
 * Checks a `rest_callback_url` value the way {@linkcode createWebhook}
 * will: userinfo, placeholders and an http(s) URL. Returns the problems
 * (empty when the URL is fine), each without the option name.
 *
 * @example
 * ```ts
 * validateCallbackUrl("http://127.0.0.1:8000/{user}"); // ['unknown placeholder ...']
 * ```
 */
export function validateCallbackUrl(url: string): string[] {
  const problems: string[] = [];
  checkTemplate(splitUserinfo(url, problems).template, problems);
  return problems.map((p) => p.replace(/^rest_callback_url: /, ""));
}

/**
 * Removes `user:password@` from a URL (fetch refuses URLs with
 * credentials) and turns it into a Basic `Authorization` value. The parts
 * are percent-decoded first, as curl does.
 *
 * @example
 * ```ts
 * splitUserinfo("http://bot:s%40cret@api/{kind}", []);
 * // { template: "http://api/{kind}", authorization: "Basic Ym90OnNAY3JldA==" }
 * ```
 */
export function splitUserinfo(
  url: string,
  problems: string[],
): { template: string; authorization?: string } {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i.exec(url);
  if (!match) return { template: url };
  const template = match[1] + url.slice(match[0].length);
  const colon = match[2].indexOf(":");
  const rawUser = colon === -1 ? match[2] : match[2].slice(0, colon);
  const rawPass = colon === -1 ? "" : match[2].slice(colon + 1);
  try {
    const credentials = decodeURIComponent(rawUser) + ":" +
      decodeURIComponent(rawPass);
    const bytes = new TextEncoder().encode(credentials);
    return {
      template,
      authorization: "Basic " + btoa(String.fromCharCode(...bytes)),
    };
  } catch {
    problems.push(
      "rest_callback_url: the user name or password has a malformed percent-encoding",
    );
    return { template };
  }
}

function checkTemplate(
  source: string,
  problems: string[],
): UrlTemplate | undefined {
  let template: UrlTemplate;
  try {
    template = parseUrlTemplate(source);
  } catch (error) {
    if (!(error instanceof UrlTemplateError)) throw error;
    problems.push(`rest_callback_url: ${error.message}`);
    return undefined;
  }
  let url: URL | undefined;
  try {
    url = new URL(
      renderUrl(template, { kind: "iq", type: "get", to: "a", from: "b" }),
    );
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    problems.push(
      `rest_callback_url: expected an http(s) URL, got "${source}"`,
    );
    return undefined;
  }
  return template;
}

function checkContentType(
  value: string | undefined,
  problems: string[],
): CallbackContentType {
  const raw = (value ?? WEBHOOK_DEFAULTS.callbackContentType).trim()
    .toLowerCase();
  const type = raw === "json" ? "application/json" : raw;
  const found = CALLBACK_CONTENT_TYPES.find((t) => t === type);
  if (found) return found;
  problems.push(
    `rest_callback_content_type: expected one of ${
      CALLBACK_CONTENT_TYPES.join(", ")
    } or json, got "${value}"`,
  );
  return WEBHOOK_DEFAULTS.callbackContentType;
}

function checkList<T extends string>(
  name: string,
  values: readonly string[],
  allowed: readonly T[],
  problems: string[],
): T[] {
  if (!Array.isArray(values)) {
    problems.push(`${name}: expected a list of ${allowed.join(", ")}`);
    return [];
  }
  const out: T[] = [];
  for (const value of values) {
    const found = allowed.find((a) => a === value);
    if (found) out.push(found);
    else {
      problems.push(
        `${name}: expected ${allowed.join(", ")}, got "${value}"`,
      );
    }
  }
  return out;
}

function checkSecrets(
  secrets: readonly string[],
  problems: string[],
): Uint8Array[] {
  const keys: Uint8Array[] = [];
  for (const secret of secrets) {
    try {
      keys.push(secretKey(secret));
    } catch (error) {
      if (!(error instanceof WebhookSecretError)) throw error;
      problems.push(`rest_callback_secret: ${error.message}`);
    }
  }
  return keys;
}

type NumberRule =
  | "positive number"
  | "positive integer"
  | "non-negative integer";

function checkNumber(
  name: string,
  value: number,
  rule: NumberRule,
  problems: string[],
): number {
  const ok = typeof value === "number" && Number.isFinite(value) &&
    (rule === "non-negative integer" ? value >= 0 : value > 0) &&
    (rule === "positive number" || Number.isInteger(value));
  if (!ok) problems.push(`${name}: expected a ${rule}, got ${value}`);
  return value;
}
