// Prometheus text format 0.0.4: escaping, values, and the lines written for each metric type.

import assert from "node:assert/strict";
import {
  escapeHelp,
  escapeLabelValue,
  exposition,
  formatValue,
} from "../../src/metrics/exposition.ts";
import {
  Counter,
  Gauge,
  Histogram,
  MetricDefinitionError,
  Registry,
} from "../../src/metrics/registry.ts";

const VALUES: [number, string][] = [
  [0, "0"],
  [42, "42"],
  [0.25, "0.25"],
  [Infinity, "+Inf"],
  [-Infinity, "-Inf"],
  [NaN, "NaN"],
];
for (const [value, text] of VALUES) {
  Deno.test({
    name: `formatValue(${value}) is ${text}`,
    permissions: "none",
    fn: () => assert.equal(formatValue(value), text),
  });
}

const ESCAPES: [string, string, string][] = [
  ["plain", "plain", "plain"],
  ['a"b', 'a\\"b', 'a"b'],
  ["a\\b", "a\\\\b", "a\\\\b"],
  ["a\nb", "a\\nb", "a\\nb"],
];
for (const [raw, label, help] of ESCAPES) {
  Deno.test({
    name: `escapeLabelValue / escapeHelp of ${JSON.stringify(raw)}`,
    permissions: "none",
    fn() {
      assert.equal(escapeLabelValue(raw), label);
      assert.equal(escapeHelp(raw), help);
    },
  });
}

Deno.test({
  name:
    "exposition() writes HELP, TYPE and one line per sample for counters and gauges",
  permissions: "none",
  async fn() {
    const registry = new Registry();
    const counter = registry.add(
      new Counter("t_requests_total", "Requests.", ["route", "code"]),
    );
    counter.labels("send", "202").value += 2;
    counter.inc(1, "query", "200");
    registry.add(new Gauge("t_up", "Up.")).labels().value = 1;
    registry.add(new Gauge("t_empty", "No samples.", ["x"]));
    assert.equal(
      exposition(await registry.gather()),
      [
        "# HELP t_requests_total Requests.",
        "# TYPE t_requests_total counter",
        't_requests_total{route="send",code="202"} 2',
        't_requests_total{route="query",code="200"} 1',
        "# HELP t_up Up.",
        "# TYPE t_up gauge",
        "t_up 1",
        "# HELP t_empty No samples.",
        "# TYPE t_empty gauge",
        "",
      ].join("\n"),
    );
  },
});

Deno.test({
  name:
    "exposition() writes cumulative histogram buckets, +Inf, _sum and _count",
  permissions: "none",
  async fn() {
    const registry = new Registry();
    const h = registry.add(
      new Histogram("t_seconds", "Latency.", ["route"], [0.1, 1]),
    );
    const child = h.labels("send");
    for (const v of [0.05, 0.1, 0.5, 3]) child.observe(v);
    assert.equal(
      exposition(await registry.gather()),
      [
        "# HELP t_seconds Latency.",
        "# TYPE t_seconds histogram",
        't_seconds_bucket{route="send",le="0.1"} 2',
        't_seconds_bucket{route="send",le="1"} 3',
        't_seconds_bucket{route="send",le="+Inf"} 4',
        't_seconds_sum{route="send"} 3.65',
        't_seconds_count{route="send"} 4',
        "",
      ].join("\n"),
    );
  },
});

Deno.test({
  name:
    "labels() returns the same child for the same values, and a new one for others",
  permissions: "none",
  fn() {
    const c = new Counter("t_total", "T.", ["a", "b"]);
    assert.equal(c.labels("x", "y"), c.labels("x", "y"));
    assert.notEqual(c.labels("x", "y"), c.labels("x", "z"));
    assert.throws(() => c.labels("x"), MetricDefinitionError);
  },
});

const BAD_DEFINITIONS: [string, () => unknown][] = [
  ["a name with a dash", () => new Counter("bad-name", "x")],
  ["a label named le", () => new Histogram("h", "x", ["le"])],
  ["a reserved label", () => new Gauge("g", "x", ["__x"])],
  ["bounds that do not ascend", () => new Histogram("h", "x", [], [1, 1])],
];
for (const [what, define] of BAD_DEFINITIONS) {
  Deno.test({
    name: `a metric with ${what} is refused`,
    permissions: "none",
    fn: () => assert.throws(define, MetricDefinitionError),
  });
}

Deno.test({
  name:
    "Registry refuses a second family of the same name; a failing collector is reported and the rest still run",
  permissions: "none",
  async fn() {
    const registry = new Registry();
    const g = registry.add(new Gauge("t_g", "G."));
    assert.throws(() => registry.add(new Gauge("t_g", "again")), /already/);
    registry.collect(() => {
      throw new Error("store down");
    });
    registry.collect(() => {
      g.labels().value = 7;
    });
    const errors: unknown[] = [];
    const text = exposition(await registry.gather((e) => errors.push(e)));
    assert.match(text, /^t_g 7$/m);
    assert.equal(errors.length, 1);
  },
});
