// Standard Webhooks v1 signatures (https://www.standardwebhooks.com/, spec "Signature scheme"): HMAC-SHA256 over "{id}.{timestamp}.{body}".

import { createHmac, timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";

/** The prefix of a Standard Webhooks secret. */
export const SECRET_PREFIX = "whsec_";

/** Largest clock difference {@linkcode verifyWebhook} accepts, seconds (the spec's 5 minutes). */
export const TIMESTAMP_TOLERANCE_SECONDS = 300;

/** A secret that is not `whsec_` followed by base64. */
export class WebhookSecretError extends TypeError {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "WebhookSecretError";
  }
}

/**
 * Decodes a `whsec_<base64>` secret into its key bytes; throws
 * {@linkcode WebhookSecretError} when it is not one.
 *
 * @example
 * ```ts
 * secretKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"); // Uint8Array(24)
 * ```
 */
export function secretKey(secret: string): Uint8Array {
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw new WebhookSecretError(
      `Cannot use webhook secret: expected "${SECRET_PREFIX}" followed by base64`,
    );
  }
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 === 1) {
    throw new WebhookSecretError(
      "Cannot use webhook secret: the part after whsec_ is not base64",
    );
  }
  const key = Buffer.from(encoded, "base64");
  if (key.length < 16) {
    throw new WebhookSecretError(
      `Cannot use webhook secret: expected at least 16 bytes of key, got ${key.length}`,
    );
  }
  return new Uint8Array(key);
}

/**
 * The `webhook-signature` header value: one `v1,<base64 HMAC-SHA256>` per
 * key, space-separated (several keys during a rotation).
 *
 * @example
 * ```ts
 * signWebhook([secretKey(s)], "msg_1", 1700000000, "{}"); // "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="
 * ```
 */
export function signWebhook(
  keys: readonly Uint8Array[],
  id: string,
  timestamp: number,
  body: string,
): string {
  const content = `${id}.${timestamp}.${body}`;
  return keys.map((key) =>
    "v1," + createHmac("sha256", key).update(content).digest("base64")
  ).join(" ");
}

/** Why {@linkcode verifyWebhook} rejected a request. */
export class WebhookVerificationError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

/** Options of {@linkcode verifyWebhook}. */
export interface VerifyOptions {
  /** The current time, ms since the epoch. Default `Date.now()`. */
  now?: number;
  /** Largest clock difference, seconds. Default 300. */
  toleranceSeconds?: number;
}

/**
 * Checks a webhook request's Standard Webhooks signature against any of
 * `secrets` (`whsec_...`) and returns its body text. Throws
 * {@linkcode WebhookVerificationError} when the headers are missing, the
 * timestamp is too far off or no signature matches. Reads the body: pass a
 * clone to read it again.
 *
 * @example
 * ```ts
 * Deno.serve(async (request) => {
 *   const body = await verifyWebhook(request, ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]);
 *   return new Response(null, { status: 204 });
 * });
 * ```
 */
export async function verifyWebhook(
  request: Request,
  secrets: readonly string[],
  options: VerifyOptions = {},
): Promise<string> {
  const id = request.headers.get("webhook-id");
  const timestamp = request.headers.get("webhook-timestamp");
  const signatures = request.headers.get("webhook-signature");
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError(
      "Cannot verify webhook: webhook-id, webhook-timestamp or webhook-signature is missing",
    );
  }
  const seconds = Number(timestamp);
  const now = (options.now ?? Date.now()) / 1000;
  const tolerance = options.toleranceSeconds ?? TIMESTAMP_TOLERANCE_SECONDS;
  if (!/^\d+$/.test(timestamp) || Math.abs(now - seconds) > tolerance) {
    throw new WebhookVerificationError(
      `Cannot verify webhook: timestamp "${timestamp}" is not within ${tolerance} s of now`,
    );
  }
  const body = await request.text();
  const given = signatures.split(" ").filter((s) => s.startsWith("v1,"))
    .map((s) => Buffer.from(s.slice(3), "base64"));
  for (const secret of secrets) {
    const expected = Buffer.from(
      signWebhook([secretKey(secret)], id, seconds, body).slice(3),
      "base64",
    );
    if (
      given.some((g) =>
        g.length === expected.length && timingSafeEqual(g, expected)
      )
    ) return body;
  }
  throw new WebhookVerificationError(
    "Cannot verify webhook: no signature matches",
  );
}
