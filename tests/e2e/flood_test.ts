// Connection floods against the CLI gateway with a lowered descriptor limit (a child process under `ulimit -n`), over a real Prosody.

import assert from "node:assert/strict";
import { Prosody, prosodyTest } from "../support/prosody.ts";

const DESCRIPTOR_LIMIT = 256;
const FLOOD = 400;
const TOKEN = "Bearer flood-token";

/** The CLI gateway in a child process whose descriptor limit is `DESCRIPTOR_LIMIT`. */
function startCli(prosody: Prosody, port: number, flags: string[]) {
  const [domain] = Object.keys(prosody.components);
  const child = new Deno.Command("bash", {
    args: [
      "-c",
      `ulimit -n ${DESCRIPTOR_LIMIT} && exec "$0" "$@"`,
      Deno.execPath(),
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      new URL("../../cli.ts", import.meta.url).pathname,
      "--server",
      prosody.componentAddress,
      "--listen",
      `127.0.0.1:${port}`,
      "--log-format",
      "json",
      ...flags,
    ],
    env: {
      XMPP_REST_DOMAIN: domain,
      XMPP_REST_SECRET: prosody.components[domain],
      XMPP_REST_CREDENTIALS: TOKEN,
      XMPP_REST_DATA_DIR: ":memory:",
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let exited = false;
  child.status.then(() => exited = true);
  const log = new Response(child.stderr).text();
  return {
    get exited() {
      return exited;
    },
    /** Stops the child (SIGKILL if SIGTERM is not enough) and returns its log lines. */
    async stop(): Promise<Record<string, unknown>[]> {
      try {
        child.kill("SIGTERM");
      } catch { /* exited */ }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* exited */ }
      }, 15_000);
      await child.status;
      clearTimeout(timer);
      return (await log).trim().split("\n").filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l));
    },
  };
}

function freePort(): number {
  using probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return (probe.addr as Deno.NetAddr).port;
}

async function until(what: string, check: () => Promise<boolean>) {
  const deadline = Date.now() + 20_000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `FLOOD` connections, each with half a request head sent; failures to connect are counted, not thrown. */
async function flood(port: number) {
  const conns: Deno.Conn[] = [];
  let refused = 0;
  const head = new TextEncoder().encode("GET / HTTP/1.1\r\n");
  for (let i = 0; i < FLOOD; i++) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conns.push(conn);
      await conn.write(head).catch(() => 0);
    } catch {
      refused++;
    }
  }
  return {
    conns,
    refused,
    [Symbol.dispose]() {
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed */ }
      }
    },
  };
}

/** An iq ping to the server over a new HTTP connection (no pooled one). */
async function ping(url: string, host: string): Promise<number> {
  using client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  const res = await fetch(`${url}/rest/ping/${host}`, {
    headers: { Authorization: TOKEN, Accept: "application/json" },
    client,
    signal: AbortSignal.timeout(5000),
  });
  await res.body?.cancel();
  return res.status;
}

const EPISODES = ["HTTP accept failing", "HTTP connection cap reached"];

const CASES = [
  {
    name: "the default cap, learnt at the first EMFILE",
    flags: ["--header-timeout", "2"],
    episodes: ["HTTP accept failing"],
  },
  {
    name: "a cap under the descriptor limit answers the excess 503",
    flags: ["--header-timeout", "2", "--max-connections", "100"],
    episodes: ["HTTP connection cap reached"],
  },
];

for (const c of CASES) {
  prosodyTest(
    `flood over Prosody: ${FLOOD} half-open connections with ${DESCRIPTOR_LIMIT} descriptors: the process lives and serves again (${c.name})`,
    async () => {
      await using prosody = await Prosody.start();
      const port = freePort();
      const url = `http://127.0.0.1:${port}`;
      const cli = startCli(prosody, port, c.flags);
      try {
        await until("ready", async () => {
          const res = await fetch(`${url}/readyz`);
          await res.body?.cancel();
          return res.status === 200;
        });
        const held = await flood(port);
        try {
          assert.equal(held.conns.length + held.refused, FLOOD);
          // The server closes the half-open connections after the header
          // timeout and answers again while the attacker still holds them.
          await until(
            "served again",
            async () => (await ping(url, prosody.host)) === 200,
          );
          assert.equal(cli.exited, false, "the gateway is still running");
        } finally {
          held[Symbol.dispose]();
        }
        assert.equal(await ping(url, prosody.host), 200);
        const lines = await cli.stop();
        for (const episode of c.episodes) {
          const starts = lines.filter((l) => l.msg === episode);
          assert.equal(starts.length, 1, `one "${episode}" line per episode`);
        }
        for (const episode of EPISODES) {
          assert.ok(
            lines.filter((l) => l.msg === episode).length <= 1,
            `"${episode}" at most once`,
          );
        }
      } finally {
        if (!cli.exited) await cli.stop();
      }
    },
  );
}

prosodyTest(
  "flood over Prosody: a request body that stalls gets 408 after the body timeout and its connection is closed",
  async () => {
    await using prosody = await Prosody.start();
    const port = freePort();
    const cli = startCli(prosody, port, ["--body-timeout", "1"]);
    try {
      await until("ready", async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        await res.body?.cancel();
        return res.status === 200;
      });
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(new TextEncoder().encode(
        `POST /rest HTTP/1.1\r\nHost: x\r\nAuthorization: ${TOKEN}\r\n` +
          "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
      ));
      let text = "";
      const buffer = new Uint8Array(4096);
      const started = performance.now();
      while (true) {
        const n = await conn.read(buffer).catch(() => null);
        if (n === null) break;
        text += new TextDecoder().decode(buffer.subarray(0, n));
      }
      conn.close();
      const ms = performance.now() - started;
      assert.match(text, /^HTTP\/1\.1 408 /);
      assert.match(text, /Request body timed out/);
      assert.ok(ms > 800 && ms < 10_000, `answered after ${ms} ms`);
    } finally {
      await cli.stop();
    }
  },
);
