// Reliable webhook delivery end to end over Prosody (README "Reliable mode"): a 10 s outage with 300 messages, signatures checked independently.

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { Buffer } from "node:buffer";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { PROSODY } from "../support/xmpp_server.ts";
import { startGatewayEnv } from "../support/gateway_env.ts";

const SECRET_KEY = "c2VjcmV0LWtleS1mb3ItdGVzdHMtMTIzNDU2Nzg5MA==";
const SECRET = `whsec_${SECRET_KEY}`;

/** A loopback port nobody listens on (yet). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The Standard Webhooks signature, computed here independently of the gateway. */
function expectedSignature(headers: Headers, body: string): string {
  const content = `${headers.get("webhook-id")}.${
    headers.get("webhook-timestamp")
  }.${body}`;
  return createHmac("sha256", Buffer.from(SECRET_KEY, "base64")).update(
    content,
  ).digest("base64");
}

const chat = (to: string, n: number) =>
  el(
    "message",
    NS.client,
    { to, type: "chat", id: `c${n}` },
    el("body", NS.client, {}, String(n)),
  );

if (PROSODY.installed()) {
  Deno.test("reliable mode over Prosody: 300 messages survive a 10 s refused webhook, in order, once each, signed", async () => {
    await using server = await PROSODY.start();
    const port = freePort();
    await using env = await startGatewayEnv(server, {
      callbackUrl: `http://127.0.0.1:${port}/hook/{kind}`,
      callbackMode: "reliable",
      callbackRetry: [0, 500, 1000, 2000, 2000, 2000, 2000, 2000, 2000, 2000],
      callbackSecrets: [SECRET],
      dataDir: ":memory:",
    });
    const alice = await env.party("alice");
    const to = `bot@${env.domain}`;
    const started = Date.now();
    for (let n = 1; n <= 300; n++) alice.send(chat(to, n));
    // Refused for 10 s from the first message, then the endpoint comes up.
    await new Promise((r) => setTimeout(r, 10_000 - (Date.now() - started)));
    const bodies: string[] = [];
    const ids = new Set<string>();
    let bad = 0;
    const done = Promise.withResolvers<void>();
    const endpoint = Deno.serve(
      { hostname: "127.0.0.1", port, onListen() {} },
      async (request) => {
        const body = await request.text();
        const signature = request.headers.get("webhook-signature") ?? "";
        if (signature !== `v1,${expectedSignature(request.headers, body)}`) {
          bad++;
        }
        ids.add(request.headers.get("webhook-id") ?? "");
        const text = /<body>(\d+)<\/body>/.exec(body)?.[1];
        if (text) bodies.push(text);
        if (bodies.length === 300) done.resolve();
        return new Response(null, { status: 204 });
      },
    );
    try {
      await Promise.race([
        done.promise,
        new Promise((_, reject) =>
          setTimeout(
            () => reject(new Error(`only ${bodies.length} of 300 delivered`)),
            60_000,
          )
        ),
      ]);
    } finally {
      await endpoint.shutdown();
    }
    assert.equal(bad, 0, "every signature verifies");
    assert.equal(bodies.length, 300, "each event delivered exactly once");
    assert.equal(ids.size, 300, "one webhook-id per event");
    assert.deepEqual(
      bodies,
      Array.from({ length: 300 }, (_, i) => String(i + 1)),
      "per-sender order kept",
    );
    await assert.rejects(
      alice.next((s) => s.attr("type") === "error", 500),
      "the sender saw no error",
    );
    const status = await env.fetch("/webhook");
    const body = await status.json();
    assert.equal(status.status, 200);
    assert.equal(body.mode, "reliable");
    assert.equal(body.pending, 0);
    assert.match(body.lastError.reason, /connection refused/);
  });
}
