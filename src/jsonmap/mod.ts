// Public API of the JSON <-> stanza mapping (spec/mod_rest.md section 6, decisions.md "JSON mapping").

import type { XmlElement } from "../xml/element.ts";
import type { JsonStanza } from "./types.ts";

export { JsonMappingError } from "./types.ts";
export type { JsonStanza } from "./types.ts";

/** Options for {@linkcode jsonToStanza}. */
export interface JsonToStanzaOptions {
  /**
   * Values may be strings standing for numbers/booleans (form-urlencoded
   * bodies, GET query parameters); coerce them where mod_rest does.
   */
  coerce?: boolean;
}

/**
 * Maps a stanza (namespace `jabber:client`) to its JSON form. Throws
 * {@linkcode JsonMappingError} when the stanza cannot be represented
 * (invalid JID, undecodable XEP-0335 payload).
 */
export function stanzaToJson(stanza: XmlElement): JsonStanza {
  void stanza;
  throw new Error("not implemented");
}

/**
 * Maps JSON to a stanza in `jabber:client` (no `id` is generated). Kind and
 * type are inferred as mod_rest does. Throws {@linkcode JsonMappingError}
 * naming the JSON path of a value of the wrong shape or an invalid JID.
 */
export function jsonToStanza(
  json: unknown,
  options: JsonToStanzaOptions = {},
): XmlElement {
  void json;
  void options;
  throw new Error("not implemented");
}
