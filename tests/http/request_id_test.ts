// X-Request-Id: honoured when acceptable, generated otherwise, returned on every response, and in the REST handler's log lines.

import assert from "node:assert/strict";
import { createHttpApp } from "../../src/http/app.ts";
import { requestIdFor } from "../../src/http/request_id.ts";
import { createLogger } from "../../src/logger.ts";
import { GatewayMetrics } from "../../src/metrics/gateway_metrics.ts";
import { exposition } from "../../src/metrics/exposition.ts";
import { setup, TOKEN } from "./helpers.ts";

const IDS: [string, string | null, string][] = [
  ["a client id", "order-1234", "order-1234"],
  [
    "a UUID",
    "5f0c1f0e-8d0b-4a37-9a43-3f1b2c9d6e21",
    "5f0c1f0e-8d0b-4a37-9a43-3f1b2c9d6e21",
  ],
  ["no header", null, "generated"],
  ["an empty header", "", "generated"],
  ["one with a space", "a b", "generated"],
  ["one with a quote", 'a"b', "generated"],
  ["one of 129 characters", "x".repeat(129), "generated"],
  ["one of 128 characters", "x".repeat(128), "x".repeat(128)],
];
for (const [what, header, id] of IDS) {
  Deno.test({
    name: `requestIdFor: ${what} -> ${
      id.length > 40 ? id.length + " chars" : id
    }`,
    permissions: "none",
    fn: () => assert.equal(requestIdFor(header, () => "generated"), id),
  });
}

function app() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    format: "json",
    write: (line) => lines.push(JSON.parse(line)),
  });
  const { handler } = setup({ logger });
  const metrics = new GatewayMetrics({ version: "t" });
  let n = 0;
  const http = createHttpApp({
    rest: handler,
    readiness: () => ({ online: true, state: "online" }),
    metrics,
    logger,
    newRequestId: () => `gen-${++n}`,
  });
  return { http, lines, metrics };
}

Deno.test("the app returns the client's X-Request-Id and logs it on the access line", async () => {
  const { http, lines } = app();
  const res = await http(
    new Request("http://gw.test/rest", {
      method: "POST",
      headers: {
        Authorization: "Bearer wrong",
        "X-Request-Id": "order-1234",
        "Content-Type": "application/json",
      },
      body: "{}",
    }),
  );
  assert.equal(res.status, 403);
  assert.equal(res.headers.get("X-Request-Id"), "order-1234");
  await res.body?.cancel();
  const access = lines.find((l) => l.msg === "http request");
  assert.equal(access?.requestId, "order-1234");
  assert.equal(
    access?.reason,
    "Credentials not accepted",
    "which check refused it",
  );
});

Deno.test("the app generates an id for each request without one, on every route", async () => {
  const { http } = app();
  const ids: (string | null)[] = [];
  for (
    const path of [
      "/healthz",
      "/readyz",
      "/rest/openapi.json",
      "/metrics",
      "/nope",
    ]
  ) {
    const res = await http(
      new Request(`http://gw.test${path}`, {
        headers: { Authorization: TOKEN },
      }),
    );
    ids.push(res.headers.get("X-Request-Id"));
    await res.body?.cancel();
  }
  assert.deepEqual(ids, ["gen-1", "gen-2", "gen-3", "gen-4", "gen-5"]);
});

Deno.test("the app counts requests by route label and status code", async () => {
  const { http, metrics } = app();
  for (
    const path of [
      "/healthz",
      "/healthz",
      "/rest/ping/x.example",
      "/some/where",
    ]
  ) {
    const res = await http(
      new Request(`http://gw.test${path}`, {
        headers: { Authorization: TOKEN },
      }),
    );
    await res.body?.cancel();
  }
  const text = exposition(await metrics.registry.gather());
  assert.match(
    text,
    /^xmpp_rest_http_requests_total\{route="healthz",code="200"\} 2$/m,
  );
  assert.match(
    text,
    /^xmpp_rest_http_requests_total\{route="query",code="504"\} 1$/m,
  );
  assert.match(
    text,
    /^xmpp_rest_http_requests_total\{route="other",code="404"\} 1$/m,
  );
});
