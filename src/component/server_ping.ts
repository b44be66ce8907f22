// XEP-0199 pings from the component to its server with a deadline (README "Health and readiness"): a frozen server, or a connection that silently died, makes the stream count as not answering.

import { el, type XmlElement } from "../xml/element.ts";
import { NS } from "../xmpp/namespaces.ts";
import { IqTimeoutError } from "../xmpp/port.ts";
import type { Logger } from "../logger.ts";
import type { Timers } from "./connection.ts";
import type { IqTracker } from "./iq_tracker.ts";

/**
 * The server's host for a component domain, where its pings go by default.
 *
 * @example
 * ```ts
 * serverHostOf("gw.example.net"); // "example.net"
 * ```
 */
export function serverHostOf(domain: string): string {
  const dot = domain.indexOf(".");
  return dot === -1 ? domain : domain.slice(dot + 1);
}

/** While unanswered, a ping goes out this often, so readiness comes back quickly. */
const RETRY_UNANSWERED_MS = 1000;

/** Options of {@linkcode ServerPing}. */
export interface ServerPingOptions {
  /** The server's domain (the ping's `to`). */
  readonly to: string;
  /** Ms between pings while answered; 0 turns pinging off. */
  readonly intervalMs: number;
  /** Ms a ping may wait for its answer. */
  readonly timeoutMs: number;
  /** Timer functions (fake ones in tests). */
  readonly timers: Timers;
  /** Tracks the ping like any other iq. */
  readonly tracker: IqTracker;
  /** A fresh iq id. */
  readonly newId: () => string;
  /** Where a server that stops or starts answering again is logged. */
  readonly logger: Logger;
  /** The current connection while the stream is online, else undefined. */
  readonly connection: () => object | undefined;
  /** Writes the ping on the current connection. */
  readonly write: (iq: XmlElement) => void;
}

/**
 * Pings the server every `intervalMs` while the stream is online. Any
 * answer, an error included, counts; a ping that times out makes
 * {@linkcode ServerPing.unanswered} true until one is answered again.
 */
export class ServerPing {
  readonly #options: ServerPingOptions;
  #timer: unknown;
  #unanswered = false;

  /** A pinger; nothing is sent before {@linkcode ServerPing.online}. */
  constructor(options: ServerPingOptions) {
    this.#options = options;
  }

  /** True while the last ping went unanswered. */
  get unanswered(): boolean {
    return this.#unanswered;
  }

  /** Told of every stream state change: pings run only while online. */
  stateChanged(online: boolean): void {
    this.#options.timers.clearTimeout(this.#timer);
    this.#unanswered = false;
    if (online && this.#options.intervalMs > 0) {
      this.#schedule(this.#options.intervalMs);
    }
  }

  #schedule(delayMs: number): void {
    this.#timer = this.#options.timers.setTimeout(() => this.#ping(), delayMs);
  }

  async #ping(): Promise<void> {
    const { to, timeoutMs, tracker, newId, logger } = this.#options;
    const connection = this.#options.connection();
    if (connection === undefined) return;
    const iq = el(
      "iq",
      NS.client,
      { type: "get", to, id: newId() },
      el(
        "ping",
        NS.ping,
      ),
    );
    const tracked = tracker.track(iq, { timeoutMs });
    this.#options.write(iq);
    let answered = true;
    try {
      await tracked.promise;
    } catch (error) {
      if (!(error instanceof IqTimeoutError)) return; // the stream went away
      answered = false;
    }
    if (connection !== this.#options.connection()) return;
    if (answered === this.#unanswered) {
      this.#unanswered = !answered;
      if (answered) logger.info("XMPP server answers again");
      else {
        logger.warn("XMPP server did not answer a ping in time", { timeoutMs });
      }
    }
    this.#schedule(answered ? this.#options.intervalMs : RETRY_UNANSWERED_MS);
  }
}
