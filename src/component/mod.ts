// XEP-0114 (Jabber Component Protocol): public API of the component client.

export { createComponent } from "./client.ts";
export type {
  ComponentClient,
  ComponentOptions,
  StateListener,
} from "./api.ts";
export type { StanzaHandler } from "../inbound/route.ts";
export type { ComponentState, ComponentStateName } from "./session.ts";
export {
  ComponentConnectionError,
  type ComponentErrorContext,
  type ComponentPhase,
  ComponentStreamError,
  type ConnectionFailure,
} from "./errors.ts";
export type { BackoffOptions } from "./backoff.ts";
export type { ComponentSocket, Dial, Timers } from "./connection.ts";
export { COMPONENT_DEFAULTS } from "./api.ts";
export { handshakeDigest } from "./handshake.ts";
