// mod_rest's documentation, "Webhooks" (the reply): a webhook response body, by its Content-Type, as a stanza.

import type { XmlElement } from "../xml/element.ts";
import { isStanza, type StanzaKind } from "../xmpp/stanza.ts";
import {
  bodyStanza,
  decodeBody,
  type DecodedBody,
  formatOfMediaType,
  mediaTypeOf,
  type WireResult,
} from "../wire/mod.ts";

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
 * `{"type":"error","error":{...}}` answers any stanza (README "The reply").
 * Throws {@linkcode ReplyBodyError}.
 */
export function parseReplyBody(
  contentType: string | null | undefined,
  body: string,
  incomingKind: StanzaKind,
): XmlElement {
  if (body.trim() === "") throw new ReplyBodyError("empty body");
  const type = mediaTypeOf(contentType);
  if (type === "") throw new ReplyBodyError("no Content-Type");
  const format = formatOfMediaType(type);
  if (format === undefined) {
    throw new ReplyBodyError(`unsupported Content-Type "${type}"`);
  }
  const decoded = orThrow(
    decodeBody(body, format, { allowXmlDeclaration: true }),
  );
  const stanza = orThrow(bodyStanza(withErrorKind(decoded, incomingKind)));
  if (!isStanza(stanza)) {
    throw new ReplyBodyError(
      `<${stanza.name}> in namespace "${stanza.ns}" is not a stanza`,
    );
  }
  return stanza;
}

/** A JSON or form error reply without `kind` takes the incoming stanza's kind. */
function withErrorKind(
  decoded: DecodedBody,
  incomingKind: StanzaKind,
): DecodedBody {
  if (decoded.format !== "json" && decoded.format !== "form") return decoded;
  const json: Readonly<Record<string, unknown>> = decoded.format === "json"
    ? decoded.json as Record<string, unknown>
    : decoded.fields;
  if (Object.keys(json).length === 0) {
    throw new ReplyBodyError("empty JSON object");
  }
  const isError = json.type === "error" ||
    (json.error !== null && typeof json.error === "object");
  if (json.kind !== undefined || !isError) return decoded;
  return decoded.format === "json"
    ? {
      format: "json",
      json: { ...decoded.json as object, kind: incomingKind },
    }
    : { format: "form", fields: { ...decoded.fields, kind: incomingKind } };
}

function orThrow<T>(result: WireResult<T>): T {
  if (result.ok) return result.value;
  throw new ReplyBodyError(result.reason, { cause: result.cause });
}
