// One timer for many deadlines: a binary min-heap of deadlines with the single timer armed for the earliest (waiting iqs time out through it).

import { realTimers, type Timers } from "./connection.ts";

/** A registered deadline; pass it to {@linkcode Deadlines.remove}. */
export interface Deadline {
  /** When it expires, in the clock's milliseconds. */
  readonly at: number;
  /** Position in the heap; -1 once removed or expired. */
  index: number;
  /** Runs once when the deadline passes (not after removal). */
  readonly expire: () => void;
}

/**
 * Deadlines sharing one timer, so that thousands of waiting iqs cost one
 * heap entry each instead of a timer each. Adding and removing are
 * O(log n); the timer is re-armed only when the earliest deadline moves
 * earlier, and cleared when none is left.
 */
export class Deadlines {
  #heap: Deadline[] = [];
  #timers: Timers;
  #now: () => number;
  #timer: unknown;
  /** The deadline the timer is armed for (Infinity: not armed). */
  #armedFor = Infinity;

  /** `now` is a monotonic clock in milliseconds. */
  constructor(
    timers: Timers = realTimers,
    now: () => number = () => performance.now(),
  ) {
    this.#timers = timers;
    this.#now = now;
  }

  /** How many deadlines are registered. */
  get size(): number {
    return this.#heap.length;
  }

  /** Registers `expire` to run in `delayMs` milliseconds. */
  add(delayMs: number, expire: () => void): Deadline {
    const deadline = { at: 0, index: 0, expire };
    this.insert(deadline, delayMs);
    return deadline;
  }

  /**
   * Registers `item` itself as a deadline in `delayMs` milliseconds (its
   * `at` and `index` are set): an owner that is already one object per
   * deadline (a waiting iq) needs no entry object or closure besides.
   */
  insert(
    item: { at: number; index: number; expire(): void },
    delayMs: number,
  ): void {
    item.at = this.#now() + delayMs;
    item.index = this.#heap.length;
    this.#heap.push(item);
    this.#up(item.index);
    if (item.at < this.#armedFor) this.#arm();
  }

  /** Withdraws a deadline (no effect once it expired or was removed). */
  remove(deadline: Deadline): void {
    const i = deadline.index;
    if (i < 0 || this.#heap[i] !== deadline) return;
    deadline.index = -1;
    const last = this.#heap.pop()!;
    if (last !== deadline) {
      this.#heap[i] = last;
      last.index = i;
      this.#down(i);
      this.#up(last.index);
    }
    if (this.#heap.length === 0) this.#disarm();
  }

  #arm(): void {
    this.#disarm();
    const first = this.#heap[0];
    if (first === undefined) return;
    this.#armedFor = first.at;
    this.#timer = this.#timers.setTimeout(
      () => this.#fire(),
      Math.max(0, first.at - this.#now()),
    );
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
  }

  /** Expires everything due: the timer fired, so its own deadline has passed. */
  #fire(): void {
    const limit = Math.max(this.#armedFor, this.#now());
    this.#timer = undefined;
    this.#armedFor = Infinity;
    while (this.#heap.length > 0 && this.#heap[0].at <= limit) {
      const due = this.#heap[0];
      this.remove(due);
      due.expire();
    }
    if (this.#timer === undefined) this.#arm();
  }

  #up(i: number): void {
    const heap = this.#heap;
    const item = heap[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].at <= item.at) break;
      heap[i] = heap[parent];
      heap[i].index = i;
      i = parent;
    }
    heap[i] = item;
    item.index = i;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const item = heap[i];
    const n = heap.length;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && heap[child + 1].at < heap[child].at) child++;
      if (heap[child].at >= item.at) break;
      heap[i] = heap[child];
      heap[i].index = i;
      i = child;
    }
    heap[i] = item;
    item.index = i;
  }
}
