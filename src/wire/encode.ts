// mod_rest's documentation, "Payload formats": stanzas as an HTTP body (REST responses, webhook requests, events).

import {
  JsonMappingError,
  stanzasToContainer,
  stanzaToJson,
} from "../jsonmap/mod.ts";
import { encodeForm } from "../jsonmap/urlencoded.ts";
import type { XmlElement } from "../xml/element.ts";
import { serialize } from "../xml/serialize.ts";
import type { WireResult } from "./decode.ts";
import type { BodyFormat } from "./media.ts";

function toJson(stanza: XmlElement): WireResult<Record<string, unknown>> {
  // Also maps an <xmpp> container to {"xmpp":[...]}.
  try {
    return { ok: true, value: stanzaToJson(stanza) };
  } catch (error) {
    if (!(error instanceof JsonMappingError)) throw error;
    return { ok: false, reason: error.message, cause: error };
  }
}

/**
 * Encodes one stanza, or several in mod_rest's `<xmpp>` container, as a
 * body: `xml` without `xmlns` on the top element; `json` via the mapping
 * (`{"xmpp":[...]}` around several); `form`: the mapping's top-level
 * scalars (empty for a container); `text`: the `<body>` text of one
 * stanza (empty for a container). A stanza with no JSON form is a failure
 * for `json` and `form` (XML can always carry it).
 *
 * @example
 * ```ts
 * const hi = el("message", "jabber:client", { to: "a@example.org" }, el("body", "jabber:client", {}, "Hi"));
 * encodeStanzas([hi], "xml"); // { ok: true, value: '<message to="a@example.org"><body>Hi</body></message>' }
 * encodeStanzas([hi], "form"); // { ok: true, value: "kind=message&to=a%40example.org&body=Hi" }
 * ```
 */
export function encodeStanzas(
  stanzas: readonly XmlElement[],
  format: BodyFormat,
): WireResult<string> {
  const single = stanzas.length === 1 ? stanzas[0] : undefined;
  const top = single ?? stanzasToContainer(stanzas);
  switch (format) {
    case "xml":
      return { ok: true, value: serialize(top, { parentNs: top.ns }) };
    case "json": {
      const json = toJson(top);
      return json.ok ? { ok: true, value: JSON.stringify(json.value) } : json;
    }
    case "form": {
      if (single === undefined) return { ok: true, value: "" };
      const json = toJson(single);
      return json.ok ? { ok: true, value: encodeForm(json.value) } : json;
    }
    case "text":
      return {
        ok: true,
        value: single?.getChildText("body", single.ns) ?? "",
      };
  }
}

/**
 * Encodes one stanza as a body ({@linkcode encodeStanzas} of one).
 *
 * @example
 * ```ts
 * encodeStanza(el("presence", "jabber:client", {}), "json"); // { ok: true, value: '{"kind":"presence"}' }
 * ```
 */
export function encodeStanza(
  stanza: XmlElement,
  format: BodyFormat,
): WireResult<string> {
  return encodeStanzas([stanza], format);
}
