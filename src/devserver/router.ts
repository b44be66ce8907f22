// Routing rules of the embedded development XMPP server (RFC 6120 section 10 delivery, XEP-0199/0092/0030 answers).

import { el, type XmlElement } from "../xml/element.ts";
import { tryParseJid } from "../xmpp/jid.ts";
import { NS } from "../xmpp/namespaces.ts";
import { errorReply, iqResult, isReplyForbidden } from "../xmpp/stanza.ts";

/** What the dev server knows when it routes a stanza. */
export interface DevRouterOptions {
  /** The server's own domain (default `localhost`). */
  domain: string;
  /** Domains of the components connected right now. */
  components: ReadonlySet<string>;
  /** Software version reported for XEP-0092. */
  version: string;
}

/** One stanza to write to one connected component. */
export interface Delivery {
  /** Domain of the component connection to write to. */
  component: string;
  /** The stanza. */
  stanza: XmlElement;
}

/** The local user that echoes messages back. */
export const ECHO_LOCALPART = "echo";

/**
 * Decides what happens to a stanza a component sent: delivered to a
 * component (its own domain included, as Prosody does), answered by the
 * server (`localhost`: ping, version, disco; `echo@localhost` echoes
 * messages), or bounced with `service-unavailable`.
 */
export function route(
  stanza: XmlElement,
  options: DevRouterOptions,
): Delivery[] {
  const from = stanza.attr("from") ?? "";
  const fromJid = tryParseJid(from);
  const toJid = tryParseJid(stanza.attr("to") ?? options.domain);
  const sender = fromJid?.domain ?? "";
  const bounce = (condition: "service-unavailable" | "jid-malformed") =>
    isReplyForbidden(stanza) || stanza.name === "presence" || !fromJid
      ? []
      : [{ component: sender, stanza: errorReply(stanza, { condition }) }];
  if (!toJid) return bounce("jid-malformed");
  if (options.components.has(toJid.domain)) {
    return [{ component: toJid.domain, stanza }];
  }
  if (toJid.domain !== options.domain) return bounce("service-unavailable");
  if (toJid.local === "") {
    const answer = answerServerIq(stanza, options);
    if (answer) return [{ component: sender, stanza: answer }];
    return bounce("service-unavailable");
  }
  if (toJid.local === ECHO_LOCALPART) {
    const echoed = echo(stanza, toJid.bare().toString());
    if (echoed) return [{ component: sender, stanza: echoed }];
  }
  return bounce("service-unavailable");
}

function answerServerIq(
  stanza: XmlElement,
  options: DevRouterOptions,
): XmlElement | undefined {
  const type = stanza.attr("type");
  if (stanza.name !== "iq" || (type !== "get" && type !== "set")) return;
  const payload = stanza.elements()[0];
  if (!payload || type !== "get") return;
  const reply = (child?: XmlElement) =>
    iqResult(stanza, ...(child ? [child] : []))
      .withAttrs({ from: options.domain });
  if (payload.is("ping", NS.ping)) return reply();
  if (payload.is("query", NS.version)) {
    return reply(el(
      "query",
      NS.version,
      {},
      el("name", NS.version, {}, "xmpp-rest dev server"),
      el("version", NS.version, {}, options.version),
    ));
  }
  if (payload.is("query", NS.discoInfo) && !payload.attr("node")) {
    return reply(el(
      "query",
      NS.discoInfo,
      {},
      el("identity", NS.discoInfo, {
        category: "server",
        type: "im",
        name: "xmpp-rest dev server",
      }),
      ...[NS.discoInfo, NS.discoItems, NS.ping, NS.version].map((v) =>
        el("feature", NS.discoInfo, { var: v })
      ),
    ));
  }
  if (payload.is("query", NS.discoItems) && !payload.attr("node")) {
    return reply(el(
      "query",
      NS.discoItems,
      {},
      ...[...options.components].sort().map((jid) =>
        el("item", NS.discoItems, { jid })
      ),
    ));
  }
  return undefined;
}

function echo(stanza: XmlElement, echoJid: string): XmlElement | undefined {
  const type = stanza.attr("type");
  if (isReplyForbidden(stanza)) return undefined;
  if (stanza.name === "message") {
    return stanza.withAttrs({
      from: echoJid,
      to: stanza.attr("from"),
      id: stanza.attr("id") ? `echo-${stanza.attr("id")}` : undefined,
    });
  }
  if (stanza.name === "iq" && type === "get") {
    const payload = stanza.elements()[0];
    if (payload?.is("ping", NS.ping)) {
      return iqResult(stanza).withAttrs({ from: stanza.attr("to") });
    }
  }
  return undefined;
}
