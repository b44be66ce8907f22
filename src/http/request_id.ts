// Request ids (README "Request ids"): X-Request-Id, as common proxies (nginx $request_id, Heroku, Envoy) send and expect it.

import { RequestSlot } from "./request_slot.ts";

/** The header that carries a request id, in requests, responses and webhook requests. */
export const REQUEST_ID_HEADER = "X-Request-Id";

// A client's id is kept when it is short, visible ASCII without spaces or
// quotes (so it is safe in log lines and headers); otherwise one is made.
const ACCEPTABLE = /^[\x21\x23-\x26\x28-\x7e]{1,128}$/;

const ids = new RequestSlot<string>("request id");

/** A new request id (a random UUID). */
export function newRequestId(): string {
  return crypto.randomUUID();
}

/**
 * The id of a request: its `X-Request-Id` when acceptable (1 to 128
 * visible ASCII characters, no quotes), else a generated one.
 *
 * @example
 * ```ts
 * requestIdFor("abc-123", () => "x"); // "abc-123"
 * requestIdFor("has space", () => "x"); // "x"
 * ```
 */
export function requestIdFor(
  header: string | null,
  generate: () => string = newRequestId,
): string {
  return header !== null && ACCEPTABLE.test(header) ? header : generate();
}

/** Records the id of a request so that handlers below can log it. */
export function setRequestId(request: Request, id: string): void {
  ids.set(request, id);
}

/** The id recorded for a request with {@linkcode setRequestId}, if any. */
export function requestIdOf(request: Request): string | undefined {
  return ids.get(request);
}
