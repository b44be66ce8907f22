// mod_rest response encoders (spec/mod_rest.md sections 1.3, 3.2 item 7; decisions.md "Sending"): stanza or <xmpp> container to a Response.

import type { XmlElement } from "../xml/element.ts";
import { serialize } from "../xml/serialize.ts";
import { NS } from "../xmpp/namespaces.ts";
import {
  JsonMappingError,
  stanzasToContainer,
  stanzaToJson,
} from "../jsonmap/mod.ts";
import { encodeForm } from "../jsonmap/urlencoded.ts";
import { HttpError } from "./errors.ts";
import { OUTPUT_MEDIA_TYPES, type OutputFormat } from "./media.ts";

function toJson(stanza: XmlElement): Record<string, unknown> {
  // Also maps an <xmpp> container to {"xmpp":[...]}.
  try {
    return stanzaToJson(stanza);
  } catch (cause) {
    if (cause instanceof JsonMappingError) {
      throw new HttpError("unmappable", {
        text:
          `Stanza cannot be represented in JSON (${cause.message}); request application/xmpp+xml instead`,
        cause,
      });
    }
    throw cause;
  }
}

/**
 * Encodes one stanza, or several in mod_rest's container, as a body:
 * XML without `xmlns` on the top element (`<xmpp>` around several);
 * JSON via the mapping (`{"xmpp":[...]}` around several); form: the
 * mapping's top-level scalars (empty for a container). Throws
 * {@linkcode HttpError} `unmappable` (502) when a stanza has no JSON form.
 */
export function encodeStanzas(
  stanzas: readonly XmlElement[],
  format: OutputFormat,
): string {
  const single = stanzas.length === 1 ? stanzas[0] : undefined;
  switch (format) {
    case "xml": {
      return serialize(single ?? stanzasToContainer(stanzas), {
        parentNs: NS.client,
      });
    }
    case "json":
      return JSON.stringify(toJson(single ?? stanzasToContainer(stanzas)));
    case "form":
      return single ? encodeForm(toJson(single)) : "";
  }
}

/**
 * A 200 response carrying the stanza(s) in the negotiated format.
 *
 * @example
 * ```ts
 * stanzaResponse([reply], "json"); // 200, Content-Type: application/json
 * ```
 */
export function stanzaResponse(
  stanzas: readonly XmlElement[],
  format: OutputFormat,
): Response {
  return new Response(encodeStanzas(stanzas, format), {
    status: 200,
    headers: { "Content-Type": OUTPUT_MEDIA_TYPES[format] },
  });
}

/** The 202 response for a message or presence handed to the XMPP server (empty body). */
export function acceptedResponse(): Response {
  return new Response(null, { status: 202 });
}
