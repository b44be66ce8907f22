// Operations against a real XMPP server: readiness across a server restart, and the CLI in production mode.

import assert from "node:assert/strict";
import { forEachServer, type ServerKind } from "../support/xmpp_server.ts";
import { startGatewayEnv } from "../support/gateway_env.ts";

const WAIT_MS = 15_000;

async function until(
  what: string,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function readyStatus(url: string): Promise<number> {
  const res = await fetch(`${url}/readyz`);
  await res.body?.cancel();
  return res.status;
}

function defineOperations(kind: ServerKind): void {
  Deno.test(`operations over ${kind.name}: /readyz flips with the stream when the server stops and starts`, async () => {
    await using server = await kind.start();
    await using env = await startGatewayEnv(server);
    assert.equal(await readyStatus(env.url), 200);
    await server.stop();
    await until("readyz 503", async () => (await readyStatus(env.url)) === 503);
    const down = await fetch(`${env.url}/readyz`);
    assert.equal(down.headers.get("Content-Type"), "application/health+json");
    const body = await down.json();
    assert.equal(body.status, "fail");
    assert.ok(!JSON.stringify(body).includes(server.components[env.domain]));
    assert.ok(down.headers.get("Retry-After"));
    const live = await fetch(`${env.url}/healthz`);
    assert.equal(live.status, 200); // alive, just not ready
    await live.body?.cancel();
    await server.start();
    await until("readyz 200", async () => (await readyStatus(env.url)) === 200);
    const ping = await env.fetch(`/rest/ping/${server.host}`, {
      headers: { Accept: "application/json" },
    });
    assert.equal(ping.status, 200);
    assert.equal((await ping.json()).type, "result");
  });

  Deno.test(`operations over ${kind.name}: the CLI runs from env and flags, serves, and exits 0 on SIGTERM`, async () => {
    await using server = await kind.start();
    const [domain] = Object.keys(server.components);
    using probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const dataDir = await Deno.makeTempDir({ prefix: "xmpp-rest-cli-" });
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--allow-env",
        "--allow-read",
        "--allow-write",
        new URL("../../cli.ts", import.meta.url).pathname,
        "--server",
        server.componentAddress,
        "--listen",
        `127.0.0.1:${port}`,
        "--log-format",
        "json",
      ],
      env: {
        XMPP_REST_DOMAIN: domain,
        XMPP_REST_SECRET: server.components[domain],
        XMPP_REST_CREDENTIALS: "Bearer cli-token",
        XMPP_REST_DATA_DIR: dataDir,
      },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const url = `http://127.0.0.1:${port}`;
    try {
      await until("the CLI gateway to be ready", async () => {
        try {
          return (await readyStatus(url)) === 200;
        } catch {
          return false; // not listening yet
        }
      });
      const version = await fetch(`${url}/rest/version/${server.host}`, {
        headers: {
          Authorization: "Bearer cli-token",
          Accept: "application/json",
        },
      });
      assert.equal(version.status, 200);
      const json = await version.json();
      assert.equal(json.type, "result");
      assert.equal(json.from, server.host);
      child.kill("SIGTERM");
      const status = await child.status;
      assert.equal(status.code, 0);
      const log = await new Response(child.stderr).text();
      const lines = log.trim().split("\n").map((l) => JSON.parse(l));
      assert.ok(
        lines.some((l) =>
          l.msg === "http request" && l.path.startsWith("/rest/version/")
        ),
      );
      assert.ok(
        !log.includes(server.components[domain]),
        "the secret is never logged",
      );
      assert.ok(!log.includes("cli-token"), "the token is never logged");
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  });
}

forEachServer("operations", defineOperations);
