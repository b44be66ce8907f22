// A frozen XMPP server (SIGSTOP) makes the gateway not ready within the ping deadline and ready again once it thaws; Prosody-Rest-Timeout 0 sends nothing. Over a real Prosody.

import assert from "node:assert/strict";
import { startGatewayEnv } from "../support/gateway_env.ts";
import { Prosody, prosodyTest } from "../support/prosody.ts";
import { connectParty } from "./rest_support.ts";

async function ready(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: await res.text() };
}

async function until(what: string, check: () => Promise<boolean>) {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

prosodyTest(
  "frozen server over Prosody: /readyz turns 503 not-answering while Prosody is stopped with SIGSTOP, and 200 again after SIGCONT",
  async () => {
    await using prosody = await Prosody.start();
    await using env = await startGatewayEnv(prosody, {
      ping: { intervalMs: 300, timeoutMs: 1000 },
    });
    assert.equal((await ready(env.url)).status, 200);
    prosody.signal("SIGSTOP");
    try {
      await until(
        "not ready",
        async () => (await ready(env.url)).status === 503,
      );
      const down = await ready(env.url);
      assert.match(down.body, /not-answering/);
      const send = await env.fetch("/rest", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ to: `alice@${prosody.host}`, body: "x" }),
      });
      assert.equal(send.status, 503); // at once, not after a timeout
      await send.body?.cancel();
    } finally {
      prosody.signal("SIGCONT");
    }
    await until(
      "ready again",
      async () => (await ready(env.url)).status === 200,
    );
  },
);

prosodyTest(
  "Prosody-Rest-Timeout 0 over Prosody: 504 at once and the iq never reaches its recipient",
  async () => {
    await using prosody = await Prosody.start();
    await using env = await startGatewayEnv(prosody);
    await using alice = await connectParty(prosody, "alice");
    const res = await env.fetch("/rest", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Prosody-Rest-Timeout": "0",
      },
      body: JSON.stringify({
        kind: "iq",
        type: "get",
        to: alice.jid,
        id: "zero-timeout",
        ping: true,
      }),
    });
    assert.equal(res.status, 504);
    await res.body?.cancel();
    await assert.rejects(
      alice.next(
        (s) => s.name === "iq" && s.attr("id") === "zero-timeout",
        1000,
      ),
    );
  },
);
