import assert from "node:assert/strict";
import {
  appendedEvents,
  dedupeVerdicts,
  type SeenKey,
} from "../../src/store/common.ts";
import { event } from "./conformance_cases.ts";

const seen = new Map<string, SeenKey>([
  ["old", { eventId: 3, seenAt: 100 }],
  ["new", { eventId: 9, seenAt: 500 }],
]);

const verdictCases: [
  string,
  (string | undefined)[] | undefined,
  ReturnType<typeof dedupeVerdicts>,
][] = [
  ["without dedupe everything is stored", undefined, [{ kind: "store" }]],
  ["an unkeyed event is stored", [undefined], [{ kind: "store" }]],
  ["a key seen since the window start repeats that event", ["new"], [{
    kind: "seen",
    eventId: 9,
  }]],
  ["a key seen before the window start is stored anew", ["old"], [{
    kind: "store",
  }]],
  ["a key twice in one batch: stored, then a repeat of it", ["k", "k"], [
    { kind: "store" },
    { kind: "repeat", index: 0 },
  ]],
  ["a seen key twice in one batch repeats the stored event both times", [
    "new",
    "new",
  ], [{ kind: "seen", eventId: 9 }, { kind: "seen", eventId: 9 }]],
];
for (const [name, keys, want] of verdictCases) {
  Deno.test(`dedupeVerdicts(): ${name}`, () => {
    const count = keys?.length ?? 1;
    const dedupe = keys && { keys, since: 200 };
    assert.deepEqual(dedupeVerdicts(count, dedupe, seen), want);
  });
}

Deno.test("appendedEvents() gives stored events the new ids in order and duplicates their first copy's id", () => {
  const events = [event(1), event(2), event(1), event(3)];
  const out = appendedEvents(
    events,
    [
      { kind: "store" },
      { kind: "seen", eventId: 9 },
      { kind: "repeat", index: 0 },
      { kind: "store" },
    ],
    [20, 21],
    (id) => id === 9,
    true,
  );
  assert.deepEqual(out.map((e) => [e.id, e.duplicate?.delivered]), [
    [20, undefined],
    [9, false],
    [20, false],
    [21, undefined],
  ]);
});
