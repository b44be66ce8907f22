// XEP-0114 sections 2-3: the vocabulary of the component stream state machine (states, events, actions).

import type { XmlElement } from "../xml/element.ts";
import type { XmlParserOptions } from "../xml/parser.ts";
import type { LogFields, LogLevel } from "../logger.ts";
import type { BackoffOptions } from "./backoff.ts";

/**
 * Where a component stream is in its life. `closed` is both the initial
 * state and the end (with the error that ended it when reconnecting is off).
 */
export type ComponentState =
  | { readonly name: "closed"; readonly error?: Error }
  | { readonly name: "connecting"; readonly attempt: number }
  | {
    readonly name: "handshaking";
    readonly attempt: number;
    readonly streamId?: string;
  }
  | { readonly name: "online"; readonly streamId: string }
  | { readonly name: "closing" }
  | {
    readonly name: "waiting-to-reconnect";
    readonly attempt: number;
    readonly delayMs: number;
    readonly error: Error;
  };

/** The name of a state. */
export type ComponentStateName = ComponentState["name"];

/** Timers the session asks its shell to run. */
export type SessionTimer = "reconnect" | "handshake" | "keepalive" | "close";

/** What happens to the session (fed by the shell). */
export type SessionEvent =
  | { readonly type: "start" }
  | { readonly type: "stop" }
  | { readonly type: "connected" }
  | { readonly type: "connect-failed"; readonly error: unknown }
  | { readonly type: "data"; readonly chunk: Uint8Array | string }
  | { readonly type: "disconnected"; readonly error?: unknown }
  | {
    readonly type: "digest";
    readonly streamId: string;
    readonly digest: string;
  }
  | { readonly type: "timer"; readonly timer: SessionTimer };

/** What the shell must do (returned by {@linkcode ComponentSession.handle}). */
export type SessionAction =
  | { readonly type: "dial" }
  | { readonly type: "write"; readonly data: string }
  | { readonly type: "compute-digest"; readonly streamId: string }
  | { readonly type: "close-socket" }
  | {
    readonly type: "set-timer";
    readonly timer: SessionTimer;
    readonly delayMs: number;
  }
  | { readonly type: "clear-timer"; readonly timer: SessionTimer }
  | {
    readonly type: "state";
    readonly state: ComponentState;
    readonly previous: ComponentState;
  }
  | { readonly type: "stanza"; readonly stanza: XmlElement }
  | {
    readonly type: "log";
    readonly level: LogLevel;
    readonly message: string;
    readonly fields?: LogFields;
  };

/** Settings of a {@linkcode ComponentSession}. */
export interface SessionConfig {
  /** The component domain (the stream's `to`). */
  domain: string;
  /** The server address as `host:port`, for messages. */
  server: string;
  /** Reconnect after a failure (true) or end in `closed` (false). */
  reconnect: boolean;
  /** Reconnect delays. */
  backoff: BackoffOptions;
  /** Whitespace keepalive interval; 0 turns it off. */
  keepaliveMs: number;
  /** Limit for dial plus handshake. */
  handshakeTimeoutMs: number;
  /** How long to wait for the server's `</stream:stream>` after ours. */
  closeTimeoutMs: number;
  /** Parser limits (the namespace alias is added by the session). */
  parser?: Omit<XmlParserOptions, "namespaceAliases">;
  /** Source of randomness for the jitter, in [0, 1). */
  random: () => number;
}
