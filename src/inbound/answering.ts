// Receiving without a webhook (README "Answering inbound iqs"): iq get/set get a built-in answer or wait for a consumer's POST; the rest is in the event log.

import type { XmlElement } from "../xml/element.ts";
import type { InboundConsumer } from "./inbound.ts";
import { etiquetteReply, type EtiquetteSettings } from "./etiquette.ts";
import type { OpenIqs } from "./open_iqs.ts";
import { needsAnswer } from "./rules.ts";

/** Options of {@linkcode answeringConsumer}. */
export interface AnsweringOptions {
  /** Where iqs wait for a consumer's answer (or their timeout); absent: nobody can answer, `service-unavailable` at once. */
  readonly openIqs?: OpenIqs;
  /** The built-in answers for the component's own domain. */
  readonly etiquette: EtiquetteSettings;
  /** Sends a built-in answer. */
  readonly send: (stanza: XmlElement) => void;
}

/**
 * The consumer when pull/SSE clients, not a webhook, take the events: the
 * stanza is already in the event log; an iq get/set to the component's
 * own domain gets its built-in answer when there is one, any other waits
 * in `openIqs` for a POSTed answer (or `service-unavailable` after the
 * timeout).
 *
 * @example
 * ```ts
 * const inbound = createInbound({ send, store, consumer: answeringConsumer({ openIqs, etiquette, send }) });
 * ```
 */
export function answeringConsumer(options: AnsweringOptions): InboundConsumer {
  return (stanza) => {
    if (!needsAnswer(stanza)) return true;
    const builtIn = etiquetteReply(stanza, options.etiquette);
    if (builtIn !== undefined) {
      options.send(builtIn);
      return true;
    }
    if (options.openIqs === undefined) return false;
    options.openIqs.open(stanza);
    return true;
  };
}
