// RFC 6120 sections 8.2.3 and 10.3: route an inbound stanza to a pending iq, a capture or the handler; every iq get/set gets exactly one answer.

import type { XmlElement } from "../xml/element.ts";
import type { Logger } from "../logger.ts";
import {
  errorReply,
  StanzaError,
  type StanzaErrorDetails,
} from "../xmpp/stanza.ts";
import type { IqTracker } from "../component/iq_tracker.ts";
import { needsAnswer } from "./rules.ts";

/**
 * Receives stanzas addressed to the component. Return (or resolve to)
 * `true` to say "I answer this one"; anything else means "not mine", and
 * an iq get/set is then answered with `service-unavailable`. Throwing a
 * {@linkcode StanzaError} answers an iq get/set with that error; any other
 * exception with `internal-server-error`.
 *
 * @example
 * ```ts
 * const handler: StanzaHandler = (stanza) => {
 *   if (!stanza.getChild("ping", "urn:xmpp:ping")) return false;
 *   client.send(iqResult(stanza));
 *   return true;
 * };
 * ```
 */
export type StanzaHandler = (
  stanza: XmlElement,
) => boolean | void | Promise<boolean | void>;

/** What {@linkcode deliverStanza} needs. */
export interface DeliveryContext {
  /** Pending iqs (replies and captures go there first). */
  tracker: IqTracker;
  /** The application's handler, if any. */
  handler: StanzaHandler | undefined;
  /** Sends an automatic error reply. */
  reply: (stanza: XmlElement) => void;
  /** For handler failures. */
  logger: Logger;
}

/**
 * Delivers one incoming stanza: a reply to a pending iq settles it, a
 * stanza an active capture takes goes there, everything else to the
 * handler. An iq get/set the handler does not take gets an error reply.
 */
export function deliverStanza(
  stanza: XmlElement,
  context: DeliveryContext,
): void {
  const { tracker, handler } = context;
  if (tracker.resolve(stanza) || tracker.capture(stanza)) return;
  const mustAnswer = needsAnswer(stanza);
  const unavailable = () => {
    if (mustAnswer) {
      answer(stanza, { condition: "service-unavailable" }, context);
    }
  };
  if (!handler) return unavailable();
  let taken: ReturnType<StanzaHandler>;
  try {
    taken = handler(stanza);
  } catch (error) {
    return failed(stanza, error, mustAnswer, context);
  }
  if (taken instanceof Promise) {
    taken.then(
      (result) => result === true || unavailable(),
      (error) => failed(stanza, error, mustAnswer, context),
    );
  } else if (taken !== true) unavailable();
}

function failed(
  stanza: XmlElement,
  error: unknown,
  mustAnswer: boolean,
  context: DeliveryContext,
): void {
  if (error instanceof StanzaError) {
    if (mustAnswer) answer(stanza, error, context);
    return;
  }
  context.logger.error("Stanza handler failed", {
    stanza: stanza.name,
    id: stanza.attr("id"),
    error: error instanceof Error ? error.message : String(error),
  });
  if (mustAnswer) {
    answer(stanza, { condition: "internal-server-error" }, context);
  }
}

function answer(
  stanza: XmlElement,
  details: StanzaErrorDetails,
  context: DeliveryContext,
): void {
  try {
    context.reply(errorReply(stanza, details));
  } catch (error) {
    context.logger.warn("Cannot send error reply", {
      id: stanza.attr("id"),
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
