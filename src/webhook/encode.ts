// mod_rest's documentation, "Webhooks" (the request): an incoming stanza as a webhook request body.

import type { XmlElement } from "../xml/element.ts";
import {
  encodeStanza,
  formatOfMediaType,
  MEDIA_TYPES,
  type MediaType,
} from "../wire/mod.ts";

/** Webhook body formats, as configured (`json` is accepted as an alias by the options). */
export const CALLBACK_CONTENT_TYPES: readonly CallbackContentType[] = Object
  .values(MEDIA_TYPES);
/** A webhook body format. */
export type CallbackContentType = MediaType;

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
 * Encodes a stanza for the webhook in the configured format (see
 * `encodeStanza` in `src/wire/`); a stanza that has no JSON form is sent
 * as XML with `Content-Type: application/xmpp+xml` instead (README "The
 * request").
 *
 * @example
 * ```ts
 * encodeWebhookBody(el("message", "jabber:client", { to: "bot@rest.example.net" }),
 *   "application/xmpp+xml").body; // '<message to="bot@rest.example.net"/>'
 * ```
 */
export function encodeWebhookBody(
  stanza: XmlElement,
  contentType: CallbackContentType,
): EncodedBody {
  const encoded = encodeStanza(stanza, formatOfMediaType(contentType)!);
  if (encoded.ok) return { contentType, body: encoded.value };
  const xml = encodeStanza(stanza, "xml");
  return {
    contentType: MEDIA_TYPES.xml,
    body: xml.ok ? xml.value : "",
    fallbackReason: encoded.reason,
  };
}
