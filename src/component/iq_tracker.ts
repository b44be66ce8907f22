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
 * A waiting iq's entry in the tracker's map, emptied when it settles. A
 * map whose entries come and go grows and rebuilds its table, and a table
 * it left behind can sit in the old generation holding everything it
 * pointed to, until the next full collection: through a slot, that is an
 * empty slot, not the iq with its promise and its reply (which V8 would
 * otherwise keep alive through every young collection and promote: half
 * the young collections' work per iq ping, measured with
 * `bench/pipeline.ts` and `--v8-flags=--trace-gc-nvp`).
 */
interface Slot {
  pending?: Pending;
}

class Pending implements TrackedIq, Deadline {
  readonly id: string;
  readonly key: string;
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
    key: string,
    options: SendIqOptions,
  ) {
    this.#tracker = tracker;
    this.id = id;
    this.key = key;
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
  /** The pending iqs with a `capture` function (MAM queries), in order. */
  #capturing = new Set<Pending>();

  /** `domain` is the component's own domain. */
  constructor(domain: string, timers: Timers = realTimers) {
    this.#domain = normalise(domain);
    this.#deadlines = new Deadlines(timers);
  }

  /** How many iqs are waiting. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Registers an iq that is about to be sent (it must carry an `id`).
   * Throws {@linkcode IqConflictError} when the same id to the same
   * recipient is already waiting, or the signal's reason if aborted.
   */
  track(iq: XmlElement, options: SendIqOptions): TrackedIq {
    const id = iq.attr("id") ?? "";
    const to = iq.attr("to");
    const key = keyOf(id, to === undefined ? "" : normalise(to));
    if (this.#pending.has(key)) throw new IqConflictError(id);
    const { signal, capture, timeoutMs } = options;
    signal?.throwIfAborted();
    const pending = new Pending(this, id, key, options);
    this.#deadlines.insert(pending, timeoutMs);
    this.#pending.set(key, { pending });
    if (capture) this.#capturing.add(pending);
    return pending;
  }

  /** Withdraws a settled iq (its deadline, its entry). */
  forget(pending: Pending): void {
    this.#deadlines.remove(pending);
    const slot = this.#pending.get(pending.key);
    if (slot?.pending === pending) {
      slot.pending = undefined;
      this.#pending.delete(pending.key);
    }
    if (pending.capture) this.#capturing.delete(pending);
  }

  /** Settles the matching pending iq with this reply; true when one matched. */
  resolve(stanza: XmlElement): boolean {
    if (stanza.name !== "iq") return false;
    const type = stanza.attr("type");
    if (type !== "result" && type !== "error") return false;
    const id = stanza.attr("id") ?? "";
    const from = stanza.attr("from");
    const sender = from === undefined ? "" : normalise(from);
    // From the domain or from nobody: also an iq sent without `to`.
    const own = sender === "" || sender === this.#domain;
    const pending = this.#pending.get(keyOf(id, sender))?.pending ??
      (own
        ? this.#pending.get(keyOf(id, ""))?.pending ??
          this.#pending.get(keyOf(id, this.#domain))?.pending
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
    for (const { pending } of [...this.#pending.values()]) {
      if (pending === undefined) continue;
      const detail = cause ? `: ${cause.message}` : "";
      const error = new StreamDownError(
        `XMPP stream went down while waiting for the reply to iq "${pending.id}"${detail}`,
      );
      if (cause) error.cause = cause;
      pending.reject(error);
    }
  }
}

function keyOf(id: string, peer: string): string {
  return `${id}\u0000${peer}`;
}

function normalise(jid: string): string {
  return tryParseJid(jid)?.toString() ?? jid;
}
