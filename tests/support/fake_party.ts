// A local entity of the fake XMPP server (a stand-in for a c2s user), reached through the shared router.

import type { XmlElement } from "../../src/xml/element.ts";
import type { LocalEntity, Router } from "../../src/devserver/router.ts";
import { type Party, StanzaInbox } from "./inbox.ts";

/** A local entity of the fake server; tests await what it receives. */
export class FakeParty implements Party, LocalEntity {
  /** The party's full JID. */
  readonly jid: string;
  readonly #inbox = new StanzaInbox();
  readonly #router: Router;
  #nextId = 0;

  /** Use {@linkcode FakeXmppServer.party}. */
  constructor(jid: string, router: Router) {
    this.jid = jid;
    this.#router = router;
    router.add(this);
  }

  /** Received stanzas not taken yet. */
  get pending(): readonly XmlElement[] {
    return this.#inbox.pending;
  }

  /** Called by the router with a stanza for this party. */
  deliver(stanza: XmlElement): boolean {
    this.#inbox.push(stanza);
    return true;
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
