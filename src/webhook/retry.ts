// Reliable delivery decisions (Standard Webhooks "Retry schedule"; RFC 9110 section 10.2.3 Retry-After): pure.

import type { WebhookOutcome } from "./reply.ts";

/** The default retry schedule: the Standard Webhooks / Svix delays before each attempt. */
export const DEFAULT_RETRY_SCHEDULE = "0s,5s,5m,30m,2h,5h,10h,10h";

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses a duration with a unit (`500ms`, `5s`, `30m`, `2h`, `3d`) into
 * milliseconds; throws a `TypeError` naming the value otherwise.
 *
 * @example
 * ```ts
 * parseDuration("5m"); // 300000
 * ```
 */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) {
    throw new TypeError(
      `expected a duration such as 5s, 30m or 2h, got "${text.trim()}"`,
    );
  }
  return Math.round(Number(match[1]) * UNITS[match[2]]);
}

/**
 * Parses a retry schedule: comma-separated delays, the first before the
 * first attempt (usually `0s`), each next one after a failed attempt.
 *
 * @example
 * ```ts
 * parseRetrySchedule("0s,1s,2s,4s"); // [0, 1000, 2000, 4000]
 * ```
 */
export function parseRetrySchedule(text: string): number[] {
  const items = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (items.length === 0) {
    throw new TypeError("expected at least one delay, e.g. 0s,5s,5m");
  }
  return items.map(parseDuration);
}

/**
 * Reads a `Retry-After` value (delay seconds or an HTTP date) as a delay in
 * milliseconds from `now`; undefined when absent or unreadable.
 */
export function retryAfterMs(
  value: string | null | undefined,
  now: number,
): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** What to do after one reliable attempt. */
export type AttemptDecision =
  /** The endpoint took the event (2xx), or refused it for good (other 4xx): send the reply. */
  | { readonly action: "settle"; readonly delivered: boolean }
  /** Try again after `delayMs`. */
  | { readonly action: "retry"; readonly delayMs: number }
  /** Out of retries: keep as a dead letter, no reply. */
  | { readonly action: "dead" }
  /** 410 Gone: pause the endpoint until resumed; the event stays pending. */
  | { readonly action: "pause" };

/** True for answers worth retrying: 408, 429 and 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Decides what follows an attempt: connection failures, timeouts, 408,
 * 429 and 5xx are retried on `schedule` (never sooner than `Retry-After`);
 * 410 pauses; any other status settles.
 *
 * @example
 * ```ts
 * decideAttempt({ kind: "unreachable" }, { attempts: 0, schedule: [0, 5000] }); // retry in 5 s
 * ```
 */
export function decideAttempt(
  outcome: WebhookOutcome,
  context: {
    /** Attempts made before this one. */
    readonly attempts: number;
    /** The parsed schedule. */
    readonly schedule: readonly number[];
    /** The response's Retry-After as a delay, if any. */
    readonly retryAfterMs?: number;
  },
): AttemptDecision {
  if (outcome.kind === "response") {
    if (outcome.status >= 200 && outcome.status < 300) {
      return { action: "settle", delivered: true };
    }
    if (outcome.status === 410) return { action: "pause" };
    if (!isRetryableStatus(outcome.status)) {
      return { action: "settle", delivered: false };
    }
  }
  const next = context.attempts + 1;
  if (next >= context.schedule.length) return { action: "dead" };
  return {
    action: "retry",
    delayMs: Math.max(context.schedule[next], context.retryAfterMs ?? 0),
  };
}
