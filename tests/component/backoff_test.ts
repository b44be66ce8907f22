// Reconnect backoff for the XEP-0114 stream: exponential bound, cap, full jitter.

import assert from "node:assert/strict";
import { backoffDelay } from "../../src/component/backoff.ts";

const cases = [
  { attempt: 0, base: 100, cap: 5000, random: 0.5, delay: 50 },
  { attempt: 1, base: 100, cap: 5000, random: 0.5, delay: 100 },
  { attempt: 3, base: 100, cap: 5000, random: 0.5, delay: 400 },
  { attempt: 3, base: 100, cap: 5000, random: 0.999, delay: 799 },
  { attempt: 10, base: 100, cap: 5000, random: 0.5, delay: 2500 },
  { attempt: 2000, base: 100, cap: 5000, random: 0.5, delay: 2500 },
  { attempt: 4, base: 100, cap: 5000, random: 0, delay: 0 },
  { attempt: 0, base: 1000, cap: 500, random: 0.5, delay: 250 },
  // The first five retries stay under 2 s, then the bound grows from 4 s.
  { attempt: 2, base: 1000, cap: 60_000, random: 0.999, delay: 1998 },
  { attempt: 4, base: 1000, cap: 60_000, random: 0.999, delay: 1998 },
  { attempt: 5, base: 1000, cap: 60_000, random: 0.5, delay: 2000 },
  { attempt: 8, base: 1000, cap: 60_000, random: 0.5, delay: 16_000 },
  { attempt: 9, base: 1000, cap: 60_000, random: 0.5, delay: 30_000 },
];

for (const { attempt, base, cap, random, delay } of cases) {
  Deno.test({
    name:
      `backoffDelay(${attempt}) with base ${base}, cap ${cap}, random ${random} is ${delay}`,
    permissions: "none",
    fn() {
      assert.equal(
        backoffDelay(attempt, { baseMs: base, capMs: cap }, () => random),
        delay,
      );
    },
  });
}

Deno.test({
  name: "backoffDelay() uses base 1 s and cap 60 s by default",
  permissions: "none",
  fn() {
    assert.equal(backoffDelay(0, {}, () => 0.5), 500);
    assert.equal(backoffDelay(30, {}, () => 0.5), 30_000);
  },
});
