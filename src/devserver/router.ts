// RFC 6120 section 10 (server rules for processing stanzas), small: routing between components, local entities and the server itself.

import { el, type XmlElement } from "../xml/element.ts";
import { tryParseJid } from "../xmpp/jid.ts";
import { NS } from "../xmpp/namespaces.ts";
import {
  errorReply,
  iqResult,
  isReplyForbidden,
  type StanzaErrorDetails,
} from "../xmpp/stanza.ts";

/**
 * An entity of the server's domain (a stand-in for a user's client). A
 * bare `jid` receives stanzas for any of its resources.
 */
export interface LocalEntity {
  /** Its JID, full or bare. */
  readonly jid: string;
  /** Takes a stanza; false bounces it with `service-unavailable`. */
  deliver(stanza: XmlElement): boolean;
}

/** Options of a {@linkcode Router}. */
export interface RouterOptions {
  /** The server's own domain, e.g. `localhost`. */
  readonly domain: string;
  /** Software name and version the server reports (XEP-0092, disco#info identity). */
  readonly software: { readonly name: string; readonly version: string };
  /** The send function of the component online for `domain`, if one is. */
  component(domain: string): ((stanza: XmlElement) => void) | undefined;
  /** Domains of the components online now (disco#items of the server). */
  components(): readonly string[];
}

/**
 * Routes stanzas like a small server (Prosody's behaviour, RFC 6120 section
 * 10): to components, to local entities, to the server itself (ping,
 * version, disco#info, disco#items); what has nowhere to go bounces with an
 * error, except errors, results and presence. Remote domains are not
 * served.
 *
 * @example
 * ```ts
 * const router = new Router({ domain: "localhost", software: { name: "dev", version: "1" },
 *   component: (d) => sockets.get(d)?.send, components: () => [...sockets.keys()] });
 * router.route(stanza);
 * ```
 */
export class Router {
  readonly #options: RouterOptions;
  readonly #locals: LocalEntity[] = [];

  /** Creates a router without local entities. */
  constructor(options: RouterOptions) {
    this.#options = options;
  }

  /** Adds a local entity. */
  add(entity: LocalEntity): void {
    this.#locals.push(entity);
  }

  /** Removes a local entity. */
  remove(entity: LocalEntity): void {
    const index = this.#locals.indexOf(entity);
    if (index !== -1) this.#locals.splice(index, 1);
  }

  /** Routes a stanza that carries its `from`. */
  route(stanza: XmlElement): void {
    const to = stanza.attr("to");
    if (to === undefined) {
      return this.#bounce(stanza, {
        condition: "bad-request",
        text: "Components MUST specify a 'to' address on stanzas",
      });
    }
    const jid = tryParseJid(to);
    if (!jid) return this.#bounce(stanza, { condition: "jid-malformed" });
    if (jid.domain !== this.#options.domain) {
      const send = this.#options.component(jid.domain);
      if (send) return send(stanza);
      return this.#bounce(stanza, {
        condition: "not-allowed",
        text: "Communication with remote domains is not enabled",
      });
    }
    if (jid.isDomain) return this.#serverAnswers(stanza);
    // Like Prosody's mod_ping: the server answers a ping to a user's bare
    // JID on the user's behalf, from that bare JID.
    if (
      jid.isBare && isIqGet(stanza) && payloadOf(stanza)?.is("ping", NS.ping)
    ) {
      return this.route(iqResult(stanza).withAttrs({ from: jid.toString() }));
    }
    const full = jid.toString();
    const bare = jid.bare().toString();
    const local = this.#locals.find((e) => e.jid === full) ??
      this.#locals.find((e) =>
        e.jid === bare ||
        (jid.isBare && tryParseJid(e.jid)?.bare().toString() === bare)
      );
    if (local?.deliver(stanza)) return;
    this.#bounce(stanza, { condition: "service-unavailable" });
  }

  #serverAnswers(stanza: XmlElement): void {
    const type = stanza.attr("type");
    if (stanza.name !== "iq" || (type !== "get" && type !== "set")) return;
    const answer = isIqGet(stanza)
      ? this.#answer(payloadOf(stanza))
      : undefined;
    if (answer === undefined) {
      return this.#bounce(stanza, { condition: "service-unavailable" });
    }
    this.route(iqResult(stanza, ...(answer === null ? [] : [answer])));
  }

  /** The payload of the server's answer to an iq get; null for an empty result, undefined for none. */
  #answer(payload: XmlElement | undefined): XmlElement | null | undefined {
    const { name, version } = this.#options.software;
    if (payload?.is("ping", NS.ping)) return null;
    if (payload?.is("query", NS.version)) {
      return el(
        "query",
        NS.version,
        {},
        el("name", NS.version, {}, name),
        el("version", NS.version, {}, version),
      );
    }
    if (payload?.attr("node") !== undefined) return undefined;
    if (payload?.is("query", NS.discoInfo)) {
      return el(
        "query",
        NS.discoInfo,
        {},
        el("identity", NS.discoInfo, { category: "server", type: "im", name }),
        ...[NS.discoInfo, NS.discoItems, NS.ping, NS.version].map((v) =>
          el("feature", NS.discoInfo, { var: v })
        ),
      );
    }
    if (payload?.is("query", NS.discoItems)) {
      return el(
        "query",
        NS.discoItems,
        {},
        ...[...this.#options.components()].sort().map((jid) =>
          el("item", NS.discoItems, { jid })
        ),
      );
    }
    return undefined;
  }

  #bounce(stanza: XmlElement, details: StanzaErrorDetails): void {
    if (isReplyForbidden(stanza) || stanza.name === "presence") return;
    const reply = errorReply(stanza, details);
    if (reply.attr("to") === undefined) return;
    this.route(reply);
  }
}

function isIqGet(stanza: XmlElement): boolean {
  return stanza.name === "iq" && stanza.attr("type") === "get";
}

function payloadOf(stanza: XmlElement): XmlElement | undefined {
  return stanza.elements()[0];
}

/** The local part of the dev server's echo entity (`echo@localhost`). */
export const ECHO_LOCALPART = "echo";

/**
 * A local entity that sends messages back to their sender (id prefixed
 * with `echo-`) and answers pings to any of its resources.
 *
 * @example
 * ```ts
 * router.add(echoEntity("echo@localhost", (s) => router.route(s)));
 * ```
 */
export function echoEntity(
  jid: string,
  route: (stanza: XmlElement) => void,
): LocalEntity {
  return {
    jid,
    deliver(stanza) {
      if (isReplyForbidden(stanza)) return true;
      if (stanza.name === "message") {
        const id = stanza.attr("id");
        route(stanza.withAttrs({
          from: jid,
          to: stanza.attr("from"),
          id: id ? `echo-${id}` : undefined,
        }));
        return true;
      }
      if (isIqGet(stanza) && payloadOf(stanza)?.is("ping", NS.ping)) {
        route(iqResult(stanza));
        return true;
      }
      return false;
    },
  };
}

/** The local part of the dev server's slow entity (`slow@localhost`). */
export const SLOW_LOCALPART = "slow";

/** How long the slow entity takes to answer, ms (README "iq: waiting for the reply"). */
export const SLOW_DELAY_MS = 3000;

/** A local entity that answers late; `close()` drops the answers not sent yet. */
export interface SlowEntity extends LocalEntity {
  /** Cancels pending answers. */
  close(): void;
}

/**
 * A local entity that answers every iq get/set after `delayMs` (pings with
 * a result, anything else with `service-unavailable`), so that a short
 * `Prosody-Rest-Timeout` can be tried against it.
 *
 * @example
 * ```ts
 * router.add(slowEntity("slow@localhost", (s) => router.route(s)));
 * ```
 */
export function slowEntity(
  jid: string,
  route: (stanza: XmlElement) => void,
  delayMs: number = SLOW_DELAY_MS,
): SlowEntity {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  return {
    jid,
    deliver(stanza) {
      const type = stanza.attr("type");
      if (stanza.name !== "iq" || (type !== "get" && type !== "set")) {
        return true; // messages and presences are taken and dropped
      }
      const answer = payloadOf(stanza)?.is("ping", NS.ping)
        ? iqResult(stanza)
        : errorReply(stanza, { condition: "service-unavailable" });
      const timer = setTimeout(() => {
        timers.delete(timer);
        route(answer);
      }, delayMs);
      timers.add(timer);
      return true;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
