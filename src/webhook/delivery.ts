// README "Receiving (webhooks)" with README "Differences from mod_rest": the webhook shell: filters, bounded concurrency shared fairly by conversations, the queue and its deadline, the replies sent (one post: post.ts; the probe: probe.ts).

import { fetchTransport, type WebhookTransport } from "./transport.ts";
import { silentLogger } from "../logger.ts";
import type { XmlElement } from "../xml/element.ts";
import { errorReply, isReplyForbidden } from "../xmpp/stanza.ts";
import type { CallbackContentType } from "./encode.ts";
import { isSelected } from "./filter.ts";
import {
  resolveWebhookSettings,
  type WebhookOptions,
  type WebhookSettings,
} from "./options.ts";
import { type ProbeResult, probeWebhook } from "./probe.ts";
import { FairQueue } from "./fair_queue.ts";
import { baseHeaders } from "./request.ts";
import { randomBase64url } from "../xmpp/random_id.ts";
import { type DeadlineSignal, DeadlineSignals } from "./deadline_signals.ts";
import { conversationKey } from "../inbound/rules.ts";
import { decideReply, unhandledReply } from "./reply.ts";
import { type PostContext, postStanza } from "./post.ts";
import { describeStanza, errorMessage } from "./log_fields.ts";

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
  const timeoutSignal = options.timeoutSignal ??
    ((ms: number) => AbortSignal.timeout(ms));
  // Without an injected clock: one shared timer, released as each job ends.
  const signals = options.timeoutSignal ? undefined : new DeadlineSignals();
  const deadline = (ms: number): DeadlineSignal =>
    signals?.start(ms) ?? { signal: timeoutSignal(ms), release() {} };
  const timeoutMs = settings.timeoutSeconds * 1000;
  const post: PostContext = {
    settings,
    transport,
    logger,
    now,
    webhookId: options.webhookId ?? (() => `msg_${crypto.randomUUID()}`),
    newRequestId: options.newRequestId ?? (() => crypto.randomUUID()),
    onAttempt: options.onAttempt,
    health: options.health,
  };
  const perConversation = Math.max(2, Math.ceil(settings.maxConcurrent / 4));
  let contentType = settings.contentType;
  let active = 0;
  const activeBy = new Map<string, number>();
  const queue = new FairQueue<Job>();
  let idleWaiters: (() => void)[] = [];

  function send(replies: readonly XmlElement[]): void {
    for (const reply of replies) {
      const failed = (error: unknown) =>
        logger.warn("Cannot send webhook reply", {
          error: errorMessage(error),
        });
      try {
        Promise.resolve(xmpp.send(reply)).catch(failed);
      } catch (error) {
        failed(error);
      }
    }
  }

  async function run(job: Job): Promise<DeliveryReport> {
    const { stanza } = job;
    try {
      const outcome = await postStanza(stanza, contentType, job.signal, post);
      const decision = decideReply(stanza, outcome, { randomId });
      for (const warning of decision.warnings) {
        logger.warn(warning, describeStanza(stanza));
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
        ...describeStanza(stanza),
        error: errorMessage(error),
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
      ...describeStanza(job.stanza),
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
        logger.warn(warning, { ...describeStanza(stanza), queued: queue.size });
      }
      send(decision.replies);
      return Promise.resolve({ outcome: "refused", replies: decision.replies });
    },
    async probe(): Promise<ProbeResult> {
      return await probeWebhook(settings, {
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
