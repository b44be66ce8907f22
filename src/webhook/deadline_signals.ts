// Abort signals with a deadline for webhook attempts (README "Receiving (webhooks)", the callback timeout), sharing one timer instead of one `AbortSignal.timeout` timer each.

import { type Deadline, Deadlines } from "../component/deadlines.ts";
import type { Timers } from "../component/connection.ts";

/** A signal that aborts at its deadline, and the way to let go of it sooner. */
export interface DeadlineSignal {
  /** Aborts with a `TimeoutError` `DOMException` (as `AbortSignal.timeout`'s) once the deadline passes. */
  readonly signal: AbortSignal;
  /** The work ended first: the deadline is withdrawn (the signal never aborts). Idempotent. */
  release(): void;
}

/** Unreferenced global timers: a pending deadline alone does not keep the process alive (as `AbortSignal.timeout`). */
const unrefTimers: Timers = {
  setTimeout(callback, ms) {
    const id = setTimeout(callback, ms);
    Deno.unrefTimer(id);
    return id;
  },
  clearTimeout: (handle) => clearTimeout(handle as number),
};

/**
 * Makes deadline signals over one {@linkcode Deadlines} heap: a webhook
 * request costs a heap entry and an `AbortController`, not a timer that
 * lives on for the whole timeout after the answer came.
 *
 * @example
 * ```ts
 * const signals = new DeadlineSignals();
 * const { signal, release } = signals.start(10_000);
 * try { await fetch(url, { signal }); } finally { release(); }
 * ```
 */
export class DeadlineSignals {
  readonly #deadlines: Deadlines;

  /** `timers` and `now` (monotonic ms) for tests; default unreferenced global timers. */
  constructor(timers: Timers = unrefTimers, now?: () => number) {
    this.#deadlines = new Deadlines(timers, now);
  }

  /** Deadlines pending. */
  get size(): number {
    return this.#deadlines.size;
  }

  /** A signal that aborts in `ms` milliseconds unless released first. */
  start(ms: number): DeadlineSignal {
    const controller = new AbortController();
    const deadlines = this.#deadlines;
    const deadline: Deadline = deadlines.add(ms, () =>
      controller.abort(
        new DOMException("Signal timed out.", "TimeoutError"),
      ));
    return {
      signal: controller.signal,
      release: () => deadlines.remove(deadline),
    };
  }
}
