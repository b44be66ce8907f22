// The StanzaPort of an instance among several (README "Running several instances"): its own stream when online, else the outbox of the instance that has one; iq replies matched here or handed over.

import type { XmlElement } from "../xml/element.ts";
import { serialize } from "../xml/serialize.ts";
import { NS } from "../xmpp/namespaces.ts";
import {
  type SendIqOptions,
  type StanzaPort,
  StreamDownError,
} from "../xmpp/port.ts";
import type { IqTracker, TrackedIq } from "../component/iq_tracker.ts";
import { StoreError } from "../store/types.ts";
import type { Coordination } from "./coordination.ts";

/** What a {@linkcode ClusterPort} sends through. */
export interface ClusterPortOptions {
  /** This instance's own stream (may be offline, or a standby's closed one). */
  readonly local: StanzaPort;
  /** The shared outbox. */
  readonly coordination: Coordination;
  /** True while another instance's stream is online (from the last heartbeat). */
  readonly othersOnline: () => boolean;
  /** The instance holding the stream lease (from the last heartbeat). */
  readonly holder: () => string | undefined;
  /** The iqs this instance waits for, whichever stream carried them. */
  readonly tracker: IqTracker;
  /** Makes ids for iqs sent without one. */
  readonly newId?: () => string;
}

/**
 * Sends on the local stream while it is online; otherwise, while another
 * instance's stream is online, queues the stanza in the shared outbox
 * (resolving once it is committed there); otherwise throws
 * {@linkcode StreamDownError}. Every iq is tracked here, so its reply is
 * matched whether it comes back on this stream or is handed over by
 * another instance.
 */
export class ClusterPort implements StanzaPort {
  #options: ClusterPortOptions;
  #newId: () => string;
  /** Iqs queued in the outbox, with the holder they were queued for. */
  #queued = new Map<TrackedIq, string | undefined>();
  /** Every iq waiting for its reply. */
  #waiting = new Set<TrackedIq>();

  /** Creates the port. */
  constructor(options: ClusterPortOptions) {
    this.#options = options;
    this.#newId = options.newId ??
      (() => crypto.getRandomValues(new Uint8Array(8)).toHex());
  }

  /** True while stanzas can go out here or through another instance. */
  get online(): boolean {
    return this.#options.local.online || this.#options.othersOnline();
  }

  /** The component's domain. */
  get domain(): string {
    return this.#options.local.domain;
  }

  /** Sends (or queues) a stanza; rejects with StreamDownError when no instance is online. */
  async send(stanza: XmlElement): Promise<void> {
    const { local, coordination } = this.#options;
    if (local.online) return local.send(stanza);
    if (!this.#options.othersOnline()) throw new StreamDownError();
    const out = stanza.attr("from") === undefined
      ? stanza.withAttrs({ from: local.domain })
      : stanza;
    try {
      await coordination.enqueue(serialize(out, { parentNs: NS.client }));
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      throw new StreamDownError(
        `Cannot pass the stanza to the instance holding the XMPP stream: ${error.message}`,
      );
    }
  }

  /**
   * Told the current lease holder after each heartbeat: iqs queued for a
   * holder that is gone fail with {@linkcode StreamDownError}, since their
   * reply would have come back on its stream.
   */
  holderIs(holder: string | undefined): void {
    for (const [tracked, queuedFor] of this.#queued) {
      if (queuedFor !== holder) {
        tracked.cancel(
          new StreamDownError(
            `The instance holding the XMPP stream (${queuedFor}) went away while the iq waited for its reply`,
          ),
        );
      }
    }
  }

  /**
   * Told that instances with their own streams went away (mode `all`):
   * the server may have routed the reply of any waiting iq to one of their
   * streams, where it is lost, so every waiting iq fails with
   * {@linkcode StreamDownError} (a 503 the client may retry) instead of
   * running into its timeout.
   */
  peersLost(ids: readonly string[]): void {
    for (const tracked of this.#waiting) {
      tracked.cancel(
        new StreamDownError(
          `Instance ${
            ids.join(", ")
          } went away while the iq waited; its reply may have gone to that stream`,
        ),
      );
    }
  }

  /** {@linkcode ClusterPort.send}, waiting up to `waitMs` for room while the local stream's queue is full. */
  sendWhenRoom(stanza: XmlElement, waitMs: number): Promise<void> {
    const { local } = this.#options;
    if (local.online && local.sendWhenRoom) {
      return local.sendWhenRoom(stanza, waitMs);
    }
    return this.send(stanza);
  }

  /** Sends an iq get/set and waits for its reply, wherever it arrives. */
  async sendIq(iq: XmlElement, options: SendIqOptions): Promise<XmlElement> {
    if (!this.online) throw new StreamDownError();
    const request = iq.attr("id") === undefined
      ? iq.withAttrs({ id: this.#newId() })
      : iq;
    const tracked = this.#options.tracker.track(request, options);
    // It may fail while the outbox write is still under way: handled below.
    tracked.promise.catch(() => {});
    const viaOutbox = !this.#options.local.online;
    if (viaOutbox) this.#queued.set(tracked, this.#options.holder());
    this.#waiting.add(tracked);
    try {
      await this.send(request);
    } catch (error) {
      tracked.cancel(error);
    }
    try {
      return await tracked.promise;
    } finally {
      this.#queued.delete(tracked);
      this.#waiting.delete(tracked);
    }
  }
}
