// RFC 6120 section 8.2.3: an iq get/set to the component gets exactly one answer; here, the ones a pull/SSE consumer answers over POST /rest.

import type { XmlElement } from "../xml/element.ts";
import { tryParseJid } from "../xmpp/jid.ts";
import { errorReply } from "../xmpp/stanza.ts";
import { realTimers, type Timers } from "../component/connection.ts";

/** Defaults of {@linkcode OpenIqs}. */
export const OPEN_IQ_DEFAULTS = {
  /** Seconds an inbound iq waits for a consumer's answer (`--inbound-iq-timeout`). */
  timeoutSeconds: 30,
  /** Answered iqs remembered, so that a late second answer is refused. */
  recentLimit: 4096,
  /** Iqs waiting at once; more are answered `wait/resource-constraint`. */
  maxOpen: 10_000,
} as const;

/** Options of {@linkcode OpenIqs}. */
export interface OpenIqsOptions {
  /** How long an iq waits for its answer, in ms. */
  readonly timeoutMs: number;
  /** Sends the `service-unavailable` answer of an iq nobody answered. */
  readonly send: (stanza: XmlElement) => void;
  /** Timer functions. Default: the global ones. */
  readonly timers?: Timers;
  /** Answered iqs remembered. Default 4096. */
  readonly recentLimit?: number;
  /** Iqs waiting at once. Default 10,000. */
  readonly maxOpen?: number;
}

/** How a POSTed iq result or error relates to the open inbound iqs. */
export type AnswerMatch =
  /** It answers an open iq: send `reply` (its `from` is the address the iq was sent to). */
  | { readonly outcome: "matched"; readonly reply: XmlElement }
  /** That iq was already answered (by a consumer, or on timeout). */
  | { readonly outcome: "answered" }
  /** No inbound iq with this id from this address is known. */
  | { readonly outcome: "unknown" };

interface Open {
  readonly iq: XmlElement;
  readonly timer: unknown;
}

function address(jid: string): string {
  return tryParseJid(jid)?.toString() ?? jid;
}

function keyOf(id: string, sender: string): string {
  return `${id}\u0000${address(sender)}`;
}

/**
 * The inbound iqs waiting for an answer from a consumer. Each is answered
 * exactly once: by the first matching POST (`answer()`), or with
 * `service-unavailable` when the timeout passes or the gateway stops.
 */
export class OpenIqs {
  #open = new Map<string, Open>();
  #recent = new Set<string>();
  #options: OpenIqsOptions;
  #timers: Timers;

  /** Creates an empty set. */
  constructor(options: OpenIqsOptions) {
    this.#options = options;
    this.#timers = options.timers ?? realTimers;
  }

  /** How many iqs are waiting. */
  get size(): number {
    return this.#open.size;
  }

  /**
   * Registers an iq get/set that consumers will see as an event. A second
   * iq with the same id from the same sender while the first waits is
   * answered `conflict` at once, and one beyond `maxOpen` waiting iqs
   * `wait/resource-constraint` (both return false).
   */
  open(iq: XmlElement): boolean {
    const key = keyOf(iq.attr("id") ?? "", iq.attr("from") ?? "");
    if (this.#open.has(key)) {
      this.#send(errorReply(iq, { condition: "conflict" }));
      return false;
    }
    if (
      this.#open.size >= (this.#options.maxOpen ?? OPEN_IQ_DEFAULTS.maxOpen)
    ) {
      this.#send(errorReply(iq, {
        type: "wait",
        condition: "resource-constraint",
        text: "Too many iqs are waiting for an answer",
      }));
      return false;
    }
    this.#recent.delete(key);
    const timer = this.#timers.setTimeout(
      () => this.#expire(key),
      this.#options.timeoutMs,
    );
    this.#open.set(key, { iq, timer });
    return true;
  }

  /**
   * Matches an iq `result` or `error` by its `id` and `to` (the original
   * sender) and closes the open iq. The caller sends the returned reply.
   */
  answer(reply: XmlElement): AnswerMatch {
    const key = keyOf(reply.attr("id") ?? "", reply.attr("to") ?? "");
    const open = this.#open.get(key);
    if (open === undefined) {
      return this.#recent.has(key)
        ? { outcome: "answered" }
        : { outcome: "unknown" };
    }
    this.#close(key, open);
    return {
      outcome: "matched",
      reply: reply.withAttrs({
        from: open.iq.attr("to"),
        to: open.iq.attr("from"),
      }),
    };
  }

  /** Answers every open iq `service-unavailable` (the gateway is stopping). */
  closeAll(): void {
    for (const key of [...this.#open.keys()]) this.#expire(key);
  }

  #expire(key: string): void {
    const open = this.#open.get(key);
    if (open === undefined) return;
    this.#close(key, open);
    this.#send(errorReply(open.iq, { condition: "service-unavailable" }));
  }

  #close(key: string, open: Open): void {
    this.#timers.clearTimeout(open.timer);
    this.#open.delete(key);
    this.#recent.add(key);
    const limit = this.#options.recentLimit ?? OPEN_IQ_DEFAULTS.recentLimit;
    while (this.#recent.size > limit) {
      this.#recent.delete(this.#recent.values().next().value!);
    }
  }

  #send(stanza: XmlElement): void {
    try {
      this.#options.send(stanza);
    } catch {
      // The stream is down: the server answers the sender itself.
    }
  }
}
