// Deadline signals of webhook attempts: abort at the deadline with a TimeoutError, never once released, one timer for all.

import assert from "node:assert/strict";
import { DeadlineSignals } from "../../src/webhook/deadline_signals.ts";
import { SteppedTimers } from "../support/manual_timers.ts";

Deno.test("DeadlineSignals abort at the deadline with a TimeoutError, and never once released", () => {
  const timers = new SteppedTimers();
  const signals = new DeadlineSignals(timers, timers.now);
  const cases: [name: string, ms: number, releaseAt: number | undefined][] = [
    ["released before its deadline", 100, 50],
    ["released after it aborted", 100, 150],
    ["never released", 200, undefined],
    ["released at once", 300, 0],
  ];
  const started = cases.map(([name, ms, releaseAt]) => ({
    name,
    ms,
    releaseAt,
    ...signals.start(ms),
  }));
  assert.equal(signals.size, 4);
  assert.equal(timers.pending, 1, "one timer for all");
  for (let at = 0; at <= 400; at += 50) {
    for (const s of started) if (s.releaseAt === at) s.release();
    timers.advance(at === 0 ? 0 : 50);
  }
  for (const s of started) {
    const aborts = s.releaseAt === undefined || s.releaseAt >= s.ms;
    assert.equal(s.signal.aborted, aborts, s.name);
    if (aborts) {
      assert.ok(s.signal.reason instanceof DOMException, s.name);
      assert.equal(s.signal.reason.name, "TimeoutError", s.name);
    }
    s.release(); // idempotent
  }
  assert.equal(signals.size, 0);
  assert.equal(timers.pending, 0, "no timer left once nothing waits");
});

Deno.test("DeadlineSignals on the real clock: a short deadline aborts, a released one leaves no timer behind", async () => {
  const signals = new DeadlineSignals();
  const released = signals.start(60_000);
  released.release();
  const short = signals.start(5);
  // Its timer is unreferenced (as AbortSignal.timeout's): a referenced one keeps the test alive.
  const keepAlive = setTimeout(() => {}, 10_000);
  await new Promise((resolve) =>
    short.signal.addEventListener("abort", resolve, { once: true })
  );
  clearTimeout(keepAlive);
  assert.equal(short.signal.reason.name, "TimeoutError");
  assert.equal(released.signal.aborted, false);
  assert.equal(signals.size, 0);
});
