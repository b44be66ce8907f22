// Events as pull and SSE bodies (README "Receiving without a webhook: pull, SSE, inbound iqs"): mod_rest's JSON mapping of the stanza, or its XML.

import { parseXml } from "../xml/parser.ts";
import { escapeAttr } from "../xml/serialize.ts";
import { NS } from "../xmpp/namespaces.ts";
import { encodeStanza } from "../wire/mod.ts";
import type { StoredEvent } from "../store/types.ts";

/** The formats an event can be written in. */
export type EventFormat = "json" | "xml";

/**
 * The JSON form of an event: `{"id","received_at","kind","stanza"}` with
 * the stanza in mod_rest's JSON mapping (through the wire codec), or
 * `"xml"` (the stanza as XML text) instead of `"stanza"` when it has no
 * JSON form.
 *
 * @example
 * ```ts
 * eventToJson(event); // '{"id":7,"received_at":"2026-...Z","kind":"message","stanza":{"kind":"message","body":"Hi"}}'
 * ```
 */
export function eventToJson(event: StoredEvent): string {
  const head = `{"id":${event.id},"received_at":"${
    new Date(event.receivedAt).toISOString()
  }","kind":${JSON.stringify(event.kind)}`;
  const stanza = parseXml(event.stanza, { defaultNamespace: NS.client });
  const json = encodeStanza(stanza, "json");
  return json.ok
    ? `${head},"stanza":${json.value}}`
    : `${head},"xml":${JSON.stringify(event.stanza)}}`;
}

/**
 * The XML form of an event: `<event id received-at kind>` around the
 * stanza, without namespaces, as mod_rest writes stanzas.
 *
 * @example
 * ```ts
 * eventToXml(event); // '<event id="7" received-at="2026-...Z" kind="message"><message ...>...</message></event>'
 * ```
 */
export function eventToXml(event: StoredEvent): string {
  const at = new Date(event.receivedAt).toISOString();
  return `<event id="${event.id}" received-at="${at}" kind="${
    escapeAttr(event.kind)
  }">${event.stanza}</event>`;
}

/** One event as text in a format (a JSON object or an `<event>` element). */
export function encodeEvent(event: StoredEvent, format: EventFormat): string {
  return format === "json" ? eventToJson(event) : eventToXml(event);
}

/**
 * A pull answer: JSON `{"events":[...],"next_offset":N}`, or XML
 * `<events next-offset="N">...</events>`. `next_offset` is the offset to
 * ask for next (it acknowledges what was returned).
 */
export function encodeEventPage(
  events: readonly StoredEvent[],
  nextOffset: number,
  format: EventFormat,
): string {
  if (format === "xml") {
    return `<events next-offset="${nextOffset}">${
      events.map(eventToXml).join("")
    }</events>`;
  }
  return `{"events":[${
    events.map((e) => encodeEvent(e, "json")).join(",")
  }],"next_offset":${nextOffset}}`;
}
