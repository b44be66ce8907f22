// What the webhook side's log lines say about a stanza and an error (README "Receiving (webhooks)"): who sent what, never the payload.

import type { XmlElement } from "../xml/element.ts";

/** Log fields naming a stanza (never its payload). */
export function describeStanza(
  stanza: XmlElement,
): Record<string, string | undefined> {
  return {
    kind: stanza.name,
    type: stanza.attr("type"),
    id: stanza.attr("id"),
    from: stanza.attr("from"),
  };
}

/** The message of an error, or the thrown value as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
