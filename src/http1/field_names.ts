// RFC 9110 section 5.1: field names are case-insensitive; the engine keeps them lower-cased, and the names most requests carry share one string each.

/** Names most requests carry or handlers ask for, as usually written. */
const COMMON = [
  "Host",
  "User-Agent",
  "Accept",
  "Accept-Encoding",
  "Authorization",
  "Connection",
  "Content-Type",
  "Content-Length",
  "Transfer-Encoding",
  "Expect",
  "X-Request-Id",
  "Idempotency-Key",
  "Prosody-Rest-Timeout",
  "Last-Event-ID",
];

/** Each common name, as written and lower-cased, to its one lower-case string. */
const LOWER = new Map<string, string>(
  COMMON.flatMap((name) => {
    const lower = name.toLowerCase();
    return [[name, lower], [lower, lower]];
  }),
);

/**
 * `name` lower-cased; for a common name in its usual or lower-case
 * spelling, one shared string (no new string per request, none kept by a
 * waiting request).
 *
 * @example
 * ```ts
 * lowerFieldName("Content-Type"); // "content-type"
 * lowerFieldName("X-Custom"); // "x-custom"
 * ```
 */
export function lowerFieldName(name: string): string {
  return LOWER.get(name) ?? name.toLowerCase();
}

/**
 * The lower-case form of a common field name (so a valid token), or
 * undefined for any other name, which the caller checks itself.
 *
 * @example
 * ```ts
 * knownFieldName("Content-Type"); // "content-type"
 * knownFieldName("X-Custom"); // undefined
 * ```
 */
export function knownFieldName(name: string): string | undefined {
  return LOWER.get(name);
}
