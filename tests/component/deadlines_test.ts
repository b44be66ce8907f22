// One timer for many deadlines: expiry order, removal, re-arming, and a randomised comparison with sorting.

import assert from "node:assert/strict";
import type { Timers } from "../../src/component/connection.ts";
import { type Deadline, Deadlines } from "../../src/component/deadlines.ts";

/** A manual clock with timers that fire when it is advanced past them. */
class Clock implements Timers {
  now = 0;
  #next = 0;
  readonly armed = new Map<number, { at: number; callback: () => void }>();
  setTimeout(callback: () => void, ms: number): number {
    this.armed.set(++this.#next, { at: this.now + ms, callback });
    return this.#next;
  }
  clearTimeout(handle: unknown): void {
    this.armed.delete(handle as number);
  }
  advance(to: number): void {
    for (;;) {
      const due = [...this.armed].filter(([, t]) => t.at <= to)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.now = due[1].at;
      this.armed.delete(due[0]);
      due[1].callback();
    }
    this.now = to;
  }
}

const cases: {
  name: string;
  delays: number[];
  remove?: number[];
  until: number;
  expired: number[];
}[] = [
  {
    name: "in deadline order",
    delays: [30, 10, 20],
    until: 100,
    expired: [1, 2, 0],
  },
  { name: "only what is due", delays: [30, 10, 20], until: 15, expired: [1] },
  {
    name: "equal deadlines in any order",
    delays: [5, 5],
    until: 5,
    expired: [0, 1],
  },
  {
    name: "not the removed",
    delays: [10, 20, 30],
    remove: [1],
    until: 100,
    expired: [0, 2],
  },
  {
    name: "none once the earliest is removed before it is due",
    delays: [10, 20],
    remove: [0],
    until: 15,
    expired: [],
  },
  { name: "a zero delay at once", delays: [0], until: 0, expired: [0] },
];

for (const c of cases) {
  Deno.test(`Deadlines: expire ${c.name}`, () => {
    const clock = new Clock();
    const deadlines = new Deadlines(clock, () => clock.now);
    const expired: number[] = [];
    const handles = c.delays.map((d, i) =>
      deadlines.add(d, () => expired.push(i))
    );
    for (const i of c.remove ?? []) deadlines.remove(handles[i]);
    clock.advance(c.until);
    assert.deepEqual(expired.sort(), c.expired.sort());
    assert.equal(
      deadlines.size,
      c.delays.length - expired.length - (c.remove?.length ?? 0),
    );
  });
}

Deno.test("Deadlines: one timer at a time, re-armed for an earlier deadline, cleared when none is left", () => {
  const clock = new Clock();
  const deadlines = new Deadlines(clock, () => clock.now);
  const a = deadlines.add(100, () => {});
  assert.equal(clock.armed.size, 1);
  assert.equal([...clock.armed.values()][0].at, 100);
  const b = deadlines.add(50, () => {});
  assert.equal(clock.armed.size, 1);
  assert.equal([...clock.armed.values()][0].at, 50);
  deadlines.add(70, () => {});
  assert.equal([...clock.armed.values()][0].at, 50);
  deadlines.remove(b);
  deadlines.remove(a);
  assert.equal(clock.armed.size, 1);
  clock.advance(1000);
  assert.equal(deadlines.size, 0);
  assert.equal(clock.armed.size, 0);
});

Deno.test("Deadlines: a deadline added while expiring others is kept", () => {
  const clock = new Clock();
  const deadlines = new Deadlines(clock, () => clock.now);
  const order: string[] = [];
  deadlines.add(10, () => {
    order.push("first");
    deadlines.add(10, () => order.push("second"));
  });
  clock.advance(15);
  assert.deepEqual(order, ["first"]);
  clock.advance(25);
  assert.deepEqual(order, ["first", "second"]);
});

Deno.test("Deadlines: random adds and removes expire exactly the kept ones, in deadline order", () => {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 50; round++) {
    const clock = new Clock();
    const deadlines = new Deadlines(clock, () => clock.now);
    const expired: number[] = [];
    const live = new Map<number, Deadline>();
    const at = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      if (live.size > 0 && random() < 0.3) {
        const keys = [...live.keys()];
        const k = keys[Math.floor(random() * keys.length)];
        deadlines.remove(live.get(k)!);
        live.delete(k);
        at.delete(k);
        continue;
      }
      const delay = Math.floor(random() * 1000);
      live.set(i, deadlines.add(delay, () => expired.push(i)));
      at.set(i, delay);
    }
    clock.advance(2000);
    const expected = [...at].sort((x, y) => x[1] - y[1] || x[0] - y[0]);
    assert.deepEqual(
      expired.map((i) => at.get(i)),
      expected.map(([, d]) => d),
    );
    assert.deepEqual(new Set(expired), new Set(at.keys()));
    assert.equal(deadlines.size, 0);
  }
});
