// GET /metrics: its own credential (401 without, 403 with another), the text format, methods.

import assert from "node:assert/strict";
import {
  metricsRefusal,
  metricsResponse,
} from "../../src/http/metrics_route.ts";
import { GatewayMetrics } from "../../src/metrics/gateway_metrics.ts";
import { silentLogger } from "../../src/logger.ts";

const CASES: [string, string | null, string | undefined, number | undefined][] =
  [
    ["no credential configured, no header", null, undefined, undefined],
    ["no credential configured, any header", "Bearer x", undefined, undefined],
    ["credential configured, no header", null, "Bearer m", 401],
    ["credential configured, the same", "Bearer m", "Bearer m", undefined],
    [
      "credential configured, scheme in other case",
      "bearer m",
      "Bearer m",
      undefined,
    ],
    [
      "credential configured, another token",
      "Bearer rest-token",
      "Bearer m",
      403,
    ],
    ["credential configured, another scheme", "Basic bQ==", "Bearer m", 403],
  ];
for (const [what, header, credential, status] of CASES) {
  Deno.test({
    name: `metricsRefusal: ${what} -> ${status ?? "allowed"}`,
    permissions: "none",
    fn: () => assert.equal(metricsRefusal(header, credential)?.status, status),
  });
}

Deno.test({
  name:
    "metricsResponse serves the text format to GET, headers only to HEAD, 405 otherwise",
  permissions: "none",
  async fn() {
    const metrics = new GatewayMetrics({ version: "t" });
    const options = {
      registry: metrics.registry,
      logger: silentLogger,
      credential: "Bearer m",
    };
    const auth = { Authorization: "Bearer m" };
    const get = await metricsResponse(
      new Request("http://x/metrics", { headers: auth }),
      options,
    );
    assert.equal(get.status, 200);
    assert.equal(
      get.headers.get("Content-Type"),
      "text/plain; version=0.0.4; charset=utf-8",
    );
    assert.match(
      await get.text(),
      /^# TYPE xmpp_rest_http_requests_total counter$/m,
    );
    const head = await metricsResponse(
      new Request("http://x/metrics", { method: "HEAD", headers: auth }),
      options,
    );
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
    const post = await metricsResponse(
      new Request("http://x/metrics", { method: "POST", headers: auth }),
      options,
    );
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("Allow"), "GET, HEAD");
    const none = await metricsResponse(
      new Request("http://x/metrics"),
      options,
    );
    assert.equal(none.status, 401);
    assert.equal(
      none.headers.get("WWW-Authenticate"),
      'Bearer realm="metrics"',
    );
  },
});
