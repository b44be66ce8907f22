import assert from "node:assert/strict";
import { MSG } from "./support.ts";
import { setup } from "./harness.ts";

Deno.test({
  name:
    "probe() sends OPTIONS to the meta URL and switches to the first format in Accept",
  permissions: "none",
  async fn() {
    const { fake, webhook } = setup((r) =>
      r.method === "OPTIONS"
        ? new Response(null, {
          headers: {
            accept: "text/html, application/json;q=0.9, application/xmpp+xml",
          },
        })
        : new Response(null, { status: 204 })
    );
    assert.equal(webhook.contentType, "application/xmpp+xml");
    const result = await webhook.probe();
    assert.deepEqual(result, {
      state: "ok",
      status: 200,
      contentType: "application/json",
      switched: true,
    });
    assert.equal(fake.requests[0].method, "OPTIONS");
    assert.equal(
      fake.requests[0].url,
      "http://api.example/hook/meta/info/rest.example.net",
    );
    assert.equal(webhook.contentType, "application/json");
    await webhook.deliver(MSG);
    assert.equal(
      fake.requests[1].headers.get("content-type"),
      "application/json",
    );
  },
});

Deno.test({
  name:
    "probe() keeps the format without a usable Accept and reports other statuses",
  permissions: "none",
  async fn() {
    const cases: [Response, string][] = [
      [new Response(null, { status: 200 }), "ok"],
      [
        new Response(null, {
          status: 200,
          headers: { accept: "text/html, */*" },
        }),
        "ok",
      ],
      [
        new Response(null, {
          status: 200,
          headers: { accept: "application/json;q=0" },
        }),
        "ok",
      ],
      [
        new Response(null, {
          status: 405,
          headers: { accept: "application/json" },
        }),
        "unexpected-status",
      ],
    ];
    for (const [response, state] of cases) {
      const { logger, webhook } = setup(() => response);
      const result = await webhook.probe();
      assert.equal(result.state, state);
      assert.equal(webhook.contentType, "application/xmpp+xml");
      if (state !== "ok") {
        assert.ok(logger.lines.some((l) => l.level === "warn"));
      }
    }
  },
});

Deno.test({
  name: "probe() reports an unreachable endpoint and never throws",
  permissions: "none",
  async fn() {
    const { logger, webhook } = setup(() =>
      new TypeError("connection refused")
    );
    const result = await webhook.probe();
    assert.equal(result.state, "unreachable");
    assert.ok(
      logger.lines.some((l) =>
        l.level === "error" && /Cannot reach webhook/.test(l.message)
      ),
    );
    const timed = setup(() => new Promise<never>(() => {}));
    const pending = timed.webhook.probe();
    timed.timeouts.fireAll();
    const timedOut = await pending;
    assert.equal(timedOut.state, "unreachable");
    assert.match(
      timedOut.state === "unreachable" ? timedOut.error : "",
      /timed out after 30 s/,
    );
  },
});
