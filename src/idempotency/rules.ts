// The Idempotency-Key HTTP header (IETF draft-ietf-httpapi-idempotency-key-header): key syntax, request fingerprint, which responses are kept.

/** Defaults of idempotent sending. */
export const IDEMPOTENCY_DEFAULTS = {
  /** How long a finished response is kept and replayed (24 h). */
  ttlMs: 24 * 60 * 60 * 1000,
  /** Longest key accepted, in characters. */
  maxKeyLength: 255,
} as const;

/** The request header. */
export const IDEMPOTENCY_HEADER = "Idempotency-Key";

/** Set on a replayed response (as Stripe and others do) so clients can tell. */
export const REPLAYED_HEADER = "Idempotent-Replayed";

/** The outcome of {@linkcode parseIdempotencyKey}. */
export type IdempotencyKeyResult =
  | { readonly ok: true; readonly key: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads the header value: an RFC 8941 sf-string (`"8e03978e-..."`, as the
 * draft specifies) or, leniently, the same characters without quotes.
 * Empty, too long, or containing characters outside printable ASCII is
 * refused with a reason.
 *
 * @example
 * ```ts
 * parseIdempotencyKey('"abc-123"'); // { ok: true, key: "abc-123" }
 * parseIdempotencyKey("abc-123"); // { ok: true, key: "abc-123" }
 * parseIdempotencyKey('""'); // { ok: false, reason: ... }
 * ```
 */
export function parseIdempotencyKey(header: string): IdempotencyKeyResult {
  const raw = header.trim();
  let key: string;
  if (raw.startsWith('"')) {
    const match = /^"((?:[\x20\x21\x23-\x5B\x5D-\x7E]|\\["\\])*)"$/.exec(raw);
    if (!match) {
      return {
        ok: false,
        reason: "Idempotency-Key must be a quoted string of printable ASCII",
      };
    }
    key = match[1].replace(/\\(["\\])/g, "$1");
  } else {
    if (!/^[\x21-\x7E]*$/.test(raw)) {
      return {
        ok: false,
        reason:
          'Idempotency-Key must be printable ASCII (quote it: "..." to include spaces)',
      };
    }
    key = raw;
  }
  if (key === "") {
    return { ok: false, reason: "Idempotency-Key must not be empty" };
  }
  if (key.length > IDEMPOTENCY_DEFAULTS.maxKeyLength) {
    return {
      ok: false,
      reason:
        `Idempotency-Key is longer than ${IDEMPOTENCY_DEFAULTS.maxKeyLength} characters`,
    };
  }
  return { ok: true, key };
}

/** What identifies "the same request" (the draft's fingerprint). */
export interface RequestIdentity {
  /** HTTP method. */
  readonly method: string;
  /** Path and query. */
  readonly target: string;
  /** The Content-Type header ("" when absent). */
  readonly contentType: string;
  /** The body bytes. */
  readonly body: Uint8Array;
}

const encoder = new TextEncoder();

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    bytes as Uint8Array<ArrayBuffer>,
  );
  return new Uint8Array(digest).toHex();
}

/**
 * SHA-256 (hex) over method, target, content type and body, each
 * length-prefixed so that no two different requests share an encoding.
 *
 * @example
 * ```ts
 * await requestFingerprint({ method: "POST", target: "/rest", contentType: "application/json", body });
 * ```
 */
export function requestFingerprint(identity: RequestIdentity): Promise<string> {
  const head = encoder.encode(
    [identity.method, identity.target, identity.contentType.trim()]
      .map((part) => `${part.length}:${part}`).join(""),
  );
  const all = new Uint8Array(head.length + identity.body.length);
  all.set(head);
  all.set(identity.body, head.length);
  return sha256Hex(all);
}

/**
 * The store key of an idempotency key: scoped by the caller's credentials
 * (a hash, never the credential itself), so two clients using the same key
 * never see each other's responses.
 */
export async function scopedIdempotencyKey(
  authorization: string,
  key: string,
): Promise<string> {
  const scope = await sha256Hex(encoder.encode(authorization));
  return `${scope.slice(0, 32)}:${key}`;
}

/**
 * Whether a response is kept for replay: when the stanza went out (2xx;
 * 502, an iq reply that cannot be shown in this format; 504, an iq sent
 * whose reply did not come in time). Anything else (a refused request,
 * the stream down, a full queue) means nothing was sent: the key is
 * released and a retry does the work.
 *
 * @example
 * ```ts
 * keepsResponse(202); // true
 * keepsResponse(503); // false
 * ```
 */
export function keepsResponse(status: number): boolean {
  return (status >= 200 && status < 300) || status === 502 || status === 504;
}

/** Response headers stored with a kept response and replayed. */
export const REPLAYED_RESPONSE_HEADERS = ["content-type"] as const;
