// README "Receiving (webhooks)": posting one stanza: the signed request (Standard Webhooks), one attempt, the endpoint's health and the log lines.

import type { Logger } from "../logger.ts";
import type { XmlElement } from "../xml/element.ts";
import type { CallbackContentType } from "./encode.ts";
import type { WebhookOptions, WebhookSettings } from "./options.ts";
import type { WebhookTransport } from "./transport.ts";
import type { WebhookOutcome } from "./reply.ts";
import { buildWebhookRequest } from "./request.ts";
import { attemptWebhook } from "./attempt.ts";
import { describeStanza } from "./log_fields.ts";

/** Settings and effects of {@linkcode postStanza}, the same for every stanza of a webhook. */
export interface PostContext {
  /** The webhook's validated settings. */
  readonly settings: WebhookSettings;
  /** How the request is sent. */
  readonly transport: WebhookTransport;
  /** Where attempts are logged. */
  readonly logger: Logger;
  /** Clock in milliseconds (the signature's timestamp, health). */
  readonly now: () => number;
  /** A new `webhook-id` (Standard Webhooks). */
  readonly webhookId: () => string;
  /** A new request id for the logs. */
  readonly newRequestId: () => string;
  /** Told how each attempt ended (metrics). */
  readonly onAttempt?: WebhookOptions["onAttempt"];
  /** Told of each success and failure (the endpoint's health). */
  readonly health?: WebhookOptions["health"];
}

/**
 * Posts `stanza` once as `contentType` (XML when it has no JSON form),
 * aborted by `signal`; records the result in the health and the log, and
 * returns it in the reply decision's terms.
 */
export async function postStanza(
  stanza: XmlElement,
  contentType: CallbackContentType,
  signal: AbortSignal,
  ctx: PostContext,
): Promise<WebhookOutcome> {
  const { settings, logger, now } = ctx;
  const requestId = ctx.newRequestId();
  const built = buildWebhookRequest(stanza, settings, {
    contentType,
    webhookId: ctx.webhookId(),
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
    transport: ctx.transport,
    signal,
    timeoutSeconds: settings.timeoutSeconds,
    maxReplyBytes: settings.maxReplyBytes,
    onAttempt: ctx.onAttempt,
  });
  const url = settings.displayUrl;
  const { outcome } = result;
  if (
    outcome.kind === "response" && outcome.status < 300 &&
    outcome.status >= 200
  ) {
    ctx.health?.success(now());
  } else {
    ctx.health?.failure({
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
      ...describeStanza(stanza),
    });
  }
  return result.outcome;
}
