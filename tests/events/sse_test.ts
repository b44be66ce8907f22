import assert from "node:assert/strict";
import {
  resumePoint,
  sseComment,
  sseEvent,
  sseRetry,
} from "../../src/events/sse.ts";

const frameCases: [string, Parameters<typeof sseEvent>[0], string][] = [
  [
    "one line",
    { id: 7, event: "message", data: '{"a":1}' },
    'id: 7\nevent: message\ndata: {"a":1}\n\n',
  ],
  ["LF, CRLF and CR split data lines", {
    id: 1,
    event: "iq",
    data: "a\nb\r\nc\rd",
  }, "id: 1\nevent: iq\ndata: a\ndata: b\ndata: c\ndata: d\n\n"],
  [
    "empty data",
    { id: 2, event: "presence", data: "" },
    "id: 2\nevent: presence\ndata: \n\n",
  ],
  ["a line break in the event name cannot forge a field", {
    id: 3,
    event: "x\ndata: y",
    data: "z",
  }, "id: 3\nevent: x data: y\ndata: z\n\n"],
];

for (const [name, event, want] of frameCases) {
  Deno.test({
    name: `sseEvent(): ${name}`,
    permissions: "none",
    fn() {
      assert.equal(sseEvent(event), want);
    },
  });
}

Deno.test({
  name: "sseComment() and sseRetry() are single blocks",
  permissions: "none",
  fn() {
    assert.equal(sseComment("heartbeat"), ": heartbeat\n\n");
    assert.equal(sseComment("a\nb"), ": a b\n\n");
    assert.equal(sseRetry(3000), "retry: 3000\n");
  },
});

const resumeCases: [
  string | null,
  string | null,
  ReturnType<typeof resumePoint>,
][] = [
  [null, null, { ok: true }],
  ["", "", { ok: true }],
  ["41", null, { ok: true, afterId: 41 }],
  [" 41 ", null, { ok: true, afterId: 41 }],
  [null, "0", { ok: true, afterId: 0 }],
  ["12", "99", { ok: true, afterId: 12 }],
];

for (const [header, query, want] of resumeCases) {
  Deno.test({
    name: `resumePoint(${JSON.stringify(header)}, ${JSON.stringify(query)})`,
    permissions: "none",
    fn() {
      assert.deepEqual(resumePoint(header, query), want);
    },
  });
}

for (const bad of ["-1", "abc", "1.5", "1e3", "9".repeat(16)]) {
  Deno.test({
    name: `resumePoint() refuses "${bad}"`,
    permissions: "none",
    fn() {
      const result = resumePoint(bad, null);
      assert.ok(!result.ok);
      assert.match(result.reason, /Last-Event-ID/);
    },
  });
}
