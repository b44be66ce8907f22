// RFC 6120 sections 8.2.3 and 10.3: what becomes of a stanza read from the component stream (pure).

import type { XmlElement } from "../xml/element.ts";
import { serialize } from "../xml/serialize.ts";
import { NS } from "../xmpp/namespaces.ts";
import type { EventKind, NewEvent } from "../store/types.ts";

/**
 * Where an inbound stanza goes: `reply` (an iq result or error: to the iq
 * tracker), `request` (an iq get/set: must get exactly one answer) or
 * `event` (a message or presence: to the event log and its consumers).
 */
export type InboundRoute = "reply" | "request" | "event";

/**
 * Classifies an inbound stanza.
 *
 * @example
 * ```ts
 * inboundRoute(el("iq", NS.client, { type: "get" })); // "request"
 * ```
 */
export function inboundRoute(stanza: XmlElement): InboundRoute {
  if (stanza.name !== "iq") return "event";
  return needsAnswer(stanza) ? "request" : "reply";
}

/** RFC 6120 section 8.2.3: an iq get or set must be answered with exactly one result or error. */
export function needsAnswer(stanza: XmlElement): boolean {
  const type = stanza.attr("type");
  return stanza.name === "iq" && (type === "get" || type === "set");
}

/**
 * The conversation an inbound stanza belongs to: the sender's bare JID and
 * the recipient, space-separated. Events of one conversation are delivered
 * in order, one at a time.
 *
 * @example
 * ```ts
 * conversationKey(el("message", NS.client, { from: "a@x/phone", to: "gw.x" })); // "a@x gw.x"
 * ```
 */
export function conversationKey(stanza: XmlElement): string {
  const from = stanza.attr("from") ?? "";
  const slash = from.indexOf("/");
  const bare = slash === -1 ? from : from.slice(0, slash);
  return `${bare.toLowerCase()} ${stanza.attr("to") ?? ""}`;
}

/**
 * The event an inbound stanza is appended to the log as (its XML in the
 * `jabber:client` default namespace).
 */
export function toNewEvent(stanza: XmlElement, receivedAt: number): NewEvent {
  return {
    receivedAt,
    kind: stanza.name as EventKind,
    from: stanza.attr("from") ?? "",
    to: stanza.attr("to") ?? "",
    conversation: conversationKey(stanza),
    stanza: serialize(stanza, { parentNs: NS.client }),
  };
}
