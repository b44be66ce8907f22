// Test support: timers that fire only when the test says so, in due order.

import type { Timers } from "../../src/component/connection.ts";

/** Timers driven by `advance(ms)`; `now()` is the manual clock. */
export class SteppedTimers implements Timers {
  #next = 0;
  #now = 0;
  readonly #due = new Map<number, { at: number; callback: () => void }>();

  /** The manual clock, in ms. */
  now = (): number => this.#now;

  /** Timers not yet fired. */
  get pending(): number {
    return this.#due.size;
  }

  setTimeout(callback: () => void, ms: number): number {
    this.#due.set(++this.#next, { at: this.#now + ms, callback });
    return this.#next;
  }

  clearTimeout(handle: unknown): void {
    this.#due.delete(handle as number);
  }

  /** Moves the clock and fires what fell due, oldest first. */
  advance(ms: number): void {
    this.#now += ms;
    for (;;) {
      const due = [...this.#due].filter(([, t]) => t.at <= this.#now)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) return;
      this.#due.delete(due[0]);
      due[1].callback();
    }
  }
}
