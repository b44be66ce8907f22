// Reliable mode survives a SIGKILL (README "Guarantees"): cli.ts as a subprocess over Prosody, killed with 300 events pending, restarted on the same data dir.

import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { PROSODY } from "../support/xmpp_server.ts";
import { C2sClient } from "../support/c2s_client.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;
const TOKEN = "Bearer restart-token";

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Starts cli.ts with `--allow-write` for the data dir only, as the README says. */
function startCli(args: string[], dataDir: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      `--allow-write=${dataDir}`,
      CLI,
      ...args,
    ],
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function webhookStatus(
  api: string,
): Promise<{ pending: number } | undefined> {
  const response = await fetch(`${api}/webhook`, {
    headers: { Authorization: TOKEN },
  });
  if (!response.ok) {
    await response.body?.cancel();
    return undefined;
  }
  return await response.json();
}

if (PROSODY.installed()) {
  Deno.test("reliable mode: 300 pending events survive SIGKILL and are delivered after a restart on the same data dir", async () => {
    await using server = await PROSODY.start();
    const domain = Object.keys(server.components)[0];
    const dataDir = await Deno.makeTempDir({ prefix: "xmpp-rest-restart-" });
    const hookPort = freePort();
    const httpPort = freePort();
    const api = `http://127.0.0.1:${httpPort}`;
    const args = [
      "--domain",
      domain,
      "--secret",
      server.components[domain],
      "--server",
      server.componentAddress,
      "--listen",
      `127.0.0.1:${httpPort}`,
      "--credentials",
      TOKEN,
      "--callback-url",
      `http://127.0.0.1:${hookPort}/hook/{kind}`,
      "--callback-mode",
      "reliable",
      "--callback-retry",
      "0s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s",
      "--data-dir",
      dataDir,
    ];
    let first: Deno.ChildProcess | undefined = startCli(args, dataDir);
    let second: Deno.ChildProcess | undefined;
    const alice = await C2sClient.connect({
      port: server.c2sPort,
      domain: server.host,
      username: "alice",
      password: server.users.alice,
    });
    try {
      await waitFor("the gateway to be ready", async () => {
        const r = await fetch(`${api}/readyz`);
        await r.body?.cancel();
        return r.ok ? true : undefined;
      });
      for (let n = 1; n <= 300; n++) {
        alice.send(
          el(
            "message",
            NS.client,
            { to: `bot@${domain}`, type: "chat", id: `k${n}` },
            el("body", NS.client, {}, String(n)),
          ),
        );
      }
      await waitFor("300 pending events", async () => {
        const status = await webhookStatus(api);
        return status && status.pending === 300 ? status : undefined;
      });
      first.kill("SIGKILL");
      await first.status;
      first = undefined;

      const bodies: string[] = [];
      const done = Promise.withResolvers<void>();
      await using _endpoint = Deno.serve(
        { hostname: "127.0.0.1", port: hookPort, onListen() {} },
        async (request) => {
          const text = /<body>(\d+)<\/body>/.exec(await request.text())?.[1];
          if (text) bodies.push(text);
          if (new Set(bodies).size === 300) done.resolve();
          return new Response(null, { status: 204 });
        },
      );
      second = startCli(args, dataDir);
      const timer = setTimeout(
        () =>
          done.reject(
            new Error(
              `only ${new Set(bodies).size} of 300 delivered after the restart`,
            ),
          ),
        60_000,
      );
      try {
        await done.promise;
      } finally {
        clearTimeout(timer);
      }
      assert.deepEqual(
        [...new Set(bodies)],
        Array.from({ length: 300 }, (_, i) => String(i + 1)),
      );
      const status = await waitFor("pending 0", async () => {
        const s = await webhookStatus(api);
        return s && s.pending === 0 ? s : undefined;
      });
      assert.equal(status.pending, 0);
    } finally {
      await alice.close();
      for (const child of [first, second]) {
        if (!child) continue;
        child.kill("SIGKILL");
        await child.status;
      }
      await Deno.remove(dataDir, { recursive: true });
    }
  });
}
