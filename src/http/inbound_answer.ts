// Answering inbound iqs over POST /rest (README "Answering inbound iqs"; RFC 6120 section 8.2.3: one answer per iq get/set).

import type { XmlElement } from "../xml/element.ts";
import { type StanzaPort, StreamDownError } from "../xmpp/port.ts";
import type { OpenIqs } from "../inbound/open_iqs.ts";
import { HttpError } from "./errors.ts";

/**
 * Sends a POSTed iq `result` or `error` as the answer of the open inbound
 * iq it matches (by `id` and `to`, the original sender): a promise that
 * resolves true once it is sent. False, at once and without a promise, for
 * anything else, which goes on as a normal request (an iq result for
 * nothing open is then a 422, as in mod_rest). Throws
 * {@linkcode HttpError} `answered` (409) for an iq answered already, and
 * {@linkcode StreamDownError} when the stream is down.
 *
 * @example
 * ```ts
 * const answering = answerInboundIq(stanza, port, openIqs);
 * if (answering !== false && await answering) return acceptedResponse();
 * ```
 */
export function answerInboundIq(
  stanza: XmlElement,
  xmpp: StanzaPort,
  inboundIqs: Pick<OpenIqs, "answer"> | undefined,
): false | Promise<true> {
  const type = stanza.attr("type");
  if (stanza.name !== "iq" || (type !== "result" && type !== "error")) {
    return false;
  }
  if (inboundIqs === undefined) return false;
  if (!xmpp.online) throw new StreamDownError();
  const match = inboundIqs.answer(stanza);
  if (match.outcome === "unknown") return false;
  if (match.outcome === "answered") throw new HttpError("answered");
  return Promise.resolve(xmpp.send(match.reply)).then(() => true);
}
