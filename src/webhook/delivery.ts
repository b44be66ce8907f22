// README "Receiving (webhooks)" with README "Differences from mod_rest": the fetch shell, bounded concurrency and queue.

import { fetchTransport, type WebhookTransport } from "./transport.ts";
import { type Logger, silentLogger } from "../logger.ts";
import type { XmlElement } from "../xml/element.ts";
import { errorReply, isReplyForbidden } from "../xmpp/stanza.ts";
import type { CallbackContentType } from "./encode.ts";
import { isSelected } from "./filter.ts";
import {
  resolveWebhookSettings,
  type WebhookOptions,
  type WebhookSettings,
} from "./options.ts";
import type { ProbeResult } from "./probe.ts";
import { firstListedFormat, MEDIA_TYPES } from "../wire/mod.ts";
import { attemptWebhook } from "./attempt.ts";
import { FairQueue } from "./fair_queue.ts";
import { baseHeaders, buildWebhookRequest } from "./request.ts";
import { randomBase64url } from "../xmpp/random_id.ts";
import { type DeadlineSignal, DeadlineSignals } from "./deadline_signals.ts";
import { conversationKey } from "../inbound/rules.ts";
import { decideReply, unhandledReply, type WebhookOutcome } from "./reply.ts";
import { probeUrlValues, renderUrl } from "./template.ts";

export { WEBHOOK_ACCEPT } from "./request.ts";

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
  readonly conversation: string;
  /** Aborts at `rest_callback_timeout` after receipt (queue + attempt). */
  readonly signal: AbortSignal;
  readonly done: (report: DeliveryReport) => void;
}

/** 12 random bytes, base64url: 16 characters. */
function defaultRandomId(): string {
  return randomBase64url(12);
}

/**
 * Creates a webhook from validated options (throws
 * {@linkcode WebhookOptionsError} otherwise). At most `maxConcurrent`
 * requests run at once; one conversation may take more than a quarter of
 * them (at least 2) only while a quarter stays free for the others; up to `queueLimit` more stanzas wait, taken from the
 * conversations in turn; beyond that, iqs and messages get
 * `wait/resource-constraint`. `rest_callback_timeout` bounds the whole wait
 * from receipt, time spent waiting for a slot included.
 *
 * @example
 * ```ts
 * const webhook = createWebhook({ callbackUrl: "http://127.0.0.1:5000/{kind}", xmpp });
 * await webhook.probe();
 * xmpp.onStanza((stanza) => void webhook.deliver(stanza));
 * ```
 */
export function createWebhook(options: WebhookOptions): Webhook {
  return openWebhook(options).webhook;
}

/**
 * {@linkcode createWebhook}, also giving the validated settings (for the
 * reliable loop); deliveries go through `via` (the gateway's pooled
 * client), else `fetchTransport(options.fetch)`. The probe uses `fetch`.
 */
export function openWebhook(
  options: WebhookOptions,
  via?: WebhookTransport,
): { webhook: Webhook; settings: WebhookSettings } {
  const settings = resolveWebhookSettings(options);
  const xmpp = options.xmpp;
  const fetchFn = options.fetch ?? globalThis.fetch;
  const transport = via ?? fetchTransport(fetchFn);
  const logger = options.logger ?? silentLogger;
  const randomId = options.randomId ?? defaultRandomId;
  const now = options.now ?? Date.now;
  const webhookId = options.webhookId ?? (() => `msg_${crypto.randomUUID()}`);
  const timeoutSignal = options.timeoutSignal ??
    ((ms: number) => AbortSignal.timeout(ms));
  // Without an injected clock: one shared timer, released as each job ends.
  const signals = options.timeoutSignal ? undefined : new DeadlineSignals();
  const deadline = (ms: number): DeadlineSignal =>
    signals?.start(ms) ?? { signal: timeoutSignal(ms), release() {} };
  const timeoutMs = settings.timeoutSeconds * 1000;
  const newRequestId = options.newRequestId ?? (() => crypto.randomUUID());
  const perConversation = Math.max(2, Math.ceil(settings.maxConcurrent / 4));
  let contentType = settings.contentType;
  let active = 0;
  const activeBy = new Map<string, number>();
  const queue = new FairQueue<Job>();
  let idleWaiters: (() => void)[] = [];

  function send(replies: readonly XmlElement[]): void {
    for (const reply of replies) {
      const failed = (error: unknown) =>
        logger.warn("Cannot send webhook reply", { error: message(error) });
      try {
        Promise.resolve(xmpp.send(reply)).catch(failed);
      } catch (error) {
        failed(error);
      }
    }
  }

  async function request(job: Job): Promise<WebhookOutcome> {
    const requestId = newRequestId();
    const built = buildWebhookRequest(job.stanza, settings, {
      contentType,
      webhookId: webhookId(),
      timestamp: Math.floor(now() / 1000),
      keys: settings.signingKeys,
      requestId,
    });
    if (built.fallbackReason !== undefined) {
      logger.warn("Stanza has no JSON form; posting it as XML", {
        reason: built.fallbackReason,
      });
    }
    const result = await attemptWebhook(built, {
      transport,
      signal: job.signal,
      timeoutSeconds: settings.timeoutSeconds,
      maxReplyBytes: settings.maxReplyBytes,
      onAttempt: options.onAttempt,
    });
    const url = settings.displayUrl;
    const { outcome } = result;
    if (
      outcome.kind === "response" && outcome.status < 300 &&
      outcome.status >= 200
    ) {
      options.health?.success(now());
    } else {
      options.health?.failure({
        at: now(),
        reason: result.reason ?? "failed",
        ...(outcome.kind === "response" ? { status: outcome.status } : {}),
      });
    }
    if (result.reason === undefined) {
      logger.debug("Webhook answered", {
        requestId,
        url,
        status: outcome.kind === "response" ? outcome.status : undefined,
      });
    } else {
      logger.warn("Webhook attempt failed", {
        requestId,
        url,
        reason: result.reason,
        ...(result.error === undefined ? {} : { error: result.error }),
        ...describe(job.stanza),
      });
    }
    return result.outcome;
  }

  async function run(job: Job): Promise<DeliveryReport> {
    const { stanza } = job;
    try {
      const outcome = await request(job);
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

  /**
   * A conversation may always use its share of the slots, and more while
   * that still leaves a share free for the others.
   */
  function hasRoom(conversation: string): boolean {
    return (activeBy.get(conversation) ?? 0) < perConversation ||
      active < settings.maxConcurrent - perConversation;
  }

  function start(job: Job): void {
    active++;
    activeBy.set(job.conversation, (activeBy.get(job.conversation) ?? 0) + 1);
    void run(job).then((report) => {
      active--;
      const left = activeBy.get(job.conversation)! - 1;
      if (left === 0) activeBy.delete(job.conversation);
      else activeBy.set(job.conversation, left);
      job.done(report);
      startWaiting();
      if (active === 0 && queue.size === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const wake of waiters) wake();
      }
    });
  }

  function startWaiting(): void {
    while (active < settings.maxConcurrent) {
      const next = queue.next(hasRoom);
      if (!next) return;
      start(next.job);
    }
  }

  /** The deadline passed while the job waited for a slot. */
  function expire(job: Job): void {
    if (!queue.remove(job.conversation, job)) return;
    const decision = decideReply(job.stanza, {
      kind: "timeout",
      seconds: settings.timeoutSeconds,
      queued: true,
    }, { randomId });
    logger.warn("Webhook slot not free in time; stanza not delivered", {
      ...describe(job.stanza),
      url: settings.displayUrl,
      seconds: settings.timeoutSeconds,
    });
    send(decision.replies);
    job.done({ outcome: "failed", replies: decision.replies });
    if (active === 0 && queue.size === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  const webhook: Webhook = {
    get contentType(): CallbackContentType {
      return contentType;
    },
    get inFlight(): number {
      return active;
    },
    get queued(): number {
      return queue.size;
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
      const conversation = conversationKey(stanza);
      const free = active < settings.maxConcurrent && hasRoom(conversation);
      if (free || queue.size < settings.queueLimit) {
        return new Promise((resolve) => {
          const { signal, release } = deadline(timeoutMs);
          const done = (report: DeliveryReport) => {
            release();
            resolve(report);
          };
          const job = { stanza, conversation, signal, done };
          if (free) return start(job);
          queue.push(conversation, job);
          signal.addEventListener("abort", () => expire(job), { once: true });
        });
      }
      const decision = decideReply(stanza, { kind: "overloaded" }, {
        randomId,
      });
      for (const warning of decision.warnings) {
        logger.warn(warning, { ...describe(stanza), queued: queue.size });
      }
      send(decision.replies);
      return Promise.resolve({ outcome: "refused", replies: decision.replies });
    },
    async probe(): Promise<ProbeResult> {
      return await probe(settings, {
        fetchFn,
        logger,
        headers: baseHeaders(settings),
        signal: timeoutSignal(timeoutMs),
        current: contentType,
        domain: xmpp.domain,
        switchTo: (type) => {
          contentType = type;
        },
      });
    },
    drain(): Promise<void> {
      if (active === 0 && queue.size === 0) return Promise.resolve();
      return new Promise((wake) => idleWaiters.push(wake));
    },
  };
  return { webhook, settings };
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
  const listed = firstListedFormat(response.headers.get("accept"));
  const accepted = listed === undefined ? undefined : MEDIA_TYPES[listed];
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
