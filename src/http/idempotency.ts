// The Idempotency-Key header (IETF draft-ietf-httpapi-idempotency-key-header) on the sending routes of /rest.

import { type Logger, silentLogger } from "../logger.ts";
import type { EventStore } from "../store/types.ts";
import {
  IDEMPOTENCY_DEFAULTS,
  IDEMPOTENCY_HEADER,
  keepsResponse,
  parseIdempotencyKey,
  REPLAYED_HEADER,
  REPLAYED_RESPONSE_HEADERS,
  requestFingerprint,
  scopedIdempotencyKey,
} from "../idempotency/rules.ts";
import { authenticate, type AuthOptions } from "./auth.ts";
import {
  errorResponse,
  HttpError,
  readFailure,
  storeRouteError,
} from "./errors.ts";
import { negotiateError, readCapped, requestFormatOf } from "../wire/mod.ts";
import { matchRequest } from "./routes.ts";
import { requestIdOf } from "./request_id.ts";
import { urlOf } from "./request_url.ts";

/** Options of {@linkcode withIdempotency}. */
export interface IdempotencyOptions {
  /** Where keys, fingerprints and finished responses are kept. */
  readonly store: EventStore;
  /** The credentials of `/rest` (a key is only looked up for an accepted caller). */
  readonly auth: AuthOptions;
  /** Largest request body, bytes (`rest_stanza_size_limit`). */
  readonly sizeLimit: number;
  /** Milliseconds the body may take to arrive; then 408. Default: no limit. */
  readonly bodyTimeoutMs?: number;
  /** How long a response is replayed, ms. Default 24 h. */
  readonly ttlMs?: number;
  /** Clock. Default `Date.now`. */
  readonly now?: () => number;
  /** Log sink. Default silent. */
  readonly logger?: Logger;
}

type Handler = (request: Request) => Promise<Response>;

function keyedRoute(request: Request): boolean {
  if (request.method !== "POST") return false;
  if (!request.headers.has(IDEMPOTENCY_HEADER)) return false;
  try {
    const id = matchRequest(request, urlOf(request).pathname)?.route.id;
    return id === "send" || id === "send_path";
  } catch {
    return false; // a broken path: the REST handler answers it
  }
}

/**
 * Wraps the REST handler: a `POST /rest` (or `/rest/{kind}/{type}/{to}`)
 * with `Idempotency-Key` is done once per key and caller. The first
 * response (when the stanza went out) is kept for 24 h and replayed for a
 * repeat with the same body (with `Idempotent-Replayed: true`); the same
 * key with another body is a 422, a repeat while the first is still in
 * progress a 409. Requests without the header pass through unchanged.
 *
 * @example
 * ```ts
 * const handler = withIdempotency(createRestHandler({ xmpp, credentials }), { store, auth, sizeLimit: 196608 });
 * ```
 */
export function withIdempotency(
  inner: Handler,
  options: IdempotencyOptions,
): Handler {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? IDEMPOTENCY_DEFAULTS.ttlMs;
  const keyed: Handler = async (request) => {
    const authorization = request.headers.get("Authorization");
    try {
      authenticate(authorization, options.auth);
    } catch {
      return inner(request); // renders the credential error
    }
    const contentType = request.headers.get("Content-Type") ?? "";
    const errorFormat = negotiateError(
      request.headers.get("Accept"),
      requestFormatOf(contentType) ?? "none",
    );
    let reserved: string | undefined;
    try {
      const parsed = parseIdempotencyKey(
        request.headers.get(IDEMPOTENCY_HEADER)!,
      );
      if (!parsed.ok) {
        throw new HttpError("idempotency_key", { text: parsed.reason });
      }
      const read = await readCapped(
        request,
        options.sizeLimit,
        options.bodyTimeoutMs,
      );
      if (!read.ok) throw readFailure(read);
      const body = read.bytes;
      const url = urlOf(request);
      const fingerprint = await requestFingerprint({
        method: request.method,
        target: url.pathname + url.search,
        contentType,
        body,
      });
      const key = await scopedIdempotencyKey(authorization ?? "", parsed.key);
      const begun = await options.store.beginIdempotent(key, fingerprint, {
        now: now(),
        ttlMs,
      });
      switch (begun.state) {
        case "in-flight":
          throw new HttpError("idempotency_busy", {
            headers: { "Retry-After": "1" },
          });
        case "mismatch":
          throw new HttpError("idempotency_reuse");
        case "done": {
          const { status, headers, body: text } = begun.response;
          logger.info("idempotent replay", {
            requestId: requestIdOf(request),
            path: url.pathname,
            status,
          });
          return new Response(status === 202 ? null : text, {
            status,
            headers: { ...headers, [REPLAYED_HEADER]: "true" },
          });
        }
      }
      reserved = key;
      const response = await inner(
        new Request(request.url, {
          method: request.method,
          headers: request.headers,
          body: body.byteLength === 0
            ? undefined
            : body as Uint8Array<ArrayBuffer>,
        }),
      );
      const text = await response.text();
      reserved = undefined;
      if (keepsResponse(response.status)) {
        const kept: Record<string, string> = {};
        for (const name of REPLAYED_RESPONSE_HEADERS) {
          const value = response.headers.get(name);
          if (value !== null) kept[name] = value;
        }
        await options.store.completeIdempotent(key, {
          status: response.status,
          headers: kept,
          body: text,
        });
      } else {
        await options.store.abandonIdempotent(key);
      }
      return new Response(response.status === 202 ? null : text, response);
    } catch (error) {
      if (reserved !== undefined) {
        await options.store.abandonIdempotent(reserved).catch(() => {});
      }
      const httpError = storeRouteError(error);
      if (!(error instanceof HttpError)) {
        logger.error("Idempotent request failed", {
          requestId: requestIdOf(request),
          error: String(error),
        });
      }
      return errorResponse(httpError, errorFormat);
    }
  };
  // Unkeyed requests go straight through: no frame of this layer waits
  // with them (a long-poll keeps only its own, README "Performance").
  return (request) => keyedRoute(request) ? keyed(request) : inner(request);
}
