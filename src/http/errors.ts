// mod_rest request errors (README "Errors reference"; README "Differences from mod_rest") as data, and their HTTP responses.

import { el } from "../xml/element.ts";
import { serialize } from "../xml/serialize.ts";
import { NS } from "../xmpp/namespaces.ts";
import type { StanzaErrorType } from "../xmpp/conditions.ts";
import { StoreError } from "../store/types.ts";
import {
  IqConflictError,
  IqTimeoutError,
  QueueFullError,
  StanzaTooLargeError,
  StreamDownError,
} from "../xmpp/port.ts";
import {
  type CappedRead,
  MEDIA_TYPES,
  type StanzaFormat,
} from "../wire/mod.ts";

/**
 * Every HTTP error the REST API answers with: status, stanza-error type,
 * condition (a stream-error name where mod_rest uses one, since the XML
 * body is stream-error shaped) and mod_rest's text.
 */
export const REQUEST_ERRORS = {
  parse: [400, "modify", "not-well-formed", "Failed to parse payload"],
  noauthz: [401, "auth", "not-authorized", "No credentials provided"],
  unauthz: [403, "auth", "not-authorized", "Credentials not accepted"],
  malformauthz: [403, "auth", "not-authorized", "Credentials malformed"],
  from_auth: [
    403,
    "auth",
    "not-authorized",
    "Not authorized to send stanza with requested 'from'",
  ],
  scope: [403, "auth", "not-authorized", "Credential out of scope"],
  not_found: [404, "cancel", "item-not-found", "No such route"],
  body_timeout: [
    408,
    "wait",
    "connection-timeout",
    "Request body timed out",
  ],
  conflict: [409, "cancel", "conflict", "IQ stanza id attribute already used"],
  size: [413, "modify", "resource-constraint", "Payload too large"],
  mediatype: [415, "cancel", "bad-format", "Unsupported media type"],
  xmlns: [
    422,
    "modify",
    "invalid-namespace",
    "'xmlns' attribute must be empty",
  ],
  name: [
    422,
    "modify",
    "unsupported-stanza-type",
    "Invalid stanza, must be 'message', 'presence' or 'iq'.",
  ],
  missing_to: [
    422,
    "modify",
    "improper-addressing",
    "Missing destination JID",
  ],
  to: [422, "modify", "improper-addressing", "Invalid destination JID"],
  jid_malformed: [
    422,
    "modify",
    "jid-malformed",
    "Malformed JID (RFC 7622)",
  ],
  from: [422, "modify", "invalid-from", "Invalid source JID"],
  iq_type: [
    422,
    "modify",
    "invalid-xml",
    "'iq' stanza must be of type 'get' or 'set'",
  ],
  iq_tags: [
    422,
    "modify",
    "bad-format",
    "'iq' stanza must have exactly one child tag",
  ],
  mapping: [422, "modify", "bad-format", "Invalid JSON value"],
  internal: [500, "wait", "internal-server-error", "Internal error"],
  unmappable: [
    502,
    "cancel",
    "undefined-condition",
    "Reply cannot be represented in this format; XML can (Accept: application/xmpp+xml)",
  ],
  stream_down: [
    503,
    "wait",
    "service-unavailable",
    "XMPP stream is not connected",
  ],
  queue_full: [
    503,
    "wait",
    "resource-constraint",
    "Outgoing stanza queue is full",
  ],
  timeout: [504, "wait", "remote-server-timeout", "IQ stanza timed out"],
  bad_query: [400, "modify", "bad-request", "Invalid query parameter"],
  idempotency_key: [400, "modify", "bad-request", "Invalid Idempotency-Key"],
  idempotency_busy: [
    409,
    "wait",
    "conflict",
    "A request with this Idempotency-Key is still in progress",
  ],
  idempotency_reuse: [
    422,
    "modify",
    "not-acceptable",
    "This Idempotency-Key was used for another request",
  ],
  answered: [409, "cancel", "conflict", "This inbound iq was already answered"],
  store_down: [
    503,
    "wait",
    "internal-server-error",
    "The event store cannot be read or written",
  ],
} as const satisfies Record<
  string,
  readonly [number, StanzaErrorType, string, string]
>;

/** A key of {@linkcode REQUEST_ERRORS}. */
export type RequestErrorKey = keyof typeof REQUEST_ERRORS;

/** Options for {@linkcode HttpError}. */
export interface HttpErrorOptions {
  /** Replaces the table's text (e.g. to name a JSON path). */
  text?: string;
  /** Extra response headers (`WWW-Authenticate`, `Retry-After`). */
  headers?: Readonly<Record<string, string>>;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * A request that ends in an HTTP error response. Thrown anywhere below the
 * handler and rendered once by {@linkcode errorResponse}.
 *
 * @example
 * ```ts
 * throw new HttpError("to", { text: "Invalid destination JID" });
 * ```
 */
export class HttpError extends Error {
  /** Key in {@linkcode REQUEST_ERRORS}. */
  readonly key: RequestErrorKey;
  /** HTTP status code. */
  readonly status: number;
  /** Stanza-error type. */
  readonly type: StanzaErrorType;
  /** Error condition. */
  readonly condition: string;
  /** Human-readable text. */
  readonly text: string;
  /** Extra response headers. */
  readonly headers: Readonly<Record<string, string>>;

  /** Creates the error from its table entry. */
  constructor(key: RequestErrorKey, options: HttpErrorOptions = {}) {
    const [status, type, condition, text] = REQUEST_ERRORS[key];
    const finalText = options.text ?? text;
    super(`Cannot process request: ${status} ${condition}: ${finalText}`, {
      cause: options.cause,
    });
    this.name = "HttpError";
    this.key = key;
    this.status = status;
    this.type = type;
    this.condition = condition;
    this.text = finalText;
    this.headers = options.headers ?? {};
  }
}

// Characters XML 1.0 cannot carry (section 2.2) become U+FFFD, so an error
// text that quotes client input can always be written.
function xmlSafe(text: string): string {
  return text.replace(
    /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu,
    "\uFFFD",
  );
}

/** The formats an error body can take. */
export type ErrorFormat = Exclude<StanzaFormat, "form">;

/**
 * The body of an error response: JSON
 * `{"type":"error","code":N,"error":{type,condition,text}}`, or the
 * stream-error-shaped XML element mod_rest uses (errors are never
 * form-encoded or HTML).
 */
export function renderErrorBody(
  error: HttpError,
  format: ErrorFormat,
): string {
  switch (format) {
    case "json":
      return JSON.stringify({
        type: "error",
        code: error.status,
        error: {
          type: error.type,
          condition: error.condition,
          text: error.text,
        },
      });
    case "xml":
      return serialize(
        el(
          "error",
          NS.streams,
          {},
          el(error.condition, NS.streamErrors),
          el("text", NS.streamErrors, {}, xmlSafe(error.text)),
        ),
      );
  }
}

/** The HTTP response for an error, in the given format (never HTML). */
export function errorResponse(
  error: HttpError,
  format: ErrorFormat,
): Response {
  const headers = new Headers(error.headers);
  headers.set("Content-Type", MEDIA_TYPES[format]);
  return new Response(renderErrorBody(error, format), {
    status: error.status,
    headers,
  });
}

/**
 * The HTTP error for a body {@linkcode readCapped} could not read: 413 when
 * too large, 408 with `Connection: close` when it stalled (README
 * "Connection limits and timeouts").
 */
export function readFailure(
  read: Exclude<CappedRead, { ok: true }>,
): HttpError {
  return read.reason === "timeout"
    ? new HttpError("body_timeout", { headers: { Connection: "close" } })
    : new HttpError("size");
}

/**
 * The HTTP error for a failure of a route that reads or writes the event
 * store: an {@linkcode HttpError} as it is, a `StoreError` a 503
 * `store_down` (retry in 5 s), anything else a 500.
 */
export function storeRouteError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof StoreError) {
    return new HttpError("store_down", {
      cause: error,
      headers: { "Retry-After": "5" },
    });
  }
  return new HttpError("internal", { cause: error });
}

/**
 * The HTTP error for a failure of sending through a stanza port (README
 * "Errors reference"): an {@linkcode HttpError} as it is, iq timeouts and
 * id conflicts, a stream down or a full queue (503 with `Retry-After` in
 * `retryAfterSeconds`), a stanza too large; undefined for anything else.
 */
export function sendError(
  error: unknown,
  retryAfterSeconds: number,
): HttpError | undefined {
  const retry = { "Retry-After": String(retryAfterSeconds) };
  if (error instanceof HttpError) return error;
  if (error instanceof IqTimeoutError) {
    return new HttpError("timeout", { cause: error });
  }
  if (error instanceof IqConflictError) {
    return new HttpError("conflict", { cause: error });
  }
  if (error instanceof StreamDownError) {
    return new HttpError("stream_down", { cause: error, headers: retry });
  }
  if (error instanceof StanzaTooLargeError) {
    return new HttpError("size", { cause: error });
  }
  if (error instanceof QueueFullError) {
    return new HttpError("queue_full", { cause: error, headers: retry });
  }
  return undefined;
}
