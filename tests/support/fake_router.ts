// RFC 6120 section 10 (server processing of stanzas), faked for tests: routing between components, local parties and the server.

import { el, type XmlElement } from "../../src/xml/element.ts";
import type { StreamErrorCondition } from "../../src/xmpp/conditions.ts";
import { tryParseJid } from "../../src/xmpp/jid.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import {
  errorReply,
  iqResult,
  isReplyForbidden,
  type StanzaErrorDetails,
} from "../../src/xmpp/stanza.ts";
import { type Party, StanzaInbox } from "./inbox.ts";

/** What the router needs from a component connection. */
export interface RoutedComponent {
  /** The component's domain. */
  readonly domain: string | undefined;
  /** Writes a stanza to the component. */
  send(stanza: XmlElement): void;
}

/** Name and version the fake server reports (XEP-0092). */
export const FAKE_SERVER_NAME = "FakeXMPP";

/** A local entity of the fake server (stands in for a c2s user). */
export class FakeParty implements Party {
  /** The party's full JID. */
  readonly jid: string;
  readonly #inbox = new StanzaInbox();
  readonly #router: FakeRouter;
  #nextId = 0;

  /** Use {@linkcode FakeXmppServer.party}. */
  constructor(jid: string, router: FakeRouter) {
    this.jid = jid;
    this.#router = router;
  }

  /** Received stanzas not taken yet. */
  get pending(): readonly XmlElement[] {
    return this.#inbox.pending;
  }

  /** Called by the router with a stanza for this party. */
  deliver(stanza: XmlElement): void {
    this.#inbox.push(stanza);
  }

  send(stanza: XmlElement): void {
    this.#router.route(stanza.withAttrs({ from: this.jid }));
  }

  next(
    predicate?: (stanza: XmlElement) => boolean,
    timeoutMs?: number,
  ): Promise<XmlElement> {
    return this.#inbox.next(predicate, timeoutMs);
  }

  sendIq(iq: XmlElement, timeoutMs?: number): Promise<XmlElement> {
    const id = iq.attr("id") ?? `party-${++this.#nextId}`;
    this.send(iq.withAttrs({ id }));
    return this.next(
      (s) =>
        s.name === "iq" && s.attr("id") === id &&
        (s.attr("type") === "result" || s.attr("type") === "error"),
      timeoutMs,
    );
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.#router.remove(this);
    this.#inbox.close(new Error(`Party ${this.jid} is gone`));
    return Promise.resolve();
  }
}

/**
 * Routes stanzas like a small server: to parties of the server's domain,
 * to the server itself (ping, version, disco#info) or to components; bounces
 * what has nowhere to go, as Prosody does.
 */
export class FakeRouter {
  readonly #serverDomain: string;
  readonly #findComponent: (domain: string) => RoutedComponent | undefined;
  readonly #parties: FakeParty[] = [];

  /** `findComponent` looks up an online component by domain. */
  constructor(
    serverDomain: string,
    findComponent: (domain: string) => RoutedComponent | undefined,
  ) {
    this.#serverDomain = serverDomain;
    this.#findComponent = findComponent;
  }

  /** Registers a local party. */
  party(jid: string): FakeParty {
    const party = new FakeParty(jid, this);
    this.#parties.push(party);
    return party;
  }

  /** Unregisters a party. */
  remove(party: FakeParty): void {
    const index = this.#parties.indexOf(party);
    if (index !== -1) this.#parties.splice(index, 1);
  }

  /**
   * Accepts a stanza from a component: fills in a missing `from`, refuses
   * a `from` outside the component's domain (the stream error to send).
   */
  fromComponent(
    stanza: XmlElement,
    component: RoutedComponent,
  ): { condition: StreamErrorCondition; text: string } | undefined {
    const from = stanza.attr("from");
    if (from === undefined) {
      this.route(stanza.withAttrs({ from: component.domain }));
      return undefined;
    }
    if (tryParseJid(from)?.domain !== component.domain) {
      return {
        condition: "invalid-from",
        text: `Component tried to send from address <${from}>`,
      };
    }
    this.route(stanza);
    return undefined;
  }

  /** Routes a stanza that already carries its `from`. */
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
    if (jid.domain !== this.#serverDomain) {
      const component = this.#findComponent(jid.domain);
      if (component) return component.send(stanza);
      return this.#bounce(stanza, {
        condition: "not-allowed",
        text: "Communication with remote domains is not enabled",
      });
    }
    if (jid.isDomain) return this.#serverAnswers(stanza);
    // Like Prosody's mod_ping: the server answers a ping to a user's bare
    // JID on the user's behalf, from that bare JID.
    if (
      jid.isBare && stanza.name === "iq" && stanza.attr("type") === "get" &&
      stanza.elements()[0]?.is("ping", NS.ping)
    ) {
      return this.route(iqResult(stanza).withAttrs({ from: jid.toString() }));
    }
    const full = jid.toString();
    const bare = jid.bare().toString();
    const party = this.#parties.find((p) => p.jid === full) ??
      (jid.isBare
        ? this.#parties.find((p) =>
          tryParseJid(p.jid)?.bare().toString() === bare
        )
        : undefined);
    if (party) return party.deliver(stanza);
    this.#bounce(stanza, { condition: "service-unavailable" });
  }

  #serverAnswers(stanza: XmlElement): void {
    const type = stanza.attr("type");
    if (stanza.name !== "iq" || (type !== "get" && type !== "set")) return;
    const payload = stanza.elements()[0];
    if (type === "get" && payload?.is("ping", NS.ping)) {
      return this.route(iqResult(stanza));
    }
    if (type === "get" && payload?.is("query", NS.version)) {
      return this.route(iqResult(
        stanza,
        el(
          "query",
          NS.version,
          {},
          el("name", NS.version, {}, FAKE_SERVER_NAME),
          el("version", NS.version, {}, "1.0"),
        ),
      ));
    }
    if (
      type === "get" && payload?.is("query", NS.discoInfo) &&
      payload.attr("node") === undefined
    ) {
      const feature = (v: string) => el("feature", NS.discoInfo, { var: v });
      return this.route(iqResult(
        stanza,
        el(
          "query",
          NS.discoInfo,
          {},
          el("identity", NS.discoInfo, {
            category: "server",
            type: "im",
            name: FAKE_SERVER_NAME,
          }),
          feature(NS.discoInfo),
          feature(NS.ping),
          feature(NS.version),
        ),
      ));
    }
    this.#bounce(stanza, { condition: "service-unavailable" });
  }

  #bounce(stanza: XmlElement, details: StanzaErrorDetails): void {
    if (isReplyForbidden(stanza) || stanza.name === "presence") return;
    const reply = errorReply(stanza, details);
    if (reply.attr("to") === undefined) return;
    this.route(reply);
  }
}
