// Reliable webhook delivery (README "Reliable mode"): a loop over the store's due deliveries, per conversation in order, with retries.

import { fetchTransport, type WebhookTransport } from "./transport.ts";
import { parseXml } from "../xml/parser.ts";
import type { XmlElement } from "../xml/element.ts";
import { NS } from "../xmpp/namespaces.ts";
import type { StanzaPort } from "../xmpp/port.ts";
import { type Logger, silentLogger } from "../logger.ts";
import type {
  AttemptError,
  Delivery,
  DeliverySettlement,
  EventStore,
} from "../store/types.ts";
import { attemptWebhook } from "./attempt.ts";
import type { CallbackContentType } from "./encode.ts";
import type { WebhookAttemptOutcome, WebhookSettings } from "./options.ts";
import { decideReply } from "./reply.ts";
import { buildWebhookRequest } from "./request.ts";
import { decideAttempt, retryAfterMs } from "./retry.ts";
import type { WebhookHealth } from "./health.ts";

/** The push consumer name of the webhook in the store. */
export const WEBHOOK_CONSUMER = "webhook";

/** Longest gap between two looks at the next due time while attempts are in flight. */
const ARM_INTERVAL_MS = 50;

/** The store setting that holds why and when the endpoint was paused. */
const PAUSED = "paused";

/** Options of {@linkcode createReliableDelivery}. */
export interface ReliableOptions {
  /** The event log. */
  readonly store: EventStore;
  /** Validated webhook settings. */
  readonly settings: WebhookSettings;
  /** The body format in use (the probe may change it). */
  readonly contentType: () => CallbackContentType;
  /** Where replies and receipts go. */
  readonly xmpp: StanzaPort;
  /** Delays before each attempt (ms); the first is usually 0. */
  readonly schedule: readonly number[];
  /** Attempts in flight at once. */
  readonly concurrency: number;
  /** Last success and failure, shared with the status API. */
  readonly health: WebhookHealth;
  /** Claim owner (an instance id). Default `local`. */
  readonly owner?: string;
  /** HTTP client. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** How deliveries are sent; default `fetchTransport(fetch)`. */
  readonly transport?: WebhookTransport;
  /** Clock, ms since the epoch. Default `Date.now`. */
  readonly now?: () => number;
  /** Log sink. Default silent. */
  readonly logger?: Logger;
  /** Ids for replies that need one. */
  readonly randomId: () => string;
  /** Signal that aborts after the given ms. Default `AbortSignal.timeout`. */
  readonly timeoutSignal?: (ms: number) => AbortSignal;
  /** Makes the `X-Request-Id` of each attempt. Default: random UUIDs. */
  readonly newRequestId?: () => string;
  /** Told how each attempt ended and how long it took (metrics). */
  readonly onAttempt?: (
    outcome: WebhookAttemptOutcome,
    seconds: number,
  ) => void;
}

/** Why the endpoint is paused. */
export interface PauseState {
  /** When it was paused (ms since the epoch). */
  readonly at: number;
  /** The status that paused it (410). */
  readonly status: number;
}

/** The running delivery loop. */
export interface ReliableDelivery extends AsyncDisposable {
  /** Looks for due deliveries now (after an append, a redelivery). */
  wake(): void;
  /** The pause state, when paused. */
  readonly paused: PauseState | undefined;
  /** Attempts in flight. */
  readonly inFlight: number;
  /** Re-enables a paused endpoint; returns whether it was paused. */
  resume(): Promise<boolean>;
  /** Stops claiming; resolves when the attempts in flight have ended. */
  stop(): Promise<void>;
}

/**
 * Starts the delivery loop: claims due deliveries (the oldest unsettled
 * event of each conversation), posts each with `webhook-id` = the event id,
 * settles it as delivered (2xx: the reply and receipt are sent), retried on
 * the schedule (connection failure, timeout, 408, 429, 5xx; never before
 * `Retry-After`), dead (out of retries, or another 4xx, which is answered
 * as in sync mode) or pauses the endpoint (410).
 *
 * @example
 * ```ts
 * const loop = await createReliableDelivery({ store, settings, xmpp, schedule: [0, 1000],
 *   concurrency: 32, health, contentType: () => "application/json", randomId });
 * store.watch(() => loop.wake());
 * ```
 */
export async function createReliableDelivery(
  options: ReliableOptions,
): Promise<ReliableDelivery> {
  const { store, settings, schedule } = options;
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const transport = options.transport ??
    fetchTransport(options.fetch ?? globalThis.fetch);
  const owner = options.owner ?? "local";
  const timeoutSignal = options.timeoutSignal ??
    ((ms: number) => AbortSignal.timeout(ms));
  const timeoutMs = settings.timeoutSeconds * 1000;
  const leaseMs = timeoutMs + 30_000;
  const inFlight = new Map<number, Promise<void>>();
  let paused = readPause(await store.getSetting(WEBHOOK_CONSUMER, PAUSED));
  let stopped = false;
  let pumping = false;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let armedAt = 0;

  async function pump(): Promise<void> {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        if (stopped || paused) return;
        const free = options.concurrency - inFlight.size;
        if (free <= 0) return;
        // This owner's own live claims come back too; the answer may have
        // been read before an attempt running now settled, so an event in
        // flight when the claim started is never taken from it.
        const running = new Set(inFlight.keys());
        const claimed = await store.claimDeliveries(WEBHOOK_CONSUMER, {
          now: now(),
          limit: free + inFlight.size,
          owner,
          leaseMs,
        });
        for (const delivery of claimed) {
          if (inFlight.size >= options.concurrency) break;
          if (running.has(delivery.event.id)) continue;
          if (inFlight.has(delivery.event.id)) continue;
          const id = delivery.event.id;
          inFlight.set(
            id,
            attempt(delivery).finally(() => {
              inFlight.delete(id);
              wake();
            }),
          );
        }
      } while (again);
      // With attempts in flight, their ends wake the loop anyway: the timer
      // for later retries is set at most every ARM_INTERVAL_MS.
      if (inFlight.size === 0 || now() - armedAt >= ARM_INTERVAL_MS) {
        armedAt = now();
        await arm();
      }
    } catch (error) {
      logger.error("Webhook delivery loop cannot read the event store", {
        error: error instanceof Error ? error.message : String(error),
      });
      rearm(1_000);
    } finally {
      pumping = false;
      // A wake() during the last await must not be lost.
      if (again && !stopped) void pump();
    }
  }

  /** Sets the timer for the next due delivery. */
  async function arm(): Promise<void> {
    const next = await store.nextDueAt(WEBHOOK_CONSUMER);
    if (next === undefined) return;
    rearm(Math.min(Math.max(0, next - now()), 60_000));
  }

  function rearm(ms: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void pump(), ms);
  }

  function wake(): void {
    if (!stopped) void pump();
  }

  async function attempt(delivery: Delivery): Promise<void> {
    const { event } = delivery;
    let stanza: XmlElement;
    try {
      stanza = parseXml(event.stanza, { defaultNamespace: NS.client });
    } catch (error) {
      await settle(event.id, {
        outcome: "dead",
        error: { at: now(), reason: `unreadable event: ${String(error)}` },
      });
      return;
    }
    const requestId = (options.newRequestId ?? (() => crypto.randomUUID()))();
    const built = buildWebhookRequest(stanza, settings, {
      contentType: options.contentType(),
      webhookId: String(event.id),
      timestamp: Math.floor(now() / 1000),
      keys: settings.signingKeys,
      requestId,
    });
    const result = await attemptWebhook(built, {
      transport,
      signal: timeoutSignal(settings.timeoutSeconds * 1000),
      timeoutSeconds: settings.timeoutSeconds,
      maxReplyBytes: settings.maxReplyBytes,
      onAttempt: options.onAttempt,
    });
    const at = now();
    const decision = decideAttempt(result.outcome, {
      attempts: delivery.attempts,
      schedule,
      retryAfterMs: retryAfterMs(result.retryAfter, at),
    });
    const status = result.outcome.kind === "response"
      ? result.outcome.status
      : undefined;
    const error: AttemptError = {
      at,
      reason: result.reason ?? "delivered",
      ...(status === undefined ? {} : { status }),
    };
    const fields = {
      requestId,
      id: event.id,
      url: settings.displayUrl,
      attempt: delivery.attempts + 1,
      reason: result.reason,
      ...(result.error === undefined ? {} : { error: result.error }),
    };
    switch (decision.action) {
      case "settle":
        if (decision.delivered) options.health.success(at);
        else {
          options.health.failure(error);
          logger.warn("Webhook refused the event; not retried", fields);
        }
        await settle(
          event.id,
          decision.delivered
            ? { outcome: "delivered", at }
            : { outcome: "dead", error },
        );
        sendReplies(stanza, result.outcome);
        return;
      case "retry":
        options.health.failure(error);
        logger.warn("Webhook attempt failed; will retry", {
          ...fields,
          inSeconds: Math.round(decision.delayMs / 1000),
        });
        await settle(event.id, {
          outcome: "retry",
          dueAt: at + decision.delayMs,
          error,
        });
        return;
      case "dead":
        options.health.failure(error);
        logger.error(
          "Webhook attempts exhausted; event kept as a dead letter",
          fields,
        );
        await settle(event.id, { outcome: "dead", error });
        return;
      case "pause":
        options.health.failure(error);
        paused = { at, status: status ?? 410 };
        logger.error(
          "Webhook answered 410 Gone; deliveries paused until resumed",
          fields,
        );
        await store.setSetting(WEBHOOK_CONSUMER, PAUSED, JSON.stringify(paused))
          .catch(() => {});
        await settle(event.id, { outcome: "retry", dueAt: at, error });
        return;
    }
  }

  function sendReplies(
    stanza: XmlElement,
    outcome: Parameters<typeof decideReply>[1],
  ): void {
    const decision = decideReply(stanza, outcome, {
      randomId: options.randomId,
    });
    for (const warning of decision.warnings) logger.warn(warning);
    for (const reply of decision.replies) {
      const failed = (error: unknown) =>
        logger.warn("Cannot send webhook reply", { error: String(error) });
      try {
        Promise.resolve(options.xmpp.send(reply)).catch(failed);
      } catch (error) {
        failed(error);
      }
    }
  }

  async function settle(
    eventId: number,
    settlement: DeliverySettlement,
  ): Promise<void> {
    try {
      await store.settleDelivery(WEBHOOK_CONSUMER, eventId, settlement);
    } catch (error) {
      // The claim lapses and the event is delivered again: at least once.
      logger.error("Cannot record a webhook delivery", {
        id: eventId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  const loop: ReliableDelivery = {
    wake,
    get paused() {
      return paused;
    },
    get inFlight() {
      return inFlight.size;
    },
    async resume() {
      const was = paused !== undefined;
      await store.setSetting(WEBHOOK_CONSUMER, PAUSED, undefined);
      paused = undefined;
      if (was) logger.info("Webhook deliveries resumed");
      wake();
      return was;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.all(inFlight.values());
    },
    [Symbol.asyncDispose]() {
      return loop.stop();
    },
  };
  wake();
  return loop;
}

function readPause(value: string | undefined): PauseState | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value);
    return { at: Number(parsed.at) || 0, status: Number(parsed.status) || 410 };
  } catch {
    return { at: 0, status: 410 };
  }
}
