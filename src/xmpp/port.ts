// The small interface through which the HTTP and webhook layers talk to XMPP (RFC 6120 section 8.2.3 iq semantics).

import type { XmlElement } from "../xml/element.ts";

/** Options for {@linkcode StanzaPort.sendIq}. */
export interface SendIqOptions {
  /** How long to wait for the reply, in milliseconds. */
  timeoutMs: number;
  /** Aborts the wait (the iq may still have been sent). */
  signal?: AbortSignal;
  /**
   * Sees every incoming stanza while the iq waits (before normal
   * delivery). Returning true captures it: it is not delivered anywhere
   * else. Used to collect XEP-0313 MAM result messages for one query.
   */
  capture?: (stanza: XmlElement) => boolean;
}

/**
 * What the REST and webhook layers need from an XMPP connection. The
 * component client implements it; tests use fakes.
 */
export interface StanzaPort {
  /** True while stanzas can be sent (the stream is online). */
  readonly online: boolean;
  /** The component's domain (the default `from`). */
  readonly domain: string;
  /**
   * Sends a message or presence (or an iq result/error). Stanzas without
   * `from` get the domain. Throws {@linkcode StreamDownError} when offline,
   * {@linkcode QueueFullError} when the write queue is full,
   * {@linkcode StanzaTooLargeError} when the stanza as written would be
   * larger than the stanza size limit. The element is not modified. A port
   * that hands the stanza to another process (an instance that holds the
   * stream) returns a promise that settles once the stanza is safely queued
   * there; callers await it.
   */
  send(stanza: XmlElement): void | Promise<void>;
  /**
   * Like {@linkcode StanzaPort.send}, but while the write queue is full it
   * waits up to `waitMs` for room before it rejects with
   * {@linkcode QueueFullError} (backpressure as latency, not as errors).
   * Optional: without it, callers send at once.
   */
  sendWhenRoom?(stanza: XmlElement, waitMs: number): Promise<void>;
  /**
   * Sends an iq get/set and resolves with the reply (`result` or `error`
   * alike). Rejects with {@linkcode IqTimeoutError},
   * {@linkcode IqConflictError}, {@linkcode StreamDownError},
   * {@linkcode QueueFullError} or {@linkcode StanzaTooLargeError}.
   */
  sendIq(iq: XmlElement, options: SendIqOptions): Promise<XmlElement>;
}

/** The stream is not online, or dropped while an iq was waiting. */
export class StreamDownError extends Error {
  /** Creates the error. */
  constructor(message = "XMPP stream is not connected") {
    super(message);
    this.name = "StreamDownError";
  }
}

/** No reply arrived in time. */
export class IqTimeoutError extends Error {
  /** The iq's id. */
  readonly id: string;
  /** The timeout that passed, in milliseconds. */
  readonly timeoutMs: number;
  /** Creates the error. */
  constructor(id: string, timeoutMs: number) {
    super(`IQ stanza timed out: no reply to id "${id}" within ${timeoutMs} ms`);
    this.name = "IqTimeoutError";
    this.id = id;
    this.timeoutMs = timeoutMs;
  }
}

/** Another iq with the same id (and recipient) is already waiting for its reply. */
export class IqConflictError extends Error {
  /** The iq's id. */
  readonly id: string;
  /** Creates the error. */
  constructor(id: string) {
    super(`IQ stanza id attribute already used: "${id}" is in flight`);
    this.name = "IqConflictError";
    this.id = id;
  }
}

/** The outgoing queue is full (backpressure). */
export class QueueFullError extends Error {
  /** Creates the error: `stanzas` waiting, `units` UTF-16 code units of their text. */
  constructor(stanzas: number, units = 0) {
    super(
      `Cannot send stanza: write queue is full (${stanzas} stanzas, ${units} characters waiting)`,
    );
    this.name = "QueueFullError";
  }
}

/**
 * The stanza, serialised as it would be written (entities escaped, `from`
 * added), is larger than the stanza size limit; nothing was sent. A server
 * closes the whole stream on a stanza above its own limit (RFC 6120 section
 * 13.12: `policy-violation` or `not-well-formed`), losing what was queued
 * behind it.
 */
export class StanzaTooLargeError extends RangeError {
  /** The serialised size, in UTF-8 bytes. */
  readonly bytes: number;
  /** The limit, in bytes. */
  readonly limit: number;
  /** Creates the error. */
  constructor(bytes: number, limit: number) {
    super(
      `Cannot send stanza: ${bytes} bytes as serialised, the limit is ${limit}`,
    );
    this.name = "StanzaTooLargeError";
    this.bytes = bytes;
    this.limit = limit;
  }
}

const utf8 = new TextEncoder();

/**
 * Throws {@linkcode StanzaTooLargeError} when `text` (a serialised stanza)
 * is larger than `limit` UTF-8 bytes. UTF-8 takes at most 3 bytes per
 * UTF-16 unit, so the bytes are counted only when that bound is close.
 *
 * @example
 * ```ts
 * assertStanzaFits("<message/>", 524288); // fine
 * ```
 */
export function assertStanzaFits(text: string, limit: number): void {
  if (text.length * 3 <= limit) return;
  const bytes = utf8.encode(text).byteLength;
  if (bytes > limit) throw new StanzaTooLargeError(bytes, limit);
}
