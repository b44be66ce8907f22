// The consumers the gateway offers inbound stanzas to: the webhook (mod_rest's synchronous delivery) or nobody.

import type { Logger } from "../logger.ts";
import type { Webhook } from "../webhook/delivery.ts";
import type { InboundConsumer } from "./inbound.ts";

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
