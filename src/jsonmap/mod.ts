// Public API of the JSON <-> stanza mapping (README "JSON mapping reference", README "Differences from mod_rest").

import { el, type XmlElement } from "../xml/element.ts";
import { NS } from "../xmpp/namespaces.ts";
import { readStanza, writeStanza } from "./core.ts";
import { at, expectArray, expectObject } from "./shape.ts";
import { JsonMappingError, type JsonStanza } from "./types.ts";

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

/** The JSON form of several stanzas (an iq answered by more than one stanza). */
export interface JsonContainer {
  /** The stanzas, in order. */
  xmpp: JsonStanza[];
}

/**
 * Maps a stanza (namespace `jabber:client`) to its JSON form. Throws
 * {@linkcode JsonMappingError} when the stanza cannot be represented
 * (invalid JID in `to`/`from`, undecodable XEP-0335 payload, an element
 * that is not a stanza). Unmapped children are dropped. The result is plain
 * JSON (no `undefined` members) with keys in a fixed order. An `<xmpp>`
 * container maps to `{"xmpp":[…]}` as with {@linkcode containerToJson}.
 *
 * @example
 * ```ts
 * stanzaToJson(parseXml("<message type='chat'><body>Hi</body></message>",
 *   { defaultNamespace: "jabber:client" }));
 * // { kind: "message", type: "chat", body: "Hi" }
 * ```
 */
export function stanzaToJson(stanza: XmlElement): JsonStanza {
  if (isContainer(stanza)) return { ...containerToJson(stanza) };
  return readStanza(stanza);
}

/**
 * Maps JSON to a stanza in `jabber:client` (no `id` is generated, no `from`
 * added). Kind and type are inferred as mod_rest does (`kind`, else from
 * `type`, else from the keys present, else message; iq type `set` when
 * `command` or `archive` is given, else `get`; presence `"available"` means
 * no type). Unknown keys are ignored. Throws {@linkcode JsonMappingError}
 * naming the JSON path of a value of the wrong shape, an unknown `kind`
 * (path `/kind`) or an invalid JID (path `/to` or `/from`).
 *
 * @example
 * ```ts
 * serialize(jsonToStanza({ to: "a@example.org", body: "Hi" }), { parentNs: "jabber:client" });
 * // '<message to="a@example.org"><body>Hi</body></message>'
 * ```
 */
export function jsonToStanza(
  json: unknown,
  options: JsonToStanzaOptions = {},
): XmlElement {
  return writeStanza(json, { path: "", coerce: options.coerce ?? false });
}

/** True for the multi-stanza container element `<xmpp>`. */
export function isContainer(element: XmlElement): boolean {
  return element.name === "xmpp" &&
    (element.ns === NS.client || element.ns === "");
}

/**
 * Wraps stanzas in mod_rest's `<xmpp>` container. The container is in
 * `jabber:client` like its children, so serializing it with
 * `{ parentNs: "jabber:client" }` writes `<xmpp><iq …/>…</xmpp>` without
 * any `xmlns`, as mod_rest does.
 */
export function stanzasToContainer(
  stanzas: readonly XmlElement[],
): XmlElement {
  return el("xmpp", NS.client, {}, ...stanzas);
}

/**
 * Maps an `<xmpp>` container to `{"xmpp":[…]}`. Errors name the stanza,
 * e.g. `/xmpp/1/from`.
 */
export function containerToJson(container: XmlElement): JsonContainer {
  if (!isContainer(container)) {
    throw new JsonMappingError(
      "",
      `cannot map element "${container.name}": expected an <xmpp> container`,
    );
  }
  return {
    xmpp: container.elements().map((s, i) => readStanza(s, `/xmpp/${i}`)),
  };
}

/** Maps `{"xmpp":[…]}` to an `<xmpp>` container (see {@linkcode jsonToStanza}). */
export function jsonToContainer(
  json: unknown,
  options: JsonToStanzaOptions = {},
): XmlElement {
  const ctx = { path: "", coerce: options.coerce ?? false };
  const list = expectArray(expectObject(json, ctx).xmpp, at(ctx, "xmpp"));
  return stanzasToContainer(
    list.map((item, i) => writeStanza(item, at(ctx, "xmpp", i))),
  );
}
