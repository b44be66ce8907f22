// XEP-0114 component client: runs the pure session over a socket, with timers, iq tracking and delivery.

import { admissionPause } from "./admission.ts";
import type { XmlElement } from "../xml/element.ts";
import { serialize } from "../xml/serialize.ts";
import { NS } from "../xmpp/namespaces.ts";
import {
  assertStanzaFits,
  QueueFullError,
  type SendIqOptions,
  StreamDownError,
} from "../xmpp/port.ts";
import { refusalFields } from "./errors.ts";
import { isStanza } from "../xmpp/stanza.ts";
import { type Logger, silentLogger } from "../logger.ts";
import { formatHostPort, type HostPort, parseHostPort } from "../address.ts";
import {
  Connection,
  type Dial,
  dialTcp,
  realTimers,
  type Timers,
} from "./connection.ts";
import { deliverStanza, type StanzaHandler } from "../inbound/route.ts";
import {
  COMPONENT_DEFAULTS,
  type ComponentClient,
  type ComponentOptions,
  type StateListener,
} from "./api.ts";
import { handshakeDigest } from "./handshake.ts";
import { IqTracker } from "./iq_tracker.ts";
import { serverHostOf, ServerPing } from "./server_ping.ts";
import { waitOnline } from "./wait_online.ts";
import {
  ComponentSession,
  type ComponentState,
  type SessionAction,
  type SessionEvent,
  type SessionTimer,
} from "./session.ts";

/**
 * Creates a component client (not yet connected: call `start()`).
 *
 * @example
 * ```ts
 * await using gw = createComponent({
 *   domain: "gw.localhost",
 *   secret: "s3cr3t",
 *   server: "127.0.0.1:5347",
 *   onStanza: (stanza) => { console.log(stanza.name); return false; },
 * });
 * gw.start();
 * await gw.waitOnline();
 * const pong = await gw.sendIq(
 *   el("iq", "jabber:client", { type: "get", to: "localhost" }, el("ping", "urn:xmpp:ping")),
 *   { timeoutMs: 5000 },
 * );
 * ```
 */
export function createComponent(options: ComponentOptions): ComponentClient {
  return new Component(options);
}

class Component implements ComponentClient {
  readonly domain: string;
  #secret: string;
  #address: HostPort;
  #session: ComponentSession;
  #logger: Logger;
  #dial: Dial;
  #timers: Timers;
  #newId: () => string;
  #maxQueued: number;
  #maxQueuedUnits: number;
  #maxStanzaBytes: number;
  #serverPing: ServerPing;
  /** True while a ping to the server went unanswered past its deadline. */
  /** The last stanza written on the current connection (for a stream error right after). */
  #lastWritten: XmlElement | undefined;
  #closeTimeoutMs: number;
  #tracker: IqTracker;
  #handler: StanzaHandler | undefined;
  #listeners = new Set<StateListener>();
  #connection: Connection | undefined;
  #generation = 0;
  #timerIds = new Map<SessionTimer, unknown>();
  #events: SessionEvent[] = [];
  #dispatching = false;

  constructor(options: ComponentOptions) {
    this.domain = options.domain;
    this.#secret = options.secret;
    this.#address = typeof options.server === "string"
      ? parseHostPort(options.server, {
        defaultPort: COMPONENT_DEFAULTS.server.port,
      })
      : options.server ?? COMPONENT_DEFAULTS.server;
    this.#logger = options.logger ?? silentLogger;
    this.#dial = options.dial ?? dialTcp;
    this.#timers = options.timers ?? realTimers;
    this.#newId = options.newId ??
      (() => crypto.getRandomValues(new Uint8Array(8)).toHex());
    this.#maxQueued = options.maxQueuedStanzas ??
      COMPONENT_DEFAULTS.maxQueuedStanzas;
    this.#maxQueuedUnits = options.maxQueuedUnits ??
      COMPONENT_DEFAULTS.maxQueuedUnits;
    this.#maxStanzaBytes = options.maxStanzaBytes ??
      COMPONENT_DEFAULTS.maxStanzaBytes;
    this.#closeTimeoutMs = options.closeTimeoutMs ??
      COMPONENT_DEFAULTS.closeTimeoutMs;
    this.#handler = options.onStanza;
    this.#tracker = new IqTracker(options.domain, this.#timers);
    this.#serverPing = new ServerPing({
      to: options.pingTo ?? serverHostOf(options.domain),
      intervalMs: options.pingIntervalMs ?? COMPONENT_DEFAULTS.pingIntervalMs,
      timeoutMs: options.pingTimeoutMs ?? COMPONENT_DEFAULTS.pingTimeoutMs,
      timers: this.#timers,
      tracker: this.#tracker,
      newId: this.#newId,
      logger: this.#logger,
      connection: () =>
        this.#session.state.name === "online" ? this.#connection : undefined,
      write: (iq) =>
        this.#connection?.write(
          serialize(iq.withAttrs({ from: this.domain }), {
            parentNs: NS.client,
          }),
        ),
    });
    this.#session = new ComponentSession({
      domain: options.domain,
      server: formatHostPort(this.#address),
      reconnect: options.reconnect ?? true,
      backoff: options.backoff ?? {},
      keepaliveMs: options.keepaliveMs ?? COMPONENT_DEFAULTS.keepaliveMs,
      handshakeTimeoutMs: options.handshakeTimeoutMs ??
        COMPONENT_DEFAULTS.handshakeTimeoutMs,
      closeTimeoutMs: this.#closeTimeoutMs,
      parser: options.parser,
      random: options.random ?? Math.random,
    });
  }

  get state(): ComponentState {
    return this.#session.state;
  }

  get online(): boolean {
    return this.#session.state.name === "online" &&
      !this.#serverPing.unanswered;
  }

  get answering(): boolean {
    return !this.#serverPing.unanswered;
  }

  start(): void {
    this.#dispatch({ type: "start" });
  }

  stop(): Promise<void> {
    if (this.state.name === "closed") return Promise.resolve();
    const closed = new Promise<void>((resolve) => {
      const off = this.onStateChange((state) => {
        if (state.name === "closed") {
          off();
          resolve();
        }
      });
    });
    this.#dispatch({ type: "stop" });
    return closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  waitOnline(options: { signal?: AbortSignal } = {}): Promise<void> {
    return waitOnline(this, options.signal);
  }

  onStateChange(listener: StateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  setStanzaHandler(handler: StanzaHandler | undefined): void {
    this.#handler = handler;
  }

  send(stanza: XmlElement): void {
    if (!isStanza(stanza)) {
      throw new TypeError(
        `Cannot send <${stanza.name} xmlns="${stanza.ns}">: not a message, presence or iq in ${NS.client}`,
      );
    }
    this.#write(stanza);
  }

  async sendWhenRoom(stanza: XmlElement, waitMs: number): Promise<void> {
    const deadline = performance.now() + waitMs;
    const bounds = { stanzas: this.#maxQueued, units: this.#maxQueuedUnits };
    const pause = this.#connection && admissionPause(this.#connection, bounds);
    if (pause) await pause;
    for (;;) {
      try {
        return this.send(stanza);
      } catch (error) {
        const left = deadline - performance.now();
        const connection = this.#connection;
        if (!(error instanceof QueueFullError) || left <= 0 || !connection) {
          throw error;
        }
        await connection.whenRoom(left);
      }
    }
  }

  sendIq(iq: XmlElement, options: SendIqOptions): Promise<XmlElement> {
    // Not an async function: no frame is kept while the iq waits; errors
    // still come as a rejected promise.
    try {
      const type = iq.attr("type");
      if (!iq.is("iq", NS.client) || (type !== "get" && type !== "set")) {
        throw new TypeError(
          `Cannot send iq: sendIq() takes an iq of type "get" or "set", got <${iq.name} type="${type}">`,
        );
      }
      this.#writable();
      const request = iq.attr("id") === undefined
        ? iq.withAttrs({ id: this.#newId() })
        : iq;
      const tracked = this.#tracker.track(request, options);
      try {
        this.#write(request);
      } catch (error) {
        tracked.cancel(error);
      }
      return tracked.promise;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #writable(): Connection {
    const connection = this.#connection;
    if (this.#session.state.name !== "online" || !connection) {
      throw new StreamDownError();
    }
    if (this.#serverPing.unanswered) {
      throw new StreamDownError("XMPP server is not answering");
    }
    if (
      connection.queued >= this.#maxQueued ||
      connection.queuedUnits >= this.#maxQueuedUnits
    ) {
      throw new QueueFullError(connection.queued, connection.queuedUnits);
    }
    return connection;
  }

  #write(stanza: XmlElement): void {
    const connection = this.#writable();
    const out = stanza.attr("from") === undefined
      ? stanza.withAttrs({ from: this.domain })
      : stanza;
    const text = serialize(out, { parentNs: NS.client });
    assertStanzaFits(text, this.#maxStanzaBytes);
    this.#lastWritten = out;
    connection.write(text);
  }

  #dispatch(event: SessionEvent): void {
    this.#events.push(event);
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      for (let next; (next = this.#events.shift());) {
        for (const action of this.#session.handle(next)) this.#perform(action);
      }
    } finally {
      this.#dispatching = false;
    }
  }

  #perform(action: SessionAction): void {
    switch (action.type) {
      case "dial":
        return this.#openSocket();
      case "write":
        return this.#connection?.write(action.data);
      case "compute-digest":
        handshakeDigest(action.streamId, this.#secret).then(
          (digest) =>
            this.#dispatch({
              type: "digest",
              streamId: action.streamId,
              digest,
            }),
          (error) => this.#logger.error("Cannot compute handshake", { error }),
        );
        return;
      case "close-socket":
        this.#generation++;
        this.#connection?.close();
        this.#connection = undefined;
        return;
      case "set-timer": {
        this.#clearTimer(action.timer);
        const id = this.#timers.setTimeout(() => {
          this.#timerIds.delete(action.timer);
          this.#dispatch({ type: "timer", timer: action.timer });
        }, action.delayMs);
        this.#timerIds.set(action.timer, id);
        return;
      }
      case "clear-timer":
        return this.#clearTimer(action.timer);
      case "state":
        return this.#stateChanged(action.state, action.previous);
      case "stanza":
        return deliverStanza(action.stanza, {
          tracker: this.#tracker,
          handler: this.#handler,
          reply: (stanza) => this.send(stanza),
          logger: this.#logger,
        });
      case "log":
        return this.#logger[action.level](action.message, action.fields);
    }
  }

  #openSocket(): void {
    const generation = ++this.#generation;
    this.#lastWritten = undefined;
    this.#connection?.close();
    this.#connection = undefined;
    const current = () => generation === this.#generation;
    this.#dial(this.#address).then((socket) => {
      if (!current()) return socket.close();
      this.#connection = new Connection(socket, {
        onData: (chunk) => {
          if (current()) this.#dispatch({ type: "data", chunk });
        },
        onClose: (error) => {
          if (current()) this.#dispatch({ type: "disconnected", error });
        },
      }, { timers: this.#timers, closeGraceMs: this.#closeTimeoutMs });
      this.#dispatch({ type: "connected" });
    }, (error) => {
      if (current()) this.#dispatch({ type: "connect-failed", error });
    });
  }

  /**
   * A stream error while online most likely answers the last stanza
   * written: log it with the server's condition. Nothing is ever re-sent
   * after a reconnect, so it cannot close the next stream too (README
   * "What 202 means").
   */
  #reportRefusal(error: unknown): void {
    const fields = refusalFields(error, this.#lastWritten);
    this.#lastWritten = undefined;
    if (fields === undefined) return;
    this.#logger.error(
      "XMPP server closed the stream after this stanza",
      fields,
    );
  }

  #clearTimer(timer: SessionTimer): void {
    if (!this.#timerIds.has(timer)) return;
    this.#timers.clearTimeout(this.#timerIds.get(timer));
    this.#timerIds.delete(timer);
  }

  #stateChanged(state: ComponentState, previous: ComponentState): void {
    if (state.name === previous.name) return;
    this.#serverPing.stateChanged(state.name === "online");
    if (previous.name === "online" && "error" in state) {
      this.#reportRefusal(state.error);
    }
    if (previous.name === "online") {
      this.#tracker.rejectAll("error" in state ? state.error : undefined);
    }
    for (const listener of [...this.#listeners]) {
      try {
        listener(state, previous);
      } catch (error) {
        this.#logger.error("State listener failed", { error: String(error) });
      }
    }
  }
}
