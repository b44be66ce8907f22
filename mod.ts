/**
 * xmpp-rest: a RESTful XMPP gateway. Connects to an XMPP server as an
 * external component (XEP-0114) and turns it into plain HTTP.
 *
 * @example
 * ```ts
 * import { parseJid } from "@xmpp-rest/xmpp-rest";
 * parseJid("bot@rest.example.net").domain; // "rest.example.net"
 * ```
 *
 * @module
 */

export { el, XmlElement } from "./src/xml/element.ts";
export type { XmlAttributes, XmlNode } from "./src/xml/element.ts";
export { canonicalize, serialize } from "./src/xml/serialize.ts";
export type { SerializeOptions } from "./src/xml/serialize.ts";
export { XmlSyntaxError } from "./src/xml/errors.ts";
export { InvalidJidError, Jid, parseJid } from "./src/xmpp/jid.ts";
