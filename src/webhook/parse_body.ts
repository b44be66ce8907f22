// mod_rest.md sections 1.2 and 5.4 step 3: a webhook response body, by its Content-Type, as a stanza.

import { mediaTypeOf } from "../http/media.ts";
import { jsonToStanza } from "../jsonmap/mod.ts";
import { decodeForm } from "../jsonmap/urlencoded.ts";
import { el, type XmlElement } from "../xml/element.ts";
import { parseXml } from "../xml/parser.ts";
import { escapeText } from "../xml/serialize.ts";
import { NS } from "../xmpp/namespaces.ts";
import { isStanza, type StanzaKind } from "../xmpp/stanza.ts";

/**
 * A webhook response body that does not hold a stanza: empty, an
 * unsupported or missing `Content-Type`, malformed, or not a stanza.
 *
 * @example
 * ```ts
 * try { parseReplyBody("text/html", "<p>hi</p>", "message"); } catch (e) {
 *   if (e instanceof ReplyBodyError) console.log(e.message);
 * }
 * ```
 */
export class ReplyBodyError extends SyntaxError {
  /** What is wrong, without the "Cannot parse" prefix. */
  readonly reason: string;
  /** Creates the error. */
  constructor(reason: string, options?: ErrorOptions) {
    super(`Cannot parse webhook response: ${reason}`, options);
    this.name = "ReplyBodyError";
    this.reason = reason;
  }
}

/**
 * Parses a response body as mod_rest does (without path parameters):
 * `application/xmpp+xml` (one stanza, no XML declaration, `jabber:client`
 * implied), `application/json` and `application/x-www-form-urlencoded` via
 * the JSON mapping, `text/plain` as `<message type="chat"><body>TEXT</body></message>`.
 * A JSON or form reply without `kind` that is an error (`type` "error" or
 * an `error` object) takes the incoming stanza's kind, so that
 * `{"type":"error","error":{...}}` answers any stanza (decisions.md).
 * Throws {@linkcode ReplyBodyError}.
 */
export function parseReplyBody(
  contentType: string | null | undefined,
  body: string,
  incomingKind: StanzaKind,
): XmlElement {
  if (body.trim() === "") throw new ReplyBodyError("empty body");
  const type = mediaTypeOf(contentType ?? null);
  switch (type) {
    case "application/xmpp+xml":
      return parseXmlBody(body);
    case "application/json":
      return fromJson(parseJsonObject(body), incomingKind, false);
    case "application/x-www-form-urlencoded": {
      // A form body without any "=" is URL-encoded text (mod_rest.md 1.2).
      if (!body.includes("=")) return textMessage(decodeFormText(body));
      return fromJson(decodeForm(body), incomingKind, true);
    }
    case "text/plain":
      return textMessage(body);
    case "":
      throw new ReplyBodyError("no Content-Type");
    default:
      throw new ReplyBodyError(`unsupported Content-Type "${type}"`);
  }
}

function parseXmlBody(body: string): XmlElement {
  let stanza: XmlElement;
  try {
    // Many HTTP frameworks (PHP's asXML(), Java's serializers) start XML
    // with a declaration; a reply is read leniently here.
    stanza = parseXml(body, {
      defaultNamespace: NS.client,
      allowXmlDeclaration: true,
    });
  } catch (error) {
    throw wrap(error);
  }
  if (!isStanza(stanza)) {
    throw new ReplyBodyError(
      `<${stanza.name}> in namespace "${stanza.ns}" is not a stanza`,
    );
  }
  return stanza;
}

function parseJsonObject(body: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw wrap(error);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new ReplyBodyError("JSON body is not an object");
  }
  return json as Record<string, unknown>;
}

function fromJson(
  json: Readonly<Record<string, unknown>>,
  incomingKind: StanzaKind,
  coerce: boolean,
): XmlElement {
  if (Object.keys(json).length === 0) {
    throw new ReplyBodyError("empty JSON object");
  }
  const isError = json.type === "error" ||
    (json.error !== null && typeof json.error === "object");
  const input = json.kind === undefined && isError
    ? { ...json, kind: incomingKind }
    : json;
  try {
    return jsonToStanza(input, { coerce });
  } catch (error) {
    throw wrap(error);
  }
}

function decodeFormText(body: string): string {
  return new URLSearchParams("x=" + body.replaceAll("&", "%26")).get("x") ??
    "";
}

function textMessage(text: string): XmlElement {
  try {
    escapeText(text);
  } catch (error) {
    throw wrap(error);
  }
  return el(
    "message",
    NS.client,
    { type: "chat" },
    el("body", NS.client, {}, text),
  );
}

// Syntax errors (XML, JSON) and type errors (JSON mapping, JIDs, characters
// XML forbids) describe the body; anything else is a bug and propagates.
function wrap(error: unknown): unknown {
  if (error instanceof SyntaxError || error instanceof TypeError) {
    return new ReplyBodyError(error.message, { cause: error });
  }
  return error;
}
