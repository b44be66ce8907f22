// The stanza size limit holds for the stanza as written, and a stanza the server refuses with a stream error is logged and never re-sent, over a real Prosody.

import assert from "node:assert/strict";
import { startGatewayEnv } from "../support/gateway_env.ts";
import { Prosody, prosodyTest } from "../support/prosody.ts";
import { connectParty } from "./rest_support.ts";
import type { Logger } from "../../src/logger.ts";
import { NS } from "../../src/xmpp/namespaces.ts";

/** A logger that keeps its lines with their fields. */
function recordingLogger() {
  const lines: { level: string; message: string; fields?: unknown }[] = [];
  const keep = (level: string) => (message: string, fields?: unknown) =>
    lines.push({ level, message, fields });
  const logger: Logger = {
    debug: keep("debug"),
    info: keep("info"),
    warn: keep("warn"),
    error: keep("error"),
  };
  return { logger, lines };
}

function json(body: unknown): RequestInit {
  return {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
}

prosodyTest(
  "stanza size over Prosody: a JSON body under the limit that grows past it when escaped gets 413 and the stream and the messages around it are untouched",
  async () => {
    await using prosody = await Prosody.start();
    await using env = await startGatewayEnv(prosody);
    await using alice = await connectParty(prosody, "alice");
    const to = `alice@${prosody.host}`;
    // The repro: 140,000 ">" are 140 KB of JSON and 560 KB as XML.
    const [before, big, after] = await Promise.all([
      env.fetch("/rest", json({ kind: "message", to, body: "before" })),
      env.fetch(
        "/rest",
        json({ kind: "message", to, body: ">".repeat(140_000) }),
      ),
      env.fetch("/rest", json({ kind: "message", to, body: "after" })),
    ]);
    assert.equal(before.status, 202);
    assert.equal(after.status, 202);
    assert.equal(big.status, 413);
    assert.match(await big.text(), /Payload too large/);
    await before.body?.cancel();
    await after.body?.cancel();
    const bodies = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const message = await alice.next((s) => s.name === "message");
      bodies.add(message.getChildText("body", NS.client) ?? "");
    }
    assert.deepEqual([...bodies].sort(), ["after", "before"]);
    assert.equal(env.gateway.component.online, true);
    const ping = await env.fetch(`/rest/ping/${prosody.host}`, {
      headers: { Accept: "application/json" },
    });
    assert.equal(ping.status, 200);
    await ping.body?.cancel();
  },
);

prosodyTest(
  "stanza size over Prosody: a stanza the server refuses with a stream error is logged with the server's condition and not sent again after the reconnect",
  async () => {
    await using prosody = await Prosody.start();
    const { logger, lines } = recordingLogger();
    // Our limit above Prosody's (512 KiB): Prosody is the one to refuse.
    await using env = await startGatewayEnv(prosody, {
      sizeLimit: 2 * 1024 * 1024,
      logger,
    });
    await using alice = await connectParty(prosody, "alice");
    const to = `alice@${prosody.host}`;
    const big = await env.fetch(
      "/rest",
      json({ kind: "message", to, id: "too-big-1", body: "x".repeat(600_000) }),
    );
    assert.equal(big.status, 202); // handed to the socket: XEP-0114 has no acks
    await big.body?.cancel();
    const deadline = Date.now() + 15_000;
    const refusals = () =>
      lines.filter((l) =>
        l.message === "XMPP server closed the stream after this stanza"
      );
    while (refusals().length === 0 || !env.gateway.component.online) {
      if (Date.now() > deadline) throw new Error("no refusal and reconnect");
      await new Promise((r) => setTimeout(r, 50));
    }
    const [refusal] = refusals();
    assert.equal(refusal.level, "error");
    const fields = refusal.fields as Record<string, unknown>;
    assert.equal(fields.id, "too-big-1");
    assert.equal(fields.kind, "message");
    assert.equal(fields.to, to);
    assert.equal(typeof fields.condition, "string");
    // Back online, the stream stays up: nothing re-sent the stanza.
    const sent = await env.fetch(
      "/rest",
      json({ kind: "message", to, body: "next" }),
    );
    assert.equal(sent.status, 202);
    await sent.body?.cancel();
    const message = await alice.next((s) =>
      s.name === "message" && s.getChildText("body", NS.client) === "next"
    );
    assert.ok(message);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(refusals().length, 1);
    assert.equal(env.gateway.component.online, true);
  },
);
