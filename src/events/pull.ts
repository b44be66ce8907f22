// Pull mode (README "Receiving without a webhook: pull, SSE, inbound iqs"): the query rules of GET /rest/updates, after Telegram's getUpdates (https://core.telegram.org/bots/api#getupdates).

/** Defaults and bounds of a pull request. */
export const PULL_DEFAULTS = {
  /** Events per answer when `limit` is absent. */
  limit: 100,
  /** Largest `limit` accepted. */
  maxLimit: 1000,
  /** Largest `timeout` in seconds; longer waits are cut to this. */
  maxTimeoutSeconds: 50,
  /** The consumer when none is named. */
  consumer: "default",
} as const;

/** Consumer names: short, URL- and log-safe. */
const CONSUMER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A valid pull request. */
export interface PullRequest {
  /** The named consumer whose cursor is read and moved. */
  readonly consumer: string;
  /**
   * Where to start: `{ at: N }` (acknowledges everything below N), `{ last: N }`
   * (the newest N events; everything before is acknowledged), or the
   * consumer's stored cursor when absent.
   */
  readonly offset?: { readonly at: number } | { readonly last: number };
  /** Most events returned. */
  readonly limit: number;
  /** How long to wait for a first event when there is none, in ms (0: answer at once). */
  readonly timeoutMs: number;
}

/** Why a pull request was refused (a 400 naming the parameter). */
export interface PullQueryProblem {
  /** The query parameter. */
  readonly parameter: string;
  /** What is wrong, e.g. `expected a whole number, got "x"`. */
  readonly reason: string;
}

/** The outcome of {@linkcode parsePullQuery}. */
export type PullQueryResult =
  | { readonly ok: true; readonly request: PullRequest }
  | { readonly ok: false; readonly problem: PullQueryProblem };

function integer(raw: string): number | undefined {
  return /^-?\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : undefined;
}

/**
 * Validates a consumer name (`consumer` parameter of pull and SSE);
 * returns the problem text, or undefined when the name is fine.
 */
export function consumerNameProblem(name: string): string | undefined {
  return CONSUMER_NAME.test(name)
    ? undefined
    : `expected 1-64 letters, digits, '.', '_' or '-', got "${name}"`;
}

/**
 * Reads `offset`, `limit`, `timeout` and `consumer` as Telegram's
 * getUpdates does: `offset` N returns events with id >= N and acknowledges
 * the ones below; a negative offset -N means the newest N events; `limit`
 * 1-1000 (default 100); `timeout` in seconds (0 = answer at once, decimals
 * allowed, longer than 50 s is cut to 50 s). Unknown parameters are ignored.
 *
 * @example
 * ```ts
 * parsePullQuery(new URLSearchParams("offset=42&limit=10&timeout=30"));
 * // { ok: true, request: { consumer: "default", offset: { at: 42 }, limit: 10, timeoutMs: 30000 } }
 * ```
 */
export function parsePullQuery(query: URLSearchParams): PullQueryResult {
  const fail = (parameter: string, reason: string): PullQueryResult => ({
    ok: false,
    problem: { parameter, reason },
  });
  const consumer = query.get("consumer") ?? PULL_DEFAULTS.consumer;
  const nameProblem = consumerNameProblem(consumer);
  if (nameProblem) return fail("consumer", nameProblem);

  let offset: PullRequest["offset"];
  const rawOffset = query.get("offset");
  if (rawOffset !== null && rawOffset.trim() !== "") {
    const value = integer(rawOffset);
    if (value === undefined) {
      return fail("offset", `expected a whole number, got "${rawOffset}"`);
    }
    // 0 is Telegram's "no offset": the earliest unacknowledged event.
    if (value !== 0) offset = value < 0 ? { last: -value } : { at: value };
  }

  let limit: number = PULL_DEFAULTS.limit;
  const rawLimit = query.get("limit");
  if (rawLimit !== null && rawLimit.trim() !== "") {
    const value = integer(rawLimit);
    if (value === undefined || value < 1 || value > PULL_DEFAULTS.maxLimit) {
      return fail(
        "limit",
        `expected a whole number from 1 to ${PULL_DEFAULTS.maxLimit}, got "${rawLimit}"`,
      );
    }
    limit = value;
  }

  let timeoutMs = 0;
  const rawTimeout = query.get("timeout");
  if (rawTimeout !== null && rawTimeout.trim() !== "") {
    const seconds = Number(rawTimeout.trim());
    if (!Number.isFinite(seconds) || seconds < 0) {
      return fail(
        "timeout",
        `expected seconds (0 or more), got "${rawTimeout}"`,
      );
    }
    timeoutMs = Math.round(
      Math.min(seconds, PULL_DEFAULTS.maxTimeoutSeconds) * 1000,
    );
  }
  return { ok: true, request: { consumer, offset, limit, timeoutMs } };
}

/**
 * The first event id to return and the cursor to store, from the request
 * and the consumer's stored cursor (0 = never acknowledged) and the log's
 * last id. A cursor only moves forward: an offset below it re-reads events
 * without un-acknowledging them.
 *
 * @example
 * ```ts
 * pullStart({ at: 101 }, 1, 500); // { fromId: 101, acknowledge: 101 }
 * pullStart({ last: 10 }, 1, 500); // { fromId: 491, acknowledge: 491 }
 * pullStart(undefined, 37, 500); // { fromId: 37 }
 * ```
 */
export function pullStart(
  offset: PullRequest["offset"],
  cursor: number,
  lastId: number,
): { readonly fromId: number; readonly acknowledge?: number } {
  if (offset === undefined) return { fromId: Math.max(cursor, 1) };
  const fromId = "at" in offset
    ? Math.max(offset.at, 1)
    : Math.max(lastId - offset.last + 1, 1);
  return fromId > cursor ? { fromId, acknowledge: fromId } : { fromId };
}

/** Store name of a pull consumer's cursor (pull cursors share the store with push consumers). */
export function pullCursorName(consumer: string): string {
  return `pull:${consumer}`;
}
