// Test support: an XMPP client that sends messages the way a careful client does with XEP-0184 receipts: each message asks for a receipt, and one that bounced or got no receipt in time is sent again with the same id.

import { el, type XmlElement } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";

/** Options of {@linkcode ReliableSender}. */
export interface ReliableSenderOptions {
  /** Writes a stanza on the client's stream. */
  readonly send: (stanza: XmlElement) => void;
  /** A message without receipt after this long is sent again, ms. Default 3000. */
  readonly resendAfterMs?: number;
  /** A bounced message is sent again after this long, ms. Default 500. */
  readonly bounceDelayMs?: number;
}

interface Pending {
  readonly stanza: XmlElement;
  readonly firstSentAt: number;
  lastSentAt: number;
  bounceTimer?: ReturnType<typeof setTimeout>;
}

/** What the sender saw. */
export interface SenderStats {
  /** Messages sent again after a bounce (`type="error"`). */
  readonly bounced: number;
  /** Messages sent again because no receipt came in time. */
  readonly resentUnreceipted: number;
  /** Receipts received more than once for one id. */
  readonly extraReceipts: number;
}

/**
 * Sends messages that ask for an XEP-0184 receipt and keeps each until its
 * receipt arrives: a bounce is sent again after `bounceDelayMs`, a message
 * still without receipt after `resendAfterMs` is sent again (same id, same
 * payload). Feed it every message the client receives with `handle()`.
 */
export class ReliableSender {
  readonly #options: Required<ReliableSenderOptions>;
  readonly #pending = new Map<string, Pending>();
  /** First send time of every message (`Date.now()`), by id. */
  readonly firstSentAt = new Map<string, number>();
  /** When each message's first receipt arrived (`Date.now()`), by id. */
  readonly receiptAt = new Map<string, number>();
  #bounced = 0;
  #resent = 0;
  #extraReceipts = 0;
  #timer: ReturnType<typeof setInterval>;

  /** Creates the sender; its resend timer runs until `close()`. */
  constructor(options: ReliableSenderOptions) {
    this.#options = { resendAfterMs: 3_000, bounceDelayMs: 500, ...options };
    this.#timer = setInterval(() => this.#resendLate(), 250);
  }

  /** Sends a chat message with `id` and `body` to `to`, asking for a receipt. */
  message(to: string, id: string, body: string): void {
    const stanza = el(
      "message",
      NS.client,
      { to, type: "chat", id },
      el("body", NS.client, {}, body),
      el("request", NS.receipts),
    );
    const now = Date.now();
    this.#pending.set(id, { stanza, firstSentAt: now, lastSentAt: now });
    this.firstSentAt.set(id, now);
    this.#options.send(stanza);
  }

  /** Takes a received message: a receipt or a bounce of ours; returns whether it was one. */
  handle(stanza: XmlElement): boolean {
    if (!stanza.is("message", NS.client)) return false;
    const received = stanza.getChild("received", NS.receipts)?.attr("id");
    if (received !== undefined) {
      const pending = this.#pending.get(received);
      if (pending) {
        clearTimeout(pending.bounceTimer);
        this.#pending.delete(received);
        this.receiptAt.set(received, Date.now());
      } else if (this.receiptAt.has(received)) this.#extraReceipts++;
      return true;
    }
    const id = stanza.attr("id");
    if (stanza.attr("type") !== "error" || id === undefined) return false;
    const pending = this.#pending.get(id);
    if (!pending) return false;
    this.#bounced++;
    clearTimeout(pending.bounceTimer);
    pending.bounceTimer = setTimeout(() => {
      if (!this.#pending.has(id)) return;
      pending.lastSentAt = Date.now();
      this.#options.send(pending.stanza);
    }, this.#options.bounceDelayMs);
    return true;
  }

  #resendLate(): void {
    const now = Date.now();
    for (const pending of this.#pending.values()) {
      if (now - pending.lastSentAt < this.#options.resendAfterMs) continue;
      pending.lastSentAt = now;
      this.#resent++;
      this.#options.send(pending.stanza);
    }
  }

  /** Ids still without receipt. */
  get unreceipted(): string[] {
    return [...this.#pending.keys()];
  }

  /** Counts so far. */
  get stats(): SenderStats {
    return {
      bounced: this.#bounced,
      resentUnreceipted: this.#resent,
      extraReceipts: this.#extraReceipts,
    };
  }

  /** Resolves when every message has its receipt, or after `timeoutMs` (then some are still unreceipted). */
  async settled(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#pending.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops resending. */
  close(): void {
    clearInterval(this.#timer);
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.bounceTimer);
    }
  }
}
