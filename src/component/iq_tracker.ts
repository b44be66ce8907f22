// RFC 6120 section 8.2.3 (iq semantics): pending iq requests matched to their replies by id and sender.

import type { XmlElement } from "../xml/element.ts";
import { tryParseJid } from "../xmpp/jid.ts";
import {
  IqConflictError,
  IqTimeoutError,
  type SendIqOptions,
  StreamDownError,
} from "../xmpp/port.ts";
import { realTimers, type Timers } from "./connection.ts";
import { type Deadline, Deadlines } from "./deadlines.ts";

/**
 * One waiting iq: its promise's settle functions, its place in the tracker
 * and in the deadline heap (it is its own {@linkcode Deadline}), as one
 * object (no closures per iq: thousands may wait at once).
 */
/**
 * A waiting iq's entry in the tracker's map, emptied when it settles. The
 * map is keyed by the id alone (a key joined from id and peer would be a
 * new string to flatten and hash on every lookup); the rare iqs that share
 * an id, sent to different peers, are chained. Through a slot, a table the
 * map left behind in the old generation (a map whose entries come and go
 * rebuilds its table, and an old one stays until the next full
 * collection) holds an empty slot, not a settled iq with its promise and
 * its reply: those would otherwise be kept alive through every young
 * collection and promoted, half the young collections' work per iq ping
 * (`bench/pipeline.ts` with `--v8-flags=--trace-gc-nvp`).
 */
interface Slot {
  pending?: Pending;
  /** The iq's recipient, normalised ("" for none). */
  readonly peer: string;
  /** The next iq with the same id (to another peer). */
  next?: Slot;
}

class Pending implements TrackedIq, Deadline {
  readonly id: string;
  readonly capture?: (stanza: XmlElement) => boolean;
  readonly promise: Promise<XmlElement>;
  #resolve: (reply: XmlElement) => void;
  #reject: (error: unknown) => void;
  #tracker: IqTracker;
  #signal?: AbortSignal;
  #timeoutMs: number;
  /** Set while it waits in the deadline heap (see {@linkcode Deadlines.insert}). */
  at = 0;
  /** Its place in the deadline heap; -1 once out of it. */
  index = -1;

  constructor(
    tracker: IqTracker,
    id: string,
    options: SendIqOptions,
  ) {
    this.#tracker = tracker;
    this.id = id;
    this.capture = options.capture;
    this.#timeoutMs = options.timeoutMs;
    const { promise, resolve, reject } = Promise.withResolvers<XmlElement>();
    this.promise = promise;
    this.#resolve = resolve;
    this.#reject = reject;
    if (options.signal) {
      this.#signal = options.signal;
      options.signal.addEventListener("abort", this, { once: true });
    }
  }

  /** The signal aborted (an EventListener object). */
  handleEvent(): void {
    this.reject(this.#signal!.reason);
  }

  resolve(reply: XmlElement): void {
    this.#finish();
    this.#resolve(reply);
  }

  reject(error: unknown): void {
    this.#finish();
    this.#reject(error);
  }

  /** Withdraws the iq (it could not be sent) and rejects the promise. */
  cancel(reason: unknown): void {
    this.reject(reason);
  }

  /** The deadline passed. */
  expire(): void {
    this.reject(new IqTimeoutError(this.id, this.#timeoutMs));
  }

  #finish(): void {
    this.#signal?.removeEventListener("abort", this);
    this.#tracker.forget(this);
  }
}

/** A registered iq: its reply promise and a way to withdraw it. */
export interface TrackedIq {
  /** Settles with the reply or an error. */
  readonly promise: Promise<XmlElement>;
  /** Withdraws the iq (e.g. it could not be sent) and rejects the promise. */
  cancel(reason: unknown): void;
}

/**
 * The iqs waiting for a reply. A reply matches when its `id` and its
 * `from` (normalised) equal the request's `id` and `to`: the server answers
 * for a user's bare JID from that bare JID, and for itself from its domain.
 * A request without `to` goes to the component's own account, so its reply
 * may come from the component domain or carry no `from` at all (Prosody's
 * "Components MUST specify a 'to' address" error has none). Timeouts share
 * one timer ({@linkcode Deadlines}).
 */
export class IqTracker {
  #domain: string;
  #deadlines: Deadlines;
  #pending = new Map<string, Slot>();
  #count = 0;
  /** The pending iqs with a `capture` function (MAM queries), in order. */
  #capturing = new Set<Pending>();

  /** `domain` is the component's own domain. */
  constructor(domain: string, timers: Timers = realTimers) {
    this.#domain = normalise(domain);
    this.#deadlines = new Deadlines(timers);
  }

  /** How many iqs are waiting. */
  get size(): number {
    return this.#count;
  }

  /**
   * Registers an iq that is about to be sent (it must carry an `id`).
   * Throws {@linkcode IqConflictError} when the same id to the same
   * recipient is already waiting, or the signal's reason if aborted.
   */
  track(iq: XmlElement, options: SendIqOptions): TrackedIq {
    const id = iq.attr("id") ?? "";
    const to = iq.attr("to");
    const peer = to === undefined ? "" : normalise(to);
    const first = this.#pending.get(id);
    if (this.#find(first, peer) !== undefined) throw new IqConflictError(id);
    const { signal, capture, timeoutMs } = options;
    signal?.throwIfAborted();
    const pending = new Pending(this, id, options);
    this.#deadlines.insert(pending, timeoutMs);
    this.#pending.set(id, { pending, peer, next: first });
    this.#count++;
    if (capture) this.#capturing.add(pending);
    return pending;
  }

  /** Withdraws a settled iq (its deadline, its entry). */
  forget(pending: Pending): void {
    this.#deadlines.remove(pending);
    const first = this.#pending.get(pending.id);
    let before: Slot | undefined;
    for (let slot = first; slot !== undefined; slot = slot.next) {
      if (slot.pending === pending) {
        slot.pending = undefined;
        this.#count--;
        if (before !== undefined) before.next = slot.next;
        else if (slot.next !== undefined) {
          this.#pending.set(pending.id, slot.next);
        } else this.#pending.delete(pending.id);
        break;
      }
      before = slot;
    }
    if (pending.capture) this.#capturing.delete(pending);
  }

  /** The waiting iq to `peer` in the chain from `slot`. */
  #find(slot: Slot | undefined, peer: string): Pending | undefined {
    for (; slot !== undefined; slot = slot.next) {
      if (slot.peer === peer) return slot.pending;
    }
    return undefined;
  }

  /** Settles the matching pending iq with this reply; true when one matched. */
  resolve(stanza: XmlElement): boolean {
    if (stanza.name !== "iq") return false;
    const type = stanza.attr("type");
    if (type !== "result" && type !== "error") return false;
    const first = this.#pending.get(stanza.attr("id") ?? "");
    if (first === undefined) return false;
    const from = stanza.attr("from");
    const sender = from === undefined ? "" : normalise(from);
    // From the domain or from nobody: also an iq sent without `to`.
    const own = sender === "" || sender === this.#domain;
    const pending = this.#find(first, sender) ??
      (own
        ? this.#find(first, "") ?? this.#find(first, this.#domain)
        : undefined);
    if (pending === undefined) return false;
    pending.resolve(stanza);
    return true;
  }

  /**
   * Offers a stanza to the waiting iqs' `capture` functions; true when one
   * took it. A capture function that throws fails its own iq.
   */
  capture(stanza: XmlElement): boolean {
    if (this.#capturing.size === 0) return false;
    for (const pending of [...this.#capturing]) {
      try {
        if (pending.capture!(stanza)) return true;
      } catch (error) {
        pending.reject(error);
      }
    }
    return false;
  }

  /** Rejects every waiting iq with {@linkcode StreamDownError} (the stream dropped). */
  rejectAll(cause?: Error): void {
    const waiting: Pending[] = [];
    for (const first of this.#pending.values()) {
      for (let slot: Slot | undefined = first; slot; slot = slot.next) {
        if (slot.pending !== undefined) waiting.push(slot.pending);
      }
    }
    for (const pending of waiting) {
      const detail = cause ? `: ${cause.message}` : "";
      const error = new StreamDownError(
        `XMPP stream went down while waiting for the reply to iq "${pending.id}"${detail}`,
      );
      if (cause) error.cause = cause;
      pending.reject(error);
    }
  }
}

function normalise(jid: string): string {
  return tryParseJid(jid)?.toString() ?? jid;
}
