// /metrics scraped by a real Prometheus while the gateway talks to a real Prosody: a counter read back through Prometheus' query API.

import assert from "node:assert/strict";
import { Prosody, prosodyTest } from "../support/prosody.ts";
import { startGatewayEnv } from "../support/gateway_env.ts";
import { Prometheus, prometheusInstalled } from "../support/prometheus.ts";

const METRICS_TOKEN = "metrics-e2e-token";
const WAIT_MS = 30_000;

async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const test = prometheusInstalled() ? prosodyTest : (name: string) =>
  Deno.test({
    name: `${name} (skipped: no prometheus)`,
    ignore: true,
    fn() {},
  });

test("metrics: Prometheus scrapes /metrics with its own credential and reads back the request counter", async () => {
  await using prosody = await Prosody.start();
  await using env = await startGatewayEnv(prosody, {
    metricsCredential: `Bearer ${METRICS_TOKEN}`,
  });
  // The REST token is not the metrics credential, and none is a 401.
  const withRestToken = await env.fetch("/metrics");
  assert.equal(withRestToken.status, 403);
  await withRestToken.body?.cancel();
  const without = await fetch(`${env.url}/metrics`);
  assert.equal(without.status, 401);
  assert.match(without.headers.get("WWW-Authenticate") ?? "", /^Bearer /);
  await without.body?.cancel();

  const target = env.url.replace(/^http:\/\//, "");
  await using prometheus = await Prometheus.start({
    target,
    bearer: METRICS_TOKEN,
  });
  const pings = 3;
  for (let i = 0; i < pings; i++) {
    const res = await env.fetch(`/rest/ping/${prosody.host}`, {
      headers: { Accept: "application/json" },
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).type, "result");
  }
  const query = 'xmpp_rest_http_requests_total{route="query",code="200"}';
  const counted = await until(`Prometheus to see ${pings} pings`, async () => {
    const [sample] = await prometheus.query(query);
    return sample !== undefined && sample.value >= pings ? sample : undefined;
  });
  assert.equal(counted.value, pings);
  assert.equal(counted.metric.job, "xmpp-rest");
  const [rtt] = await prometheus.query(
    'xmpp_rest_iq_round_trip_seconds_count{outcome="result"}',
  );
  assert.equal(rtt?.value, pings);
  const [up] = await prometheus.query("xmpp_rest_component_up");
  assert.equal(up?.value, 1);
  const targets = await prometheus.targets();
  assert.equal(targets[0]?.health, "up", targets[0]?.lastError);
});
