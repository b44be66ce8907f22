// /metrics of a whole gateway in reliable mode: queue depth, dead letters, events stored and webhook attempts read from the real event store.

import assert from "node:assert/strict";
import { startDevServer } from "../src/devserver/server.ts";
import { createGateway } from "../src/gateway.ts";
import type { GatewayOptions } from "../src/gateway_api.ts";

const DOMAIN = "gw.localhost";
const SECRET = "gw-secret";
const TOKEN = "Bearer test-token";

/** A gateway on the dev server `dev` with its webhook at `hookPort`, an in-memory store and `more` options. */
function gatewayWith(
  dev: { hostname: string; port: number },
  hookPort: number,
  more: Partial<GatewayOptions>,
) {
  return createGateway({
    domain: DOMAIN,
    secret: SECRET,
    server: { hostname: dev.hostname, port: dev.port },
    listen: { hostname: "127.0.0.1", port: 0 },
    credentials: [TOKEN],
    callbackUrl: `http://127.0.0.1:${hookPort}/hook`,
    dataDir: ":memory:",
    ...more,
  });
}

Deno.test("gateway metrics: a retried and a dead delivery show as queue depth 1, dead letters 1, 2 events stored", async () => {
  const hook = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const body = await req.text();
      if (req.method !== "POST") return new Response(null, { status: 200 });
      // 400 is refused for good (a dead letter); 503 is retried later.
      return new Response(null, {
        status: body.includes("m-dead") ? 400 : 503,
      });
    },
  );
  await using dev = await startDevServer({ components: { [DOMAIN]: SECRET } });
  await using gateway = await gatewayWith(dev, hook.addr.port, {
    callbackMode: "reliable",
    callbackRetry: [0, 3_600_000],
  });
  try {
    await gateway.component.waitOnline();
    // echo@localhost sends each message back, to two different addresses
    // of the component (two conversations).
    for (const [from, id] of [["a", "m-retry"], ["b", "m-dead"]]) {
      const res = await fetch(`${gateway.url}/rest`, {
        method: "POST",
        headers: { Authorization: TOKEN, "Content-Type": "application/json" },
        body: JSON.stringify({
          kind: "message",
          from: `${from}@${DOMAIN}`,
          to: "echo@localhost",
          id,
          body: id,
        }),
      });
      assert.equal(res.status, 202);
    }
    const scrape = async () =>
      await (await fetch(`${gateway.url}/metrics`)).text();
    const deadline = Date.now() + 15_000;
    let text = await scrape();
    while (
      !/^xmpp_rest_webhook_dead_letters 1$/m.test(text) ||
      !/^xmpp_rest_webhook_queue_depth 1$/m.test(text)
    ) {
      if (Date.now() > deadline) assert.fail(`metrics never settled:\n${text}`);
      await new Promise((r) => setTimeout(r, 50));
      text = await scrape();
    }
    // One pending and one dead letter: both events are kept.
    assert.match(text, /^xmpp_rest_events_stored 2$/m);
    assert.match(text, /^xmpp_rest_events_last_id 2$/m);
    assert.match(
      text,
      /^xmpp_rest_webhook_attempts_total\{outcome="5xx"\} 1$/m,
    );
    assert.match(
      text,
      /^xmpp_rest_webhook_attempts_total\{outcome="4xx"\} 1$/m,
    );
    const age = Number(
      /^xmpp_rest_webhook_oldest_pending_age_seconds (\S+)$/m.exec(text)?.[1],
    );
    assert.ok(age >= 0 && age < 60, String(age));
  } finally {
    await gateway.stop({ graceMs: 500 });
    await hook.shutdown();
  }
});

// A sync webhook alone logs nothing (README "What is kept, and for how
// long"): each stanza is posted as it comes; with pull/SSE on as well, every
// stanza is an event.
const SYNC_LOG: [string, "auto" | "on", number][] = [
  ["a sync webhook alone logs no events", "auto", 0],
  ["a sync webhook with pull/SSE on logs every stanza", "on", 2],
];

for (const [name, eventsApi, lastId] of SYNC_LOG) {
  Deno.test(`gateway metrics: ${name}`, async () => {
    const posted: string[] = [];
    const hook = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      async (req) => {
        posted.push(await req.text());
        return new Response(null, { status: 204 });
      },
    );
    await using dev = await startDevServer({
      components: { [DOMAIN]: SECRET },
    });
    await using gateway = await gatewayWith(dev, hook.addr.port, {
      eventsApi,
    });
    try {
      await gateway.component.waitOnline();
      for (const id of ["s-1", "s-2"]) {
        const res = await fetch(`${gateway.url}/rest`, {
          method: "POST",
          headers: {
            Authorization: TOKEN,
            "Content-Type": "application/json",
          },
          body: JSON.stringify({
            kind: "message",
            from: `a@${DOMAIN}`,
            to: "echo@localhost",
            id,
            body: id,
          }),
        });
        assert.equal(res.status, 202);
      }
      const deadline = Date.now() + 15_000;
      while (posted.length < 2) {
        if (Date.now() > deadline) assert.fail(`posted: ${posted.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const text = await (await fetch(`${gateway.url}/metrics`)).text();
      assert.match(
        text,
        new RegExp(`^xmpp_rest_events_last_id ${lastId}$`, "m"),
      );
    } finally {
      await gateway.stop({ graceMs: 500 });
      await hook.shutdown();
    }
  });
}
