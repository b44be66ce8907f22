// The consumers the gateway offers inbound stanzas to: the webhook (mod_rest's synchronous delivery) or nobody.

import type { Logger } from "../logger.ts";
import type { Webhook } from "../webhook/delivery.ts";
import type { InboundConsumer } from "./inbound.ts";
import type { XmlElement } from "../xml/element.ts";

/**
 * mod_rest's behaviour: every stanza is posted to the webhook at once and
 * its answer becomes the reply; the webhook answers iq get/set itself.
 */
export function syncConsumer(
  webhook: Webhook,
  logger: Logger,
): InboundConsumer {
  return (stanza) => {
    const started = performance.now();
    void webhook.deliver(stanza).then((report) => {
      logger.info("webhook delivery", {
        kind: stanza.name,
        type: stanza.attr("type"),
        id: stanza.attr("id"),
        from: stanza.attr("from"),
        to: stanza.attr("to"),
        outcome: report.outcome,
        status: report.status,
        replies: report.replies.length,
        ms: Math.round(performance.now() - started),
      });
    });
    return true;
  };
}

/**
 * No webhook: iq get/set are answered `service-unavailable` (by the
 * routing rule); everything else is logged and dropped.
 */
export function unhandledConsumer(logger: Logger): InboundConsumer {
  return (stanza) => {
    logger.info("stanza received (no webhook configured)", {
      kind: stanza.name,
      type: stanza.attr("type"),
      from: stanza.attr("from"),
      to: stanza.attr("to"),
      id: stanza.attr("id"),
    });
    return false;
  };
}

/**
 * Reliable mode: messages and presences the webhook selects are already
 * in the log with a pending delivery (the delivery loop posts them); iq
 * get/set stay synchronous (the sender is waiting): one attempt, as in
 * sync mode.
 */
export function reliableConsumer(
  webhook: Webhook,
  logger: Logger,
): InboundConsumer {
  const sync = syncConsumer(webhook, logger);
  return (stanza, event) => {
    if (isPushed(stanza, webhook)) return true;
    return sync(stanza, event);
  };
}

/** True for a stanza the reliable delivery loop posts: a selected message or presence. */
export function isPushed(stanza: XmlElement, webhook: Webhook): boolean {
  return stanza.name !== "iq" && webhook.selects(stanza);
}
