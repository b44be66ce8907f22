// XEP-0114 component client: its public options and interface.

import type { XmlElement } from "../xml/element.ts";
import type { XmlParserOptions } from "../xml/parser.ts";
import type { StanzaPort } from "../xmpp/port.ts";
import type { Logger } from "../logger.ts";
import type { BackoffOptions } from "./backoff.ts";
import type { HostPort } from "../address.ts";
import type { Dial, Timers } from "./connection.ts";
import type { StanzaHandler } from "../inbound/route.ts";
import type { ComponentState } from "./state.ts";

/** Called on every change of state name (e.g. `online` -> `waiting-to-reconnect`). */
export type StateListener = (
  state: ComponentState,
  previous: ComponentState,
) => void;

/**
 * Defaults of {@linkcode ComponentOptions}: the component port of Prosody
 * and ejabberd on loopback, and the timing of the stream.
 *
 * @example
 * ```ts
 * COMPONENT_DEFAULTS.server; // { hostname: "127.0.0.1", port: 5347 }
 * ```
 */
export const COMPONENT_DEFAULTS = {
  server: { hostname: "127.0.0.1", port: 5347 },
  keepaliveMs: 60_000,
  handshakeTimeoutMs: 10_000,
  closeTimeoutMs: 2_000,
  maxQueuedStanzas: 65_536,
  /** 16 Mi UTF-16 code units of stanza text (about 16 MiB of ASCII XML). */
  maxQueuedUnits: 16 * 1024 * 1024,
  /** Prosody's `component_stanza_size_limit` default (512 KiB). */
  maxStanzaBytes: 512 * 1024,
  pingIntervalMs: 15_000,
  pingTimeoutMs: 10_000,
} as const;

/** Options of {@linkcode createComponent}. */
export interface ComponentOptions {
  /** The component domain, e.g. `gw.example.net`. */
  domain: string;
  /** The shared secret configured on the server for that domain. */
  secret: string;
  /** `host:port` (port 5347 when left out) or an address. Default `127.0.0.1:5347`. */
  server?: string | HostPort;
  /** Reconnect after failures (a wrong secret included). Default true. */
  reconnect?: boolean;
  /** Reconnect delays. Default base 1 s, cap 60 s. */
  backoff?: BackoffOptions;
  /** Whitespace keepalive interval in ms; 0 turns it off. Default 60000. */
  keepaliveMs?: number;
  /** Limit for connect plus handshake, in ms. Default 10000. */
  handshakeTimeoutMs?: number;
  /**
   * How long `stop()` waits for the server's stream close, and a closing
   * socket for its last writes, in ms. Default 2000.
   */
  closeTimeoutMs?: number;
  /**
   * Most stanzas waiting for the socket before `send()` throws. Default
   * 65536. A deep queue costs no latency while the server keeps up on
   * average: it absorbs its pauses, and the server reads larger batches.
   */
  maxQueuedStanzas?: number;
  /**
   * Most stanza text waiting for the socket, in UTF-16 code units (about
   * bytes for ASCII XML), before `send()` throws: the memory bound when the
   * server stops reading. Default 16 MiB.
   */
  maxQueuedUnits?: number;
  /**
   * Largest stanza written, in UTF-8 bytes as serialised; a larger one is
   * refused with `StanzaTooLargeError` instead of letting the
   * server close the stream. Default 524288 (Prosody's component limit).
   */
  maxStanzaBytes?: number;
  /** Interval of XEP-0199 pings to the server, ms; 0 turns them off. Default 15000. */
  pingIntervalMs?: number;
  /** Deadline of a ping, ms; past it the stream is not online until an answer. Default 10000. */
  pingTimeoutMs?: number;
  /** Where pings go. Default: the domain without its first label (`gw.example.net` -> `example.net`). */
  pingTo?: string;
  /** Parser limits for incoming data. */
  parser?: Omit<XmlParserOptions, "namespaceAliases">;
  /** Receives stanzas addressed to the component. */
  onStanza?: StanzaHandler;
  /** Where log lines go. Default: nowhere. */
  logger?: Logger;
  /** Opens the socket. Default: TCP via `Deno.connect`. */
  dial?: Dial;
  /** Timer functions. Default: the global ones. */
  timers?: Timers;
  /** Randomness for backoff jitter. Default `Math.random`. */
  random?: () => number;
  /** Makes ids for iqs sent without one. Default: 16 random hex digits. */
  newId?: () => string;
}

/**
 * An XEP-0114 component connection: a {@linkcode StanzaPort} with a
 * lifecycle. It reconnects by itself until stopped.
 */
export interface ComponentClient extends StanzaPort, AsyncDisposable {
  /** The current state. */
  readonly state: ComponentState;
  /** {@linkcode StanzaPort.sendWhenRoom}: the component always has it. */
  sendWhenRoom(stanza: XmlElement, waitMs: number): Promise<void>;
  /** Starts connecting (no-op unless closed). */
  start(): void;
  /** Closes the stream gracefully; resolves once closed. */
  stop(): Promise<void>;
  /**
   * False while the last ping to the server went unanswered past its
   * deadline (`online` is then false too, though the state stays `online`).
   */
  readonly answering: boolean;
  /**
   * Resolves when online. Rejects when the client ends up `closed` (with
   * the error that closed it when reconnecting is off) or on abort.
   */
  waitOnline(options?: { signal?: AbortSignal }): Promise<void>;
  /** Subscribes to state changes; returns the unsubscribe function. */
  onStateChange(listener: StateListener): () => void;
  /** Replaces the stanza handler (`undefined`: answer iqs with an error, drop the rest). */
  setStanzaHandler(handler: StanzaHandler | undefined): void;
}
