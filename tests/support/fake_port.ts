// A scripted StanzaPort for HTTP and webhook tests: records what is sent, answers iqs from a handler.

import type { XmlElement } from "../../src/xml/element.ts";
import {
  IqConflictError,
  IqTimeoutError,
  type SendIqOptions,
  type StanzaPort,
  StreamDownError,
} from "../../src/xmpp/port.ts";

/** How the fake answers an iq: a reply element, an error to throw, or "timeout". */
export type IqAnswer = XmlElement | Error | "timeout";

/** A StanzaPort that records sent stanzas and answers iqs with `answerIq`. */
export class FakePort implements StanzaPort {
  online = true;
  readonly domain: string;
  /** Every stanza passed to send() or sendIq(), in order. */
  readonly sent: XmlElement[] = [];
  /** The timeouts sendIq() was called with. */
  readonly timeouts: number[] = [];
  /** Decides the answer to each iq; default: an empty result. */
  answerIq: (iq: XmlElement) => IqAnswer | Promise<IqAnswer>;
  #inFlight = new Set<string>();

  constructor(domain = "rest.example.net") {
    this.domain = domain;
    this.answerIq = () => "timeout";
  }

  send(stanza: XmlElement): void {
    if (!this.online) throw new StreamDownError();
    this.sent.push(stanza);
  }

  async sendIq(iq: XmlElement, options: SendIqOptions): Promise<XmlElement> {
    if (!this.online) throw new StreamDownError();
    const key = `${iq.attr("to") ?? ""}/${iq.attr("id") ?? ""}`;
    if (this.#inFlight.has(key)) throw new IqConflictError(iq.attr("id") ?? "");
    this.sent.push(iq);
    this.timeouts.push(options.timeoutMs);
    this.#inFlight.add(key);
    try {
      const answer = await this.answerIq(iq);
      if (answer === "timeout") {
        throw new IqTimeoutError(iq.attr("id") ?? "", options.timeoutMs);
      }
      if (answer instanceof Error) throw answer;
      return answer;
    } finally {
      this.#inFlight.delete(key);
    }
  }
}
