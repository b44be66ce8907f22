// mod_rest stanza normalisation before sending (README "Addresses and attributes", "iq: waiting for the reply"; README "Authentication").

import { XmlElement } from "../xml/element.ts";
import { XML_NS } from "../xml/serialize.ts";
import {
  InvalidJidError,
  type Jid,
  parseJid,
  tryParseJid,
} from "../xmpp/jid.ts";
import { NS } from "../xmpp/namespaces.ts";
import { randomBase64url } from "../xmpp/random_id.ts";
import { HttpError } from "./errors.ts";

/** Options for {@linkcode normaliseStanza}. */
export interface NormaliseOptions {
  /** Component domain: the default `from`, and the domain every `from` must be at. */
  domain: string;
  /** Generates the id of a stanza that has none. */
  randomId: () => string;
}

/**
 * An unguessable stanza id: 18 random bytes from
 * `crypto.getRandomValues`, base64url (24 characters), as mod_rest's.
 */
export function randomStanzaId(): string {
  return randomBase64url(18);
}

/**
 * True when `from` may be used by the component: the domain itself, or
 * any JID at it (`node@domain`, `node@domain/resource`, `domain/resource`),
 * as mod_rest's `jid.compare` allows for a component.
 */
function fromAllowed(from: Jid, domain: string): boolean {
  return from.domain === domain;
}

const KINDS: readonly string[] = ["message", "presence", "iq"];

/**
 * Validates a stanza and rebuilds its top-level attributes from scratch:
 * `to` (required, normalised), `from` (default the domain; normalised;
 * must be at the domain), `id` (kept or generated), `type`, `xml:lang`;
 * every other top-level attribute is dropped, children are untouched.
 * Throws {@linkcode HttpError}: `xmlns`, `name`, `missing_to`, `to`,
 * `from` (422) or `from_auth` (403). The input is not modified.
 *
 * @example
 * ```ts
 * normaliseStanza(parsed, { domain: "rest.example.net", randomId: randomStanzaId });
 * ```
 */
export function normaliseStanza(
  stanza: XmlElement,
  options: NormaliseOptions,
): XmlElement {
  if (stanza.ns !== NS.client) throw new HttpError("xmlns");
  if (!KINDS.includes(stanza.name)) throw new HttpError("name");

  const rawTo = stanza.attr("to");
  if (rawTo === undefined || rawTo === "") throw new HttpError("missing_to");
  const to = prepAddress(rawTo, "to");

  const domain = options.domain.toLowerCase();
  let from = domain;
  const rawFrom = stanza.attr("from");
  if (rawFrom !== undefined) {
    const jid = prepAddress(rawFrom, "from");
    if (!fromAllowed(jid, domain)) throw new HttpError("from_auth");
    from = jid.toString();
  }

  const id = stanza.attr("id");
  const attrs: Record<string, string> = {
    to: to.toString(),
    from,
    id: id === undefined || id === "" ? options.randomId() : id,
  };
  const type = stanza.attr("type");
  if (type !== undefined) attrs.type = type;
  const lang = stanza.attr("xml:lang") ?? stanza.attr(`{${XML_NS}}lang`);
  if (lang !== undefined) attrs["xml:lang"] = lang;
  return new XmlElement(stanza.name, stanza.ns, attrs, stanza.children);
}

/**
 * Parses `to` or `from`: a JID that breaks its syntax is mod_rest's 422
 * (`improper-addressing` / `invalid-from`); one that holds a prohibited
 * code point or breaks the bidi rule is a 422 `jid-malformed` naming the
 * problem (RFC 7622 section 3), as the server would refuse it.
 */
function prepAddress(raw: string, which: "to" | "from"): Jid {
  try {
    return parseJid(raw);
  } catch (error) {
    if (!(error instanceof InvalidJidError)) throw error;
    throw addressError(error, which);
  }
}

/**
 * The HTTP error for an address that does not prepare: mod_rest's 422
 * (`to`: `improper-addressing`, `from`: `invalid-from`) for bad syntax, a
 * 422 `jid-malformed` naming the part and the rule for a prohibited code
 * point or the bidi rule (RFC 7622 section 3).
 */
export function addressError(
  error: InvalidJidError,
  which: "to" | "from",
): HttpError {
  if (error.rule === "syntax") return new HttpError(which, { cause: error });
  const role = which === "to" ? "destination" : "source";
  return new HttpError("jid_malformed", {
    text: `Malformed ${role} JID: ${error.part} ${error.reason}`,
    cause: error,
  });
}

/**
 * Checks the iq rules of mod_rest: type `get` or `set` (422 `iq_type`),
 * exactly one child element (422 `iq_tags`).
 */
export function validateIq(iq: XmlElement): void {
  const type = iq.attr("type");
  if (type !== "get" && type !== "set") throw new HttpError("iq_type");
  if (iq.elements().length !== 1) throw new HttpError("iq_tags");
}

/** An iq ready to send, with the XEP-0313 query id whose results belong to it. */
export interface PreparedIq {
  /** The iq (a copy when a `queryid` was added). */
  readonly iq: XmlElement;
  /** The MAM `queryid`, when the iq is an archive query. */
  readonly queryid?: string;
}

/**
 * XEP-0313 section 4: gives an archive query without `queryid` a fresh one,
 * so that its result messages can be told apart (mod_rest would capture
 * every message otherwise). Other iqs pass through.
 */
export function prepareMamQuery(
  iq: XmlElement,
  randomId: () => string,
): PreparedIq {
  const children = iq.elements();
  const query = children.length === 1 ? children[0] : undefined;
  if (query === undefined || !query.is("query", NS.mam)) return { iq };
  const existing = query.attr("queryid");
  if (existing !== undefined && existing !== "") {
    return { iq, queryid: existing };
  }
  const queryid = randomId();
  return {
    iq: iq.withChildren([query.withAttrs({ queryid })]),
    queryid,
  };
}

/**
 * A capture function for the port: true for a message carrying a XEP-0313
 * `<result queryid>` for this query, sent by the queried archive (or with
 * no `from`). Captured stanzas are pushed onto `into`.
 */
export function mamCapture(
  queryid: string,
  archive: string,
  into: XmlElement[],
): (stanza: XmlElement) => boolean {
  const archiveJid = tryParseJid(archive)?.bare().toString();
  return (stanza) => {
    if (stanza.name !== "message") return false;
    const result = stanza.getChild("result", NS.mam);
    if (result?.attr("queryid") !== queryid) return false;
    const from = stanza.attr("from");
    if (from !== undefined) {
      const fromBare = tryParseJid(from)?.bare().toString();
      if (fromBare !== archiveJid) return false;
    }
    into.push(stanza);
    return true;
  };
}
