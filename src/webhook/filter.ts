// README "Options": which stanzas go to the webhook (rest_callback_stanzas, rest_callback_events).

import type { XmlElement } from "../xml/element.ts";
import { tryParseJid } from "../xmpp/jid.ts";
import type { StanzaKind } from "../xmpp/stanza.ts";

/** Stanza kinds `rest_callback_stanzas` can select. */
export const CALLBACK_STANZAS = ["message", "presence", "iq"] as const;

/** Address forms of `to` that `rest_callback_events` can select. */
export const CALLBACK_EVENTS = ["bare", "full", "host"] as const;
/** An address form: `bare` = `node@domain`, `full` = `node@domain/res`, `host` = `domain`. */
export type CallbackEvent = typeof CALLBACK_EVENTS[number];

/** What the webhook receives. */
export interface StanzaSelection {
  /** Stanza kinds posted to the webhook. */
  readonly stanzas: readonly StanzaKind[];
  /** Address forms of `to` posted to the webhook. */
  readonly events: readonly CallbackEvent[];
}

/**
 * The address form of a JID string, or undefined when it is missing or
 * not a JID. Without a localpart it is `host`, resource or not
 * (`domain/res` too), as Prosody's stanza router classifies `to`.
 *
 * @example
 * ```ts
 * addressForm("bot@rest.example.net"); // "bare"
 * addressForm("rest.example.net"); // "host"
 * ```
 */
export function addressForm(
  jid: string | undefined,
): CallbackEvent | undefined {
  if (jid === undefined) return undefined;
  const parsed = tryParseJid(jid);
  if (!parsed) return undefined;
  if (parsed.local === "") return "host";
  return parsed.resource === "" ? "bare" : "full";
}

/**
 * True when the stanza's kind and the form of its `to` are both selected.
 *
 * @example
 * ```ts
 * isSelected(el("message", "jabber:client", { to: "rest.example.net" }),
 *   { stanzas: ["message"], events: ["bare"] }); // false
 * ```
 */
export function isSelected(
  stanza: XmlElement,
  selection: StanzaSelection,
): boolean {
  if (!(selection.stanzas as readonly string[]).includes(stanza.name)) {
    return false;
  }
  const form = addressForm(stanza.attr("to"));
  return form !== undefined && selection.events.includes(form);
}
