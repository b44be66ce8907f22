// RFC 6120 section 8.3.3 (stanza error conditions) and section 4.9.3 (stream error conditions), as data.

/** Stanza error types (RFC 6120 section 8.3.2). */
export const STANZA_ERROR_TYPES = [
  "auth",
  "cancel",
  "continue",
  "modify",
  "wait",
] as const;

/** A stanza error type. */
export type StanzaErrorType = typeof STANZA_ERROR_TYPES[number];

/** Every defined stanza error condition (RFC 6120, plus RFC 3920's payment-required) with its usual type. */
export const STANZA_ERROR_CONDITIONS = {
  "bad-request": "modify",
  "conflict": "cancel",
  "feature-not-implemented": "cancel",
  "forbidden": "auth",
  "gone": "cancel",
  "internal-server-error": "cancel",
  "item-not-found": "cancel",
  "jid-malformed": "modify",
  "not-acceptable": "modify",
  "not-allowed": "cancel",
  "not-authorized": "auth",
  // RFC 3920 section 9.3.3 only (RFC 6120 dropped it); kept because mod_rest
  // maps a webhook's HTTP 402 to it and peers may still send it.
  "payment-required": "auth",
  "policy-violation": "modify",
  "recipient-unavailable": "wait",
  "redirect": "modify",
  "registration-required": "auth",
  "remote-server-not-found": "cancel",
  "remote-server-timeout": "wait",
  "resource-constraint": "wait",
  "service-unavailable": "cancel",
  "subscription-required": "auth",
  "undefined-condition": "cancel",
  "unexpected-request": "wait",
} as const satisfies Record<string, StanzaErrorType>;

/** A defined stanza error condition. */
export type StanzaErrorCondition = keyof typeof STANZA_ERROR_CONDITIONS;

/** Every defined stream error condition. */
export const STREAM_ERROR_CONDITIONS = [
  "bad-format",
  "bad-namespace-prefix",
  "conflict",
  "connection-timeout",
  "host-gone",
  "host-unknown",
  "improper-addressing",
  "internal-server-error",
  "invalid-from",
  "invalid-namespace",
  "invalid-xml",
  "not-authorized",
  "not-well-formed",
  "policy-violation",
  "remote-connection-failed",
  "reset",
  "resource-constraint",
  "restricted-xml",
  "see-other-host",
  "system-shutdown",
  "undefined-condition",
  "unsupported-encoding",
  "unsupported-feature",
  "unsupported-stanza-type",
  "unsupported-version",
] as const;

/** A defined stream error condition. */
export type StreamErrorCondition = typeof STREAM_ERROR_CONDITIONS[number];

/** True when the string is a defined stanza error condition. */
export function isStanzaErrorCondition(
  value: string,
): value is StanzaErrorCondition {
  return Object.hasOwn(STANZA_ERROR_CONDITIONS, value);
}

/** True when the string is a stanza error type. */
export function isStanzaErrorType(value: string): value is StanzaErrorType {
  return (STANZA_ERROR_TYPES as readonly string[]).includes(value);
}

/** True when the string is a defined stream error condition. */
export function isStreamErrorCondition(
  value: string,
): value is StreamErrorCondition {
  return (STREAM_ERROR_CONDITIONS as readonly string[]).includes(value);
}
