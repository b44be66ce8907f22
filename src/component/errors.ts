// XEP-0114 section 3 and RFC 6120 section 4.9 (stream errors): typed failures of a component stream.

import type { XmlElement } from "../xml/element.ts";
import {
  isStreamErrorCondition,
  type StreamErrorCondition,
} from "../xmpp/conditions.ts";
import { NS } from "../xmpp/namespaces.ts";

/** When a stream failed: before the handshake completed, or while online. */
export type ComponentPhase = "handshake" | "online";

/** Where the failure happened, for messages. */
export interface ComponentErrorContext {
  /** The server address, `host:port`. */
  server: string;
  /** The component domain. */
  domain: string;
  /** The phase the stream was in. */
  phase: ComponentPhase;
}

// What a condition usually means for a component, to make messages actionable.
const HINTS: Partial<Record<StreamErrorCondition, (domain: string) => string>> =
  {
    "not-authorized": (d) =>
      `wrong secret for ${d}, or ${d} not configured as a component on the server?`,
    "host-unknown": (d) => `is ${d} configured as a component on the server?`,
    "conflict": (d) => `another component is already connected as ${d}`,
    "invalid-from": (d) => `a stanza's from was not in ${d}`,
    "not-well-formed": () => "the server could not parse what we sent",
    "system-shutdown": () => "the server is shutting down",
    "connection-timeout": () => "the server found the stream idle",
    "policy-violation": () => "a server limit was exceeded",
  };

/**
 * The server closed the component stream with a stream error.
 *
 * @example
 * ```ts
 * if (error instanceof ComponentStreamError && error.condition === "not-authorized") {
 *   console.error("check the component secret");
 * }
 * ```
 */
export class ComponentStreamError extends Error {
  /** The stream-error condition the server sent. */
  readonly condition: StreamErrorCondition;
  /** The server's `<text>`, if any. */
  readonly text?: string;
  /** The server address, `host:port`. */
  readonly server: string;
  /** The component domain. */
  readonly domain: string;
  /** Whether the handshake had completed. */
  readonly phase: ComponentPhase;

  /** Creates the error. */
  constructor(
    condition: StreamErrorCondition,
    text: string | undefined,
    context: ComponentErrorContext,
  ) {
    const action = context.phase === "handshake"
      ? "Component handshake rejected by"
      : "Component stream closed by";
    const hint = HINTS[condition]?.(context.domain);
    let message = `${action} ${context.server}: ${condition}`;
    if (hint) message += ` (${hint})`;
    if (text) message += `: "${text}"`;
    super(message);
    this.name = "ComponentStreamError";
    this.condition = condition;
    this.text = text;
    this.server = context.server;
    this.domain = context.domain;
    this.phase = context.phase;
  }
}

/** Why a component stream failed without a stream error from the server. */
export type ConnectionFailure =
  | "connect-failed"
  | "connection-lost"
  | "closed-by-server"
  | "handshake-timeout"
  | "bad-stream";

/**
 * The component stream could not be set up or was lost: the dial failed,
 * the socket closed, the server closed the stream without an error, the
 * handshake timed out, or the server sent something we could not parse.
 */
export class ComponentConnectionError extends Error {
  /** What went wrong. */
  readonly reason: ConnectionFailure;
  /** The server address, `host:port`. */
  readonly server: string;

  /** Creates the error; `message` is the full message. */
  constructor(
    reason: ConnectionFailure,
    server: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "ComponentConnectionError";
    this.reason = reason;
    this.server = server;
  }
}

/** Reads the condition and text of a `<stream:error>` element. */
export function readStreamError(
  element: XmlElement,
): { condition: StreamErrorCondition; text?: string } {
  let condition: StreamErrorCondition = "undefined-condition";
  let text: string | undefined;
  for (const child of element.elements()) {
    if (child.ns !== NS.streamErrors) continue;
    if (child.name === "text") text = child.text();
    else if (isStreamErrorCondition(child.name)) condition = child.name;
  }
  return { condition, text };
}

/**
 * Log fields for a stream error that most likely answers `stanza`, the
 * last one written before it (its condition and text, the stanza's kind,
 * type, id and recipient); undefined when `error` is no stream error or
 * nothing was written.
 */
export function refusalFields(
  error: unknown,
  stanza: XmlElement | undefined,
): Record<string, string | undefined> | undefined {
  if (!(error instanceof ComponentStreamError) || stanza === undefined) {
    return undefined;
  }
  return {
    condition: error.condition,
    text: error.text,
    kind: stanza.name,
    type: stanza.attr("type"),
    id: stanza.attr("id"),
    to: stanza.attr("to"),
  };
}
