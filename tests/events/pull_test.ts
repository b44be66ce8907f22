import assert from "node:assert/strict";
import {
  parsePullQuery,
  PULL_DEFAULTS,
  pullStart,
} from "../../src/events/pull.ts";

const parseCases: [string, unknown][] = [
  ["", {
    consumer: "default",
    offset: undefined,
    limit: 100,
    timeoutMs: 0,
  }],
  ["offset=42&limit=10&timeout=30", {
    consumer: "default",
    offset: { at: 42 },
    limit: 10,
    timeoutMs: 30_000,
  }],
  ["offset=0", {
    consumer: "default",
    offset: undefined,
    limit: 100,
    timeoutMs: 0,
  }],
  ["offset=-5", {
    consumer: "default",
    offset: { last: 5 },
    limit: 100,
    timeoutMs: 0,
  }],
  ["timeout=0.25&consumer=bot-1", {
    consumer: "bot-1",
    offset: undefined,
    limit: 100,
    timeoutMs: 250,
  }],
  ["timeout=3600", {
    consumer: "default",
    offset: undefined,
    limit: 100,
    timeoutMs: PULL_DEFAULTS.maxTimeoutSeconds * 1000,
  }],
  ["limit=1000&offset=&unknown=1", {
    consumer: "default",
    offset: undefined,
    limit: 1000,
    timeoutMs: 0,
  }],
];

for (const [query, want] of parseCases) {
  Deno.test({
    name: `parsePullQuery() accepts "${query}"`,
    permissions: "none",
    fn() {
      const result = parsePullQuery(new URLSearchParams(query));
      assert.ok(result.ok);
      assert.deepEqual(result.request, want);
    },
  });
}

const refuseCases: [string, string][] = [
  ["offset=abc", "offset"],
  ["offset=1.5", "offset"],
  ["limit=0", "limit"],
  ["limit=1001", "limit"],
  ["limit=ten", "limit"],
  ["timeout=-1", "timeout"],
  ["timeout=soon", "timeout"],
  ["consumer=", "consumer"],
  ["consumer=a%20b", "consumer"],
  [`consumer=${"x".repeat(65)}`, "consumer"],
];

for (const [query, parameter] of refuseCases) {
  Deno.test({
    name: `parsePullQuery() refuses "${
      query.slice(0, 30)
    }" naming ${parameter}`,
    permissions: "none",
    fn() {
      const result = parsePullQuery(new URLSearchParams(query));
      assert.ok(!result.ok);
      assert.equal(result.problem.parameter, parameter);
      assert.ok(result.problem.reason.length > 0);
    },
  });
}

const startCases: [
  string,
  Parameters<typeof pullStart>,
  ReturnType<typeof pullStart>,
][] = [
  ["no offset, new consumer", [undefined, 0, 50], { fromId: 1 }],
  ["no offset, stored cursor", [undefined, 37, 50], { fromId: 37 }],
  ["offset acknowledges below it", [{ at: 101 }, 1, 500], {
    fromId: 101,
    acknowledge: 101,
  }],
  ["offset below the cursor re-reads, cursor kept", [{ at: 5 }, 20, 50], {
    fromId: 5,
  }],
  ["offset equal to the cursor", [{ at: 20 }, 20, 50], { fromId: 20 }],
  ["last N", [{ last: 10 }, 1, 500], { fromId: 491, acknowledge: 491 }],
  ["last N beyond the log", [{ last: 10 }, 0, 3], {
    fromId: 1,
    acknowledge: 1,
  }],
];

for (const [name, args, want] of startCases) {
  Deno.test({
    name: `pullStart(): ${name}`,
    permissions: "none",
    fn() {
      assert.deepEqual(pullStart(...args), want);
    },
  });
}
