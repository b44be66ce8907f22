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
 * The delay before reconnect attempt number `attempt` (0 for the first
 * retry): uniformly random in `[0, min(cap, base * 2^attempt))` ("full
 * jitter"), so many gateways restarting together do not reconnect in step.
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
  const bound = Math.min(cap, base * 2 ** Math.min(attempt, 52));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * bound);
}
