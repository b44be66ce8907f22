// XEP-0114 sections 2-3 (component stream and handshake) as a pure state machine: events in, actions out.

import { XmlSyntaxError } from "../xml/errors.ts";
import { type XmlStreamEvent, XmlStreamParser } from "../xml/parser.ts";
import { NS } from "../xmpp/namespaces.ts";
import { isStanza } from "../xmpp/stanza.ts";
import type { LogFields, LogLevel } from "../logger.ts";
import { backoffDelay } from "./backoff.ts";
import {
  ComponentConnectionError,
  ComponentStreamError,
  readStreamError,
} from "./errors.ts";
import {
  handshakeElement,
  STREAM_CLOSE,
  streamErrorXml,
  streamHeader,
} from "./handshake.ts";
import type {
  ComponentState,
  SessionAction,
  SessionConfig,
  SessionEvent,
  SessionTimer,
} from "./state.ts";

export type {
  ComponentState,
  ComponentStateName,
  SessionAction,
  SessionConfig,
  SessionEvent,
  SessionTimer,
} from "./state.ts";

const ALIASES = { [NS.component]: NS.client } as const;

/**
 * The component stream protocol without I/O: feed {@linkcode SessionEvent}s,
 * perform the returned {@linkcode SessionAction}s in order. The shell owns
 * the socket, the timers and the SHA-1 (which is asynchronous).
 *
 * @example
 * ```ts
 * const session = new ComponentSession(config);
 * session.handle({ type: "start" }); // [{ type: "dial" }, set-timer, state]
 * ```
 */
export class ComponentSession {
  #config: SessionConfig;
  #state: ComponentState = { name: "closed" };
  #parser: XmlStreamParser | undefined;
  #out: SessionAction[] = [];

  /** Creates a session in state `closed`. */
  constructor(config: SessionConfig) {
    this.#config = config;
  }

  /** The current state. */
  get state(): ComponentState {
    return this.#state;
  }

  /** Applies one event and returns the actions to perform, in order. */
  handle(event: SessionEvent): SessionAction[] {
    this.#out = [];
    this.#apply(event);
    return this.#out;
  }

  #apply(event: SessionEvent): void {
    const state = this.#state;
    switch (event.type) {
      case "start":
        if (state.name === "closed") this.#connect(0);
        return;
      case "stop":
        return this.#stop();
      case "connected":
        if (state.name !== "connecting") return;
        this.#parser = new XmlStreamParser({
          ...this.#config.parser,
          namespaceAliases: ALIASES,
        });
        this.#go({ name: "handshaking", attempt: state.attempt });
        this.#emit({ type: "write", data: streamHeader(this.#config.domain) });
        return;
      case "connect-failed":
        if (state.name !== "connecting") return;
        return this.#fail(
          new ComponentConnectionError(
            "connect-failed",
            this.#config.server,
            `Cannot connect to ${this.#config.server}: ${
              messageOf(event.error)
            }`,
            { cause: event.error },
          ),
        );
      case "data":
        return this.#data(event.chunk);
      case "disconnected":
        return this.#disconnected(event.error);
      case "digest":
        if (state.name === "handshaking" && state.streamId === event.streamId) {
          this.#emit({ type: "write", data: handshakeElement(event.digest) });
        }
        return;
      case "timer":
        return this.#timer(event.timer);
    }
  }

  #connect(attempt: number): void {
    this.#go({ name: "connecting", attempt });
    this.#emit({ type: "dial" });
    this.#emit({
      type: "set-timer",
      timer: "handshake",
      delayMs: this.#config.handshakeTimeoutMs,
    });
  }

  #stop(): void {
    const state = this.#state;
    switch (state.name) {
      case "closed":
      case "closing":
        return;
      case "waiting-to-reconnect":
        this.#emit({ type: "clear-timer", timer: "reconnect" });
        return this.#go({ name: "closed" });
      case "connecting":
        this.#emit({ type: "clear-timer", timer: "handshake" });
        this.#emit({ type: "close-socket" });
        return this.#go({ name: "closed" });
      case "handshaking":
        this.#emit({ type: "clear-timer", timer: "handshake" });
        this.#emit({ type: "write", data: STREAM_CLOSE });
        this.#emit({ type: "close-socket" });
        return this.#go({ name: "closed" });
      case "online":
        this.#emit({ type: "clear-timer", timer: "keepalive" });
        this.#emit({ type: "write", data: STREAM_CLOSE });
        this.#emit({
          type: "set-timer",
          timer: "close",
          delayMs: this.#config.closeTimeoutMs,
        });
        return this.#go({ name: "closing" });
    }
  }

  #data(chunk: Uint8Array | string): void {
    const name = this.#state.name;
    if (
      name !== "handshaking" && name !== "online" && name !== "closing" ||
      !this.#parser
    ) return;
    let events: XmlStreamEvent[];
    try {
      events = this.#parser.push(chunk);
    } catch (error) {
      return this.#parseFailed(error);
    }
    for (const event of events) {
      // A previous event may have ended the stream.
      if (!this.#parser) return;
      this.#streamEvent(event);
    }
  }

  #streamEvent(event: XmlStreamEvent): void {
    const state = this.#state;
    if (event.type === "open") {
      if (state.name !== "handshaking" || state.streamId !== undefined) return;
      // Prosody refuses an unknown host with an empty id and a stream error
      // right after the header: wait for that error before complaining.
      const streamId = event.header.attr("id") ?? "";
      this.#go({ name: "handshaking", attempt: state.attempt, streamId });
      if (streamId !== "") this.#emit({ type: "compute-digest", streamId });
      return;
    }
    if (event.type === "close") {
      if (state.name === "closing") return this.#closed();
      this.#emit({ type: "write", data: STREAM_CLOSE });
      return this.#fail(
        this.#connectionError("closed-by-server", "closed the stream"),
      );
    }
    const element = event.element;
    if (element.is("error", NS.streams)) {
      const { condition, text } = readStreamError(element);
      return this.#fail(
        new ComponentStreamError(condition, text, {
          server: this.#config.server,
          domain: this.#config.domain,
          phase: state.name === "handshaking" ? "handshake" : "online",
        }),
      );
    }
    if (state.name === "handshaking") {
      if (state.streamId === "") {
        this.#emit({ type: "write", data: STREAM_CLOSE });
        return this.#fail(
          this.#connectionError(
            "bad-stream",
            "sent a stream header without id",
          ),
        );
      }
      if (state.streamId !== undefined && element.is("handshake", NS.client)) {
        return this.#online(state.streamId);
      }
      return this.#log("debug", "Ignoring element before handshake", {
        element: element.name,
      });
    }
    if (state.name === "online" && isStanza(element)) {
      return this.#emit({ type: "stanza", stanza: element });
    }
    this.#log("debug", "Ignoring element", {
      element: element.name,
      ns: element.ns,
      state: state.name,
    });
  }

  #online(streamId: string): void {
    this.#emit({ type: "clear-timer", timer: "handshake" });
    this.#armKeepalive();
    this.#go({ name: "online", streamId });
    this.#log("info", "Component stream online", {
      domain: this.#config.domain,
      server: this.#config.server,
    });
  }

  #armKeepalive(): void {
    if (this.#config.keepaliveMs > 0) {
      this.#emit({
        type: "set-timer",
        timer: "keepalive",
        delayMs: this.#config.keepaliveMs,
      });
    }
  }

  #parseFailed(error: unknown): void {
    if (!(error instanceof XmlSyntaxError)) throw error;
    if (this.#state.name === "closing") return this.#closed();
    this.#emit({
      type: "write",
      data: streamErrorXml(error.condition) + STREAM_CLOSE,
    });
    this.#fail(
      this.#connectionError("bad-stream", `sent bad XML: ${error.message}`, {
        cause: error,
      }),
    );
  }

  #disconnected(error: unknown): void {
    const name = this.#state.name;
    if (name === "closing") return this.#closed();
    if (name !== "handshaking" && name !== "online") return;
    const detail = error === undefined ? "" : `: ${messageOf(error)}`;
    this.#fail(
      new ComponentConnectionError(
        "connection-lost",
        this.#config.server,
        `Connection to ${this.#config.server} lost${detail}`,
        { cause: error },
      ),
    );
  }

  #timer(timer: SessionTimer): void {
    const state = this.#state;
    if (timer === "reconnect" && state.name === "waiting-to-reconnect") {
      return this.#connect(state.attempt);
    }
    if (
      timer === "handshake" &&
      (state.name === "connecting" || state.name === "handshaking")
    ) {
      return this.#fail(
        this.#connectionError(
          "handshake-timeout",
          `did not complete the handshake within ${this.#config.handshakeTimeoutMs} ms`,
        ),
      );
    }
    if (timer === "keepalive" && state.name === "online") {
      this.#emit({ type: "write", data: " " });
      return this.#armKeepalive();
    }
    if (timer === "close" && state.name === "closing") return this.#closed();
  }

  /** Ends the current connection after a failure; reconnects if configured. */
  #fail(error: Error): void {
    const state = this.#state;
    this.#parser = undefined;
    this.#emit({ type: "clear-timer", timer: "handshake" });
    this.#emit({ type: "clear-timer", timer: "keepalive" });
    this.#emit({ type: "close-socket" });
    const wasOnline = state.name === "online";
    const loud = error instanceof ComponentStreamError &&
      (error.condition === "not-authorized" ||
        error.condition === "host-unknown" || error.condition === "conflict");
    if (!this.#config.reconnect) {
      this.#log("error", error.message, { domain: this.#config.domain });
      return this.#go({ name: "closed", error });
    }
    const attempt = state.name === "connecting" || state.name === "handshaking"
      ? state.attempt
      : 0;
    const delayMs = backoffDelay(
      attempt,
      this.#config.backoff,
      this.#config.random,
    );
    this.#log(
      loud ? "error" : "warn",
      `${error.message}; reconnecting in ${delayMs} ms`,
      { domain: this.#config.domain, attempt: attempt + 1, wasOnline },
    );
    this.#emit({ type: "set-timer", timer: "reconnect", delayMs });
    this.#go({
      name: "waiting-to-reconnect",
      attempt: attempt + 1,
      delayMs,
      error,
    });
  }

  #closed(): void {
    this.#parser = undefined;
    this.#emit({ type: "clear-timer", timer: "close" });
    this.#emit({ type: "close-socket" });
    this.#go({ name: "closed" });
  }

  #connectionError(
    reason: ComponentConnectionError["reason"],
    what: string,
    options?: ErrorOptions,
  ): ComponentConnectionError {
    return new ComponentConnectionError(
      reason,
      this.#config.server,
      `Component stream to ${this.#config.server} failed: the server ${what}`,
      options,
    );
  }

  #go(next: ComponentState): void {
    const previous = this.#state;
    this.#state = next;
    this.#emit({ type: "state", state: next, previous });
  }

  #emit(action: SessionAction): void {
    this.#out.push(action);
  }

  #log(level: LogLevel, message: string, fields?: LogFields): void {
    this.#emit({ type: "log", level, message, fields });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
