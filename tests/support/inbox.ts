// Test helper: a queue of received stanzas that tests await with a predicate (RFC 6120 stanzas as XmlElement).

import type { XmlElement } from "../../src/xml/element.ts";

/** Default bound for waiting on a stanza in tests (a failure bound, never asserted). */
export const DEFAULT_WAIT_MS = 10_000;

interface Waiter {
  predicate: (stanza: XmlElement) => boolean;
  resolve: (stanza: XmlElement) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Stanzas that arrived and have not been taken yet, plus the tests waiting for one. */
export class StanzaInbox {
  #items: XmlElement[] = [];
  #waiters = new Set<Waiter>();
  #closed: Error | undefined;

  /** Everything received so far and not yet taken. */
  get pending(): readonly XmlElement[] {
    return this.#items;
  }

  /** Adds an arrived stanza (handing it to the first waiter that wants it). */
  push(stanza: XmlElement): void {
    for (const waiter of this.#waiters) {
      if (!waiter.predicate(stanza)) continue;
      this.#waiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(stanza);
      return;
    }
    this.#items.push(stanza);
  }

  /**
   * Takes the first stanza (already received or yet to come) that matches,
   * failing after `timeoutMs` or when the inbox is closed.
   */
  next(
    predicate: (stanza: XmlElement) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<XmlElement> {
    const index = this.#items.findIndex(predicate);
    if (index !== -1) {
      return Promise.resolve(this.#items.splice(index, 1)[0]);
    }
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(
            new Error(
              `Timed out after ${timeoutMs} ms waiting for a stanza; pending: ${this.#items.length}`,
            ),
          );
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /** Fails every waiter (and later calls) with `error`. */
  close(error: Error): void {
    this.#closed ??= error;
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.#waiters.clear();
  }
}

/** A client-side party in a test: a c2s user or a fake server's local entity. */
export interface Party extends AsyncDisposable {
  /** The party's full JID. */
  readonly jid: string;
  /** Sends a stanza (the `from` is the party's JID). */
  send(stanza: XmlElement): void;
  /** Takes the next received stanza that matches. */
  next(
    predicate?: (stanza: XmlElement) => boolean,
    timeoutMs?: number,
  ): Promise<XmlElement>;
  /** Sends an iq get/set (an id is added if missing) and awaits its reply. */
  sendIq(iq: XmlElement, timeoutMs?: number): Promise<XmlElement>;
}
