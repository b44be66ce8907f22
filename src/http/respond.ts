// mod_rest's documentation, "Sending stanzas" (responses): a stanza or an <xmpp> container as a Response.

import type { XmlElement } from "../xml/element.ts";
import { encodeStanzas, MEDIA_TYPES, type StanzaFormat } from "../wire/mod.ts";
import { HttpError } from "./errors.ts";

/**
 * A 200 response carrying the stanza(s) in the negotiated format (see
 * `encodeStanzas` in `src/wire/`). Throws {@linkcode HttpError}
 * `unmappable` (502) when a stanza has no JSON form.
 *
 * @example
 * ```ts
 * stanzaResponse([reply], "json"); // 200, Content-Type: application/json
 * ```
 */
export function stanzaResponse(
  stanzas: readonly XmlElement[],
  format: StanzaFormat,
): Response {
  const body = encodeStanzas(stanzas, format);
  if (!body.ok) {
    throw new HttpError("unmappable", {
      text:
        `Stanza cannot be represented in JSON (${body.reason}); request application/xmpp+xml instead`,
      cause: body.cause,
    });
  }
  return new Response(body.value, {
    status: 200,
    headers: { "Content-Type": MEDIA_TYPES[format] },
  });
}

/** The 202 response for a message or presence handed to the XMPP server (empty body). */
export function acceptedResponse(): Response {
  return new Response(null, { status: 202 });
}
