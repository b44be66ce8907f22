// Reconnect delays for the XEP-0114 component stream: exponential backoff with full jitter.

/** Backoff settings, in milliseconds. */
export interface BackoffOptions {
  /** Upper bound of the first delay. Default 1000. */
  baseMs?: number;
  /** Largest upper bound any delay can have. Default 60000. */
  capMs?: number;
}

/** Default first-delay bound, in milliseconds. */
const DEFAULT_BACKOFF_BASE_MS = 1000;
/** Default delay cap, in milliseconds. */
const DEFAULT_BACKOFF_CAP_MS = 60_000;
/**
 * Retries that stay quick: a server restart takes a few seconds, and a
 * retry should come soon after it is back (README "Health and readiness").
 */
const QUICK_RETRIES = 5;
/** Upper bound of the quick retries' delays, in milliseconds. */
const QUICK_RETRY_CAP_MS = 2000;

/**
 * The delay before reconnect attempt number `attempt` (0 for the first
 * retry): uniformly random below a bound ("full jitter"), so many gateways
 * restarting together do not reconnect in step. The bound is
 * `base * 2^attempt`, at most 2 s for the first five retries (a restarting
 * server is back within seconds), then `base * 2^(attempt - 3)`, at most
 * `cap`.
 *
 * @example
 * ```ts
 * backoffDelay(3, { baseMs: 100, capMs: 5000 }, Math.random); // < 800
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number,
): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const cap = options.capMs ?? DEFAULT_BACKOFF_CAP_MS;
  const bound = attempt < QUICK_RETRIES
    ? Math.min(cap, QUICK_RETRY_CAP_MS, base * 2 ** attempt)
    : Math.min(cap, base * 2 ** Math.min(attempt - 3, 52));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * bound);
}
