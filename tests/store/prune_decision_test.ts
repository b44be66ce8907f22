// acknowledgedPrune() and acknowledgedBelow(): which events every consumer is done with (README "What is kept, and for how long").

import assert from "node:assert/strict";
import {
  acknowledgedBelow,
  acknowledgedPrune,
} from "../../src/store/common.ts";
import type { AckScope } from "../../src/store/types.ts";

const PULL: AckScope = { untilFirstPull: true, limit: 100 };
const PUSH_ONLY: AckScope = { untilFirstPull: false, limit: 100 };

const belowCases: [string, number[], AckScope, number][] = [
  ["the lowest cursor", [12, 7, 30], PULL, 7],
  ["no cursor while pull consumers are expected: nothing", [], PULL, 0],
  [
    "no cursor, push consumers only: no bound",
    [],
    PUSH_ONLY,
    Number.MAX_SAFE_INTEGER,
  ],
  ["a consumer at 0 keeps everything", [0, 9], PUSH_ONLY, 0],
];

for (const [name, offsets, scope, expected] of belowCases) {
  Deno.test(`acknowledgedBelow(): ${name}`, () => {
    assert.equal(acknowledgedBelow(offsets, scope), expected);
  });
}

const pruneCases: {
  name: string;
  stored: number[];
  offsets: number[];
  scope: AckScope;
  pinned: number[];
  expected: ReturnType<typeof acknowledgedPrune>;
}[] = [
  {
    name: "below the lowest cursor, not pinned",
    stored: [1, 2, 3, 4, 5],
    offsets: [4, 9],
    scope: PULL,
    pinned: [2],
    expected: { doomed: [1, 3], examinedTo: 3, complete: true },
  },
  {
    name: "gaps of pruned ids are not examined",
    stored: [3, 7, 8],
    offsets: [],
    scope: PUSH_ONLY,
    pinned: [],
    expected: { doomed: [3, 7, 8], examinedTo: 8, complete: true },
  },
  {
    name: "at most `limit` examined, pinned ones count",
    stored: [1, 2, 3, 4],
    offsets: [],
    scope: { ...PUSH_ONLY, limit: 2 },
    pinned: [1],
    expected: { doomed: [2], examinedTo: 2, complete: false },
  },
  {
    name: "from above `afterId`",
    stored: [1, 2, 3, 4],
    offsets: [],
    scope: { ...PUSH_ONLY, afterId: 2 },
    pinned: [1, 2],
    expected: { doomed: [3, 4], examinedTo: 4, complete: true },
  },
  {
    name: "nothing to examine",
    stored: [5, 6],
    offsets: [5],
    scope: PULL,
    pinned: [],
    expected: { doomed: [], examinedTo: 0, complete: true },
  },
];

for (const c of pruneCases) {
  Deno.test(`acknowledgedPrune(): ${c.name}`, () => {
    const pinned = new Set(c.pinned);
    assert.deepEqual(
      acknowledgedPrune(c.stored, c.offsets, c.scope, (id) => pinned.has(id)),
      c.expected,
    );
  });
}
