// Events as pull and SSE bodies (README "Receiving without a webhook"): mod_rest's JSON mapping of the stanza, or its XML.

import { parseXml } from "../xml/parser.ts";
import { escapeAttr } from "../xml/serialize.ts";
import { NS } from "../xmpp/namespaces.ts";
import { JsonMappingError, stanzaToJson } from "../jsonmap/mod.ts";
import type { StoredEvent } from "../store/types.ts";

/** The formats an event can be written in. */
export type EventFormat = "json" | "xml";

/** An event in JSON: the stanza as mod_rest maps it (`stanza`), or its XML (`xml`) when it has no JSON form. */
export interface JsonEvent {
  /** The event id (the pull offset and the SSE id). */
  readonly id: number;
  /** When the gateway read the stanza, RFC 3339 UTC. */
  readonly received_at: string;
  /** The stanza kind. */
  readonly kind: string;
  /** mod_rest's JSON mapping of the stanza. */
  readonly stanza?: Record<string, unknown>;
  /** The stanza as XML, only when it cannot be mapped to JSON. */
  readonly xml?: string;
}

/**
 * The JSON form of an event.
 *
 * @example
 * ```ts
 * eventToJson(event); // { id: 7, received_at: "2026-...Z", kind: "message", stanza: { kind: "message", body: "Hi", ... } }
 * ```
 */
export function eventToJson(event: StoredEvent): JsonEvent {
  const head = {
    id: event.id,
    received_at: new Date(event.receivedAt).toISOString(),
    kind: event.kind,
  };
  try {
    const stanza = parseXml(event.stanza, { defaultNamespace: NS.client });
    return { ...head, stanza: stanzaToJson(stanza) };
  } catch (error) {
    if (!(error instanceof JsonMappingError)) throw error;
    return { ...head, xml: event.stanza };
  }
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
  return format === "json"
    ? JSON.stringify(eventToJson(event))
    : eventToXml(event);
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
