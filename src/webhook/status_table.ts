// README "Webhook HTTP status → stanza error": HTTP status of a webhook response -> stanza error (Prosody net.http.errors), as data.

import { REASON_PHRASES } from "../http1/reasons.ts";
import type {
  StanzaErrorCondition,
  StanzaErrorType,
} from "../xmpp/conditions.ts";
import type { StanzaErrorDetails } from "../xmpp/stanza.ts";

/** A stanza error type and condition. */
export interface StatusError {
  /** Stanza error type. */
  readonly type: StanzaErrorType;
  /** Defined stanza error condition. */
  readonly condition: StanzaErrorCondition;
}

/**
 * The stanza error for each HTTP status that has a specific one; every
 * other status maps to {@linkcode UNKNOWN_STATUS_ERROR}.
 */
export const HTTP_STATUS_ERRORS = {
  400: { type: "modify", condition: "bad-request" },
  401: { type: "auth", condition: "not-authorized" },
  // An RFC 3920 condition that RFC 6120 dropped; kept as mod_rest sends it.
  402: { type: "auth", condition: "payment-required" },
  403: { type: "auth", condition: "forbidden" },
  404: { type: "cancel", condition: "item-not-found" },
  405: { type: "cancel", condition: "not-allowed" },
  406: { type: "modify", condition: "not-acceptable" },
  407: { type: "auth", condition: "registration-required" },
  408: { type: "wait", condition: "remote-server-timeout" },
  409: { type: "cancel", condition: "conflict" },
  410: { type: "cancel", condition: "gone" },
  411: { type: "modify", condition: "bad-request" },
  412: { type: "cancel", condition: "conflict" },
  413: { type: "modify", condition: "resource-constraint" },
  414: { type: "modify", condition: "resource-constraint" },
  415: { type: "cancel", condition: "feature-not-implemented" },
  416: { type: "modify", condition: "bad-request" },
  422: { type: "modify", condition: "bad-request" },
  423: { type: "wait", condition: "resource-constraint" },
  429: { type: "wait", condition: "resource-constraint" },
  431: { type: "modify", condition: "resource-constraint" },
  451: { type: "auth", condition: "forbidden" },
  500: { type: "wait", condition: "internal-server-error" },
  501: { type: "cancel", condition: "feature-not-implemented" },
  502: { type: "wait", condition: "remote-server-timeout" },
  503: { type: "cancel", condition: "service-unavailable" },
  504: { type: "wait", condition: "remote-server-timeout" },
  507: { type: "wait", condition: "resource-constraint" },
  511: { type: "auth", condition: "not-authorized" },
} as const satisfies Record<number, StatusError>;

/** The stanza error of any status not in {@linkcode HTTP_STATUS_ERRORS}. */
const UNKNOWN_STATUS_ERROR = {
  type: "cancel",
  condition: "undefined-condition",
} as const satisfies StatusError;

/**
 * The reason phrase of a status: the table's, else the server's
 * `statusText`, else "Unassigned" (as Prosody).
 *
 * @example
 * ```ts
 * reasonPhrase(404); // "Not Found"
 * reasonPhrase(599); // "Unassigned"
 * ```
 */
export function reasonPhrase(status: number, statusText = ""): string {
  const known = REASON_PHRASES[status];
  if (known !== undefined) return known;
  const text = statusText.trim();
  return text !== "" ? text : "Unassigned";
}

/**
 * The status line text mod_rest puts in the error `<text>`: the code and
 * the reason phrase, as Prosody's net.http codes write them.
 *
 * @example
 * ```ts
 * statusLineText(404); // "404 Not Found"
 * statusLineText(599); // "599 Unassigned"
 * ```
 */
export function statusLineText(status: number, statusText = ""): string {
  return `${status} ${reasonPhrase(status, statusText)}`;
}

/**
 * The stanza error for a webhook's HTTP status, with the reason phrase as
 * text (README "Webhook HTTP status → stanza error").
 *
 * @example
 * ```ts
 * statusError(503);
 * // { type: "cancel", condition: "service-unavailable", text: "503 Service Unavailable" }
 * ```
 */
export function statusError(
  status: number,
  statusText = "",
): StanzaErrorDetails & StatusError {
  const known: StatusError = Object.hasOwn(HTTP_STATUS_ERRORS, status)
    ? HTTP_STATUS_ERRORS[status as keyof typeof HTTP_STATUS_ERRORS]
    : UNKNOWN_STATUS_ERROR;
  return {
    type: known.type,
    condition: known.condition,
    text: statusLineText(status, statusText),
  };
}
