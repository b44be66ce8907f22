// The consumers the gateway offers inbound stanzas to: the webhook (mod_rest's synchronous delivery) or nobody.

import type { Logger } from "../logger.ts";
import type { Webhook } from "../webhook/delivery.ts";
import type { InboundConsumer } from "./inbound.ts";
import type { XmlElement } from "../xml/element.ts";
import type { AppendedEvent } from "../store/types.ts";
import type { StanzaPort } from "../xmpp/port.ts";
import { receiptMessage } from "../webhook/reply.ts";

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

/**
 * Reliable mode's answer to a re-sent message (README "Re-sent messages
 * and receipts"): when the first copy's webhook delivery has succeeded,
 * its XEP-0184 receipt is sent again (the first may have been lost with a
 * stream); while it waits, nothing (the receipt comes with the delivery).
 *
 * @example
 * ```ts
 * const again = receiptForCopy(port, logger);
 * again(copy, { ...first, duplicate: { delivered: true } }); // sends <received id=.../>
 * ```
 */
export function receiptForCopy(
  xmpp: Pick<StanzaPort, "send">,
  logger: Logger,
  randomId: () => string = () => crypto.randomUUID(),
): (stanza: XmlElement, first: AppendedEvent) => void {
  return (stanza, first) => {
    if (!first.duplicate?.delivered) return;
    const receipt = receiptMessage(stanza, randomId);
    if (!receipt) return;
    const failed = (error: unknown) =>
      logger.warn("Cannot send a receipt again", { error: String(error) });
    try {
      Promise.resolve(xmpp.send(receipt)).catch(failed);
    } catch (error) {
      failed(error);
    }
  };
}

/** True for a stanza the reliable delivery loop posts: a selected message or presence. */
export function isPushed(stanza: XmlElement, webhook: Webhook): boolean {
  return stanza.name !== "iq" && webhook.selects(stanza);
}
