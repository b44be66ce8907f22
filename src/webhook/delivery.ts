// mod_rest.md section 5 (webhooks) with decisions.md "Webhooks": the fetch shell, bounded concurrency and queue.

import { type Logger, silentLogger } from "../logger.ts";
import type { XmlElement } from "../xml/element.ts";
import { errorReply, isReplyForbidden } from "../xmpp/stanza.ts";
import { type CallbackContentType, encodeStanza } from "./encode.ts";
import { isSelected } from "./filter.ts";
import {
  resolveWebhookSettings,
  type WebhookOptions,
  type WebhookSettings,
} from "./options.ts";
import { formatFromAccept, type ProbeResult } from "./probe.ts";
import { readBody } from "./read_body.ts";
import { decideReply, unhandledReply, type WebhookOutcome } from "./reply.ts";
import { probeUrlValues, renderUrl, stanzaUrlValues } from "./template.ts";

/** The `Accept` header of webhook requests (mod_rest's, without CBOR). */
export const WEBHOOK_ACCEPT =
  "application/xmpp+xml, application/json, application/x-www-form-urlencoded, text/plain";

/** What became of one {@linkcode Webhook.deliver} call. */
export interface DeliveryReport {
  /**
   * `skipped`: not selected by the filters (answered like an unhandled
   * stanza); `refused`: the queue was full; `answered`: the endpoint gave
   * an HTTP status; `failed`: no HTTP answer (or an internal error).
   */
  readonly outcome: "skipped" | "refused" | "answered" | "failed";
  /** The HTTP status, when there was one. */
  readonly status?: number;
  /** The stanzas sent back. */
  readonly replies: readonly XmlElement[];
}

/** A webhook endpoint that incoming stanzas are posted to. */
export interface Webhook {
  /** The body format in use (the probe may change it). */
  readonly contentType: CallbackContentType;
  /** Requests in flight. */
  readonly inFlight: number;
  /** Stanzas waiting for a free slot. */
  readonly queued: number;
  /** True when the filters send this stanza to the webhook. */
  selects(stanza: XmlElement): boolean;
  /** Sends `OPTIONS` to the URL rendered for kind `meta`; logs and reports, never throws. */
  probe(): Promise<ProbeResult>;
  /**
   * Posts a stanza and sends the reply its answer calls for. Resolves when
   * done (including time spent queued); never rejects. A stanza the
   * filters do not select is answered as unhandled (iq get/set:
   * service-unavailable) without a request.
   */
  deliver(stanza: XmlElement): Promise<DeliveryReport>;
  /** Resolves once nothing is in flight or queued. */
  drain(): Promise<void>;
}

interface Job {
  readonly stanza: XmlElement;
  readonly done: (report: DeliveryReport) => void;
}

function defaultRandomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-")
    .replaceAll("/", "_");
}

/**
 * Creates a webhook from validated options (throws
 * {@linkcode WebhookOptionsError} otherwise). At most `maxConcurrent`
 * requests run at once; up to `queueLimit` more stanzas wait in FIFO order;
 * beyond that, iqs and messages get `wait/resource-constraint`.
 *
 * @example
 * ```ts
 * const webhook = createWebhook({ callbackUrl: "http://127.0.0.1:5000/{kind}", port });
 * await webhook.probe();
 * port.onStanza((stanza) => void webhook.deliver(stanza));
 * ```
 */
export function createWebhook(options: WebhookOptions): Webhook {
  const settings = resolveWebhookSettings(options);
  const port = options.port;
  const fetchFn = options.fetch ?? globalThis.fetch;
  const logger = options.logger ?? silentLogger;
  const randomId = options.randomId ?? defaultRandomId;
  const timeoutSignal = options.timeoutSignal ??
    ((ms: number) => AbortSignal.timeout(ms));
  const timeoutMs = settings.timeoutSeconds * 1000;
  let contentType = settings.contentType;
  let active = 0;
  const queue: Job[] = [];
  let idleWaiters: (() => void)[] = [];

  function send(replies: readonly XmlElement[]): void {
    for (const reply of replies) {
      const failed = (error: unknown) =>
        logger.warn("Cannot send webhook reply", { error: message(error) });
      try {
        Promise.resolve(port.send(reply)).catch(failed);
      } catch (error) {
        failed(error);
      }
    }
  }

  function baseHeaders(): Headers {
    const headers = new Headers({ "User-Agent": settings.userAgent });
    if (settings.authorization) {
      headers.set("Authorization", settings.authorization);
    }
    return headers;
  }

  async function request(stanza: XmlElement): Promise<WebhookOutcome> {
    const url = renderUrl(settings.template, stanzaUrlValues(stanza));
    const encoded = encodeStanza(stanza, contentType);
    if (encoded.fallbackReason !== undefined) {
      logger.warn("Stanza has no JSON form; posting it as XML", {
        reason: encoded.fallbackReason,
      });
    }
    const headers = baseHeaders();
    headers.set("Content-Type", encoded.contentType);
    headers.set("Accept", WEBHOOK_ACCEPT);
    const lang = stanza.attr("xml:lang");
    if (lang !== undefined && /^[A-Za-z0-9-]{1,64}$/.test(lang)) {
      headers.set("Content-Language", lang);
    }
    const signal = timeoutSignal(timeoutMs);
    try {
      const response = await fetchFn(url, {
        method: "POST",
        headers,
        body: encoded.body,
        redirect: "manual",
        signal,
      });
      const { body, error } = await readBody(response, settings.maxReplyBytes);
      logger.debug("Webhook answered", { url, status: response.status });
      return {
        kind: "response",
        status: response.status,
        statusText: response.statusText,
        contentType: response.headers.get("content-type"),
        body,
        bodyError: error,
      };
    } catch (error) {
      if (signal.aborted) {
        logger.warn("Webhook timed out", {
          url,
          seconds: settings.timeoutSeconds,
        });
        return { kind: "timeout", seconds: settings.timeoutSeconds };
      }
      logger.warn("Cannot reach webhook", { url, error: message(error) });
      return { kind: "unreachable" };
    }
  }

  async function run(stanza: XmlElement): Promise<DeliveryReport> {
    try {
      const outcome = await request(stanza);
      const decision = decideReply(stanza, outcome, { randomId });
      for (const warning of decision.warnings) {
        logger.warn(warning, describe(stanza));
      }
      send(decision.replies);
      return outcome.kind === "response"
        ? {
          outcome: "answered",
          status: outcome.status,
          replies: decision.replies,
        }
        : { outcome: "failed", replies: decision.replies };
    } catch (error) {
      logger.error("Webhook delivery failed", {
        ...describe(stanza),
        error: message(error),
      });
      const replies = stanza.name === "iq" && !isReplyForbidden(stanza)
        ? [errorReply(stanza, { condition: "internal-server-error" })]
        : [];
      send(replies);
      return { outcome: "failed", replies };
    }
  }

  function start(job: Job): void {
    active++;
    void run(job.stanza).then((report) => {
      active--;
      job.done(report);
      const next = queue.shift();
      if (next) start(next);
      else if (active === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const wake of waiters) wake();
      }
    });
  }

  return {
    get contentType(): CallbackContentType {
      return contentType;
    },
    get inFlight(): number {
      return active;
    },
    get queued(): number {
      return queue.length;
    },
    selects(stanza: XmlElement): boolean {
      return isSelected(stanza, settings.selection);
    },
    deliver(stanza: XmlElement): Promise<DeliveryReport> {
      if (!isSelected(stanza, settings.selection)) {
        const reply = unhandledReply(stanza);
        const replies = reply ? [reply] : [];
        send(replies);
        return Promise.resolve({ outcome: "skipped", replies });
      }
      if (
        active < settings.maxConcurrent || queue.length < settings.queueLimit
      ) {
        return new Promise((done) => {
          const job = { stanza, done };
          if (active < settings.maxConcurrent) start(job);
          else queue.push(job);
        });
      }
      const decision = decideReply(stanza, { kind: "overloaded" }, {
        randomId,
      });
      for (const warning of decision.warnings) {
        logger.warn(warning, { ...describe(stanza), queued: queue.length });
      }
      send(decision.replies);
      return Promise.resolve({ outcome: "refused", replies: decision.replies });
    },
    async probe(): Promise<ProbeResult> {
      return await probe(settings, {
        fetchFn,
        logger,
        headers: baseHeaders(),
        signal: timeoutSignal(timeoutMs),
        current: contentType,
        domain: port.domain,
        switchTo: (type) => {
          contentType = type;
        },
      });
    },
    drain(): Promise<void> {
      if (active === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((wake) => idleWaiters.push(wake));
    },
  };
}

interface ProbeContext {
  fetchFn: typeof fetch;
  logger: Logger;
  headers: Headers;
  signal: AbortSignal;
  current: CallbackContentType;
  domain: string;
  switchTo: (type: CallbackContentType) => void;
}

async function probe(
  settings: WebhookSettings,
  ctx: ProbeContext,
): Promise<ProbeResult> {
  const url = renderUrl(settings.template, probeUrlValues(ctx.domain));
  let response: Response;
  try {
    response = await ctx.fetchFn(url, {
      method: "OPTIONS",
      headers: ctx.headers,
      redirect: "manual",
      signal: ctx.signal,
    });
    await response.body?.cancel();
  } catch (error) {
    const text = ctx.signal.aborted
      ? `timed out after ${settings.timeoutSeconds} s`
      : message(error);
    ctx.logger.error(
      "Cannot reach webhook; deliveries will be attempted anyway",
      {
        url,
        error: text,
      },
    );
    return { state: "unreachable", error: text, contentType: ctx.current };
  }
  const { status } = response;
  if (status < 200 || status > 299) {
    ctx.logger.warn("Webhook probe got an unexpected status; carrying on", {
      url,
      status,
    });
    return { state: "unexpected-status", status, contentType: ctx.current };
  }
  const accepted = formatFromAccept(response.headers.get("accept"));
  const switched = accepted !== undefined && accepted !== ctx.current;
  const contentType = accepted ?? ctx.current;
  if (switched) {
    ctx.switchTo(contentType);
    ctx.logger.info("Webhook body format set from its Accept header", {
      contentType,
    });
  }
  ctx.logger.info("Webhook reachable", { url, status, contentType });
  return { state: "ok", status, contentType, switched };
}

/** Log fields naming a stanza (never its payload). */
function describe(stanza: XmlElement): Record<string, string | undefined> {
  return {
    kind: stanza.name,
    type: stanza.attr("type"),
    id: stanza.attr("id"),
    from: stanza.attr("from"),
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
