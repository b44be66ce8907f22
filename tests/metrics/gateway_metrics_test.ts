// The gateway's metric families: what each hook changes in the exposition.

import assert from "node:assert/strict";
import { GatewayMetrics } from "../../src/metrics/gateway_metrics.ts";
import { exposition } from "../../src/metrics/exposition.ts";

async function text(metrics: GatewayMetrics): Promise<string> {
  return exposition(await metrics.registry.gather());
}

Deno.test({
  name:
    "GatewayMetrics counts requests by route and code, iqs pending and their round trips",
  permissions: "none",
  async fn() {
    const m = new GatewayMetrics({ version: "1.2.3" });
    m.httpRequest("send", 202, 0.003);
    m.httpRequest("send", 202, 0.004);
    m.httpRequest("query", 504, 1.5);
    m.iqStarted();
    m.iqStarted();
    m.iqEnded("timeout", 1.5);
    const out = await text(m);
    assert.match(out, /^xmpp_rest_build_info\{version="1.2.3"\} 1$/m);
    assert.match(
      out,
      /^xmpp_rest_http_requests_total\{route="send",code="202"\} 2$/m,
    );
    assert.match(
      out,
      /^xmpp_rest_http_requests_total\{route="query",code="504"\} 1$/m,
    );
    assert.match(out, /^xmpp_rest_iqs_pending 1$/m);
    assert.match(
      out,
      /^xmpp_rest_iq_round_trip_seconds_count\{outcome="timeout"\} 1$/m,
    );
    assert.match(
      out,
      /^xmpp_rest_http_request_duration_seconds_bucket\{route="query",le="2.5"\} 1$/m,
    );
  },
});

Deno.test({
  name:
    "GatewayMetrics follows the stream state and counts a lost stream as a reconnect",
  permissions: "none",
  async fn() {
    const m = new GatewayMetrics({ version: "x" });
    m.streamState("connecting", "closed");
    m.streamState("handshaking", "connecting");
    m.streamState("online", "handshaking");
    let out = await text(m);
    assert.match(out, /^xmpp_rest_component_up 1$/m);
    assert.match(out, /^xmpp_rest_component_state\{state="online"\} 1$/m);
    assert.match(out, /^xmpp_rest_component_state\{state="connecting"\} 0$/m);
    assert.match(out, /^xmpp_rest_component_reconnects_total 0$/m);
    m.streamState("waiting-to-reconnect", "online");
    out = await text(m);
    assert.match(out, /^xmpp_rest_component_up 0$/m);
    assert.match(out, /^xmpp_rest_component_reconnects_total 1$/m);
    m.streamState("closing", "online"); // a stop is not a reconnect
    assert.match(await text(m), /^xmpp_rest_component_reconnects_total 1$/m);
    assert.match(await text(m), /^xmpp_rest_inbound_duplicates_total 0$/m);
    m.inboundDuplicate();
    assert.match(await text(m), /^xmpp_rest_inbound_duplicates_total 1$/m);
  },
});

Deno.test({
  name:
    "GatewayMetrics reads queue depth, oldest age, dead letters and events stored at scrape time",
  permissions: "none",
  async fn() {
    const m = new GatewayMetrics({ version: "x", now: () => 100_000 });
    assert.match(
      await text(m),
      /^# TYPE xmpp_rest_webhook_queue_depth gauge\n# HELP/m,
    );
    m.setQueueSource(() =>
      Promise.resolve({
        pending: 4,
        oldestPendingAt: 40_000,
        dead: 2,
        lastEventId: 17,
        storedEvents: 5,
      })
    );
    m.webhookAttempt("5xx", 0.2);
    const out = await text(m);
    assert.match(out, /^xmpp_rest_webhook_queue_depth 4$/m);
    assert.match(out, /^xmpp_rest_webhook_oldest_pending_age_seconds 60$/m);
    assert.match(out, /^xmpp_rest_webhook_dead_letters 2$/m);
    assert.match(out, /^xmpp_rest_events_stored 5$/m);
    assert.match(out, /^xmpp_rest_events_last_id 17$/m);
    assert.match(out, /^xmpp_rest_webhook_attempts_total\{outcome="5xx"\} 1$/m);
  },
});

Deno.test({
  name: "GatewayMetrics reports process memory from the injected reader",
  permissions: "none",
  async fn() {
    const m = new GatewayMetrics({
      version: "x",
      startedAt: 1_700_000_000_000,
      memoryUsage: () => ({
        rss: 5e7,
        heapTotal: 2e7,
        heapUsed: 1e7,
        external: 1e6,
      }),
    });
    const out = await text(m);
    assert.match(out, /^process_resident_memory_bytes 50000000$/m);
    assert.match(out, /^xmpp_rest_heap_bytes\{kind="used"\} 10000000$/m);
    assert.match(out, /^process_start_time_seconds 1700000000$/m);
  },
});

for (
  const c of [
    { name: "none set: zero", source: undefined, http: 0, sse: 0 },
    {
      name: "read at scrape time",
      source: { http: 12, sse: 7 },
      http: 12,
      sse: 7,
    },
  ]
) {
  Deno.test({
    name:
      `GatewayMetrics reports open HTTP connections and SSE clients: ${c.name}`,
    permissions: "none",
    async fn() {
      const m = new GatewayMetrics({ version: "x" });
      if (c.source) m.setConnectionSource(() => c.source!);
      const out = await text(m);
      assert.match(
        out,
        new RegExp(`^xmpp_rest_http_connections ${c.http}$`, "m"),
      );
      assert.match(out, new RegExp(`^xmpp_rest_sse_clients ${c.sse}$`, "m"));
    },
  });
}
