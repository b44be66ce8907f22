import assert from "node:assert/strict";
import {
  decideAttempt,
  DEFAULT_RETRY_SCHEDULE,
  parseDuration,
  parseRetrySchedule,
  retryAfterMs,
} from "../../src/webhook/retry.ts";
import type { WebhookOutcome } from "../../src/webhook/reply.ts";

Deno.test({
  name: "parseDuration() and parseRetrySchedule() read delays with units",
  permissions: "none",
  fn() {
    const cases: [string, number][] = [
      ["0s", 0],
      ["500ms", 500],
      ["5s", 5_000],
      ["1.5s", 1_500],
      ["5m", 300_000],
      ["2h", 7_200_000],
      ["3d", 259_200_000],
    ];
    for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
    assert.deepEqual(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE), [
      0,
      5_000,
      300_000,
      1_800_000,
      7_200_000,
      18_000_000,
      36_000_000,
      36_000_000,
    ]);
    for (const bad of ["5", "s", "-1s", "5 weeks", ""]) {
      assert.throws(() => parseRetrySchedule(bad), TypeError, bad);
    }
  },
});

Deno.test({
  name: "retryAfterMs() reads delay seconds and HTTP dates",
  permissions: "none",
  fn() {
    const now = Date.parse("2026-01-01T00:00:00Z");
    assert.equal(retryAfterMs("2", now), 2_000);
    assert.equal(retryAfterMs("Thu, 01 Jan 2026 00:00:10 GMT", now), 10_000);
    assert.equal(retryAfterMs("Wed, 31 Dec 2025 00:00:00 GMT", now), 0);
    assert.equal(retryAfterMs("soon", now), undefined);
    assert.equal(retryAfterMs(null, now), undefined);
  },
});

const response = (status: number): WebhookOutcome => ({
  kind: "response",
  status,
  body: "",
});

Deno.test({
  name:
    "decideAttempt(): 2xx delivers, 410 pauses, other 4xx settle, failures retry on the schedule then die",
  permissions: "none",
  fn() {
    const schedule = [0, 1_000, 5_000];
    const cases: [WebhookOutcome, number, number | undefined, unknown][] = [
      [response(200), 0, undefined, { action: "settle", delivered: true }],
      [response(204), 2, undefined, { action: "settle", delivered: true }],
      [response(410), 0, undefined, { action: "pause" }],
      [response(400), 0, undefined, { action: "settle", delivered: false }],
      [response(404), 0, undefined, { action: "settle", delivered: false }],
      [response(302), 0, undefined, { action: "settle", delivered: false }],
      [response(408), 0, undefined, { action: "retry", delayMs: 1_000 }],
      [response(429), 1, undefined, { action: "retry", delayMs: 5_000 }],
      [response(503), 0, 2_000, { action: "retry", delayMs: 2_000 }],
      [response(503), 1, 2_000, { action: "retry", delayMs: 5_000 }],
      [response(500), 2, undefined, { action: "dead" }],
      [{ kind: "unreachable" }, 0, undefined, {
        action: "retry",
        delayMs: 1_000,
      }],
      [{ kind: "timeout", seconds: 30 }, 2, undefined, { action: "dead" }],
    ];
    for (const [outcome, attempts, retryAfter, expected] of cases) {
      assert.deepEqual(
        decideAttempt(outcome, {
          attempts,
          schedule,
          retryAfterMs: retryAfter,
        }),
        expected,
        JSON.stringify([outcome, attempts, retryAfter]),
      );
    }
  },
});
