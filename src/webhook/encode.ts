// mod_rest.md section 5.3 (with decisions.md "Webhooks"): an incoming stanza as a webhook request body.

import { JsonMappingError, stanzaToJson } from "../jsonmap/mod.ts";
import { encodeForm } from "../jsonmap/urlencoded.ts";
import type { XmlElement } from "../xml/element.ts";
import { serialize } from "../xml/serialize.ts";

/** Webhook body formats, as configured (`json` is accepted as an alias by the options). */
export const CALLBACK_CONTENT_TYPES = [
  "application/xmpp+xml",
  "application/json",
  "application/x-www-form-urlencoded",
  "text/plain",
] as const;
/** A webhook body format. */
export type CallbackContentType = typeof CALLBACK_CONTENT_TYPES[number];

/** A request body ready to send. */
export interface EncodedBody {
  /** The `Content-Type` to send (XML when the stanza had no JSON form). */
  readonly contentType: CallbackContentType;
  /** The body text. */
  readonly body: string;
  /** Set when the stanza could not be JSON-encoded and is sent as XML instead: why. */
  readonly fallbackReason?: string;
}

/**
 * Encodes a stanza for the webhook: XML without `xmlns` on the top element,
 * its JSON mapping, that mapping flattened to form fields, or (for
 * `text/plain`) its `<body>` text. A stanza that has no JSON form is sent
 * as XML with `Content-Type: application/xmpp+xml` (decisions.md).
 *
 * @example
 * ```ts
 * encodeStanza(el("message", "jabber:client", { to: "bot@rest.example.net" }),
 *   "application/xmpp+xml").body; // '<message to="bot@rest.example.net"/>'
 * ```
 */
export function encodeStanza(
  stanza: XmlElement,
  contentType: CallbackContentType,
): EncodedBody {
  switch (contentType) {
    case "application/json":
    case "application/x-www-form-urlencoded": {
      let json: Record<string, unknown>;
      try {
        json = stanzaToJson(stanza);
      } catch (error) {
        if (!(error instanceof JsonMappingError)) throw error;
        return {
          contentType: "application/xmpp+xml",
          body: encodeXml(stanza),
          fallbackReason: error.message,
        };
      }
      const body = contentType === "application/json"
        ? JSON.stringify(json)
        : encodeForm(json);
      return { contentType, body };
    }
    case "text/plain":
      return {
        contentType,
        body: stanza.getChildText("body", stanza.ns) ?? "",
      };
    case "application/xmpp+xml":
      return { contentType, body: encodeXml(stanza) };
  }
}

function encodeXml(stanza: XmlElement): string {
  return serialize(stanza, { parentNs: stanza.ns });
}
