// Idle connections (README "Connection limits and timeouts"): the gateway as its own process (cli.ts) over real Prosody holds 10,000 idle HTTP connections and keeps serving requests on another one.

import { TEST_TOKEN } from "../tests/support/gateway_env.ts";
import { PROSODY } from "../tests/support/xmpp_server.ts";
import { quantile } from "./load.ts";
import { cpuUs, rssBytes, startGatewayProcess } from "./process.ts";

const IDLE = 10_000;
const REQUESTS = 2_000;
const DEADLINE_MS = 120_000;

/** Opens `count` TCP connections that send nothing, 200 at a time. */
async function openIdle(port: number, count: number): Promise<Deno.Conn[]> {
  const conns: Deno.Conn[] = [];
  while (conns.length < count) {
    const batch = Math.min(200, count - conns.length);
    conns.push(
      ...await Promise.all(
        Array.from(
          { length: batch },
          () => Deno.connect({ hostname: "127.0.0.1", port }),
        ),
      ),
    );
  }
  return conns;
}

/** `count` sequential iq pings on one kept-alive connection; latencies in ms. */
async function pings(url: string, host: string, count: number) {
  const latencies: number[] = [];
  let failed = 0;
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const res = await fetch(`${url}/rest/ping/${host}`, {
      headers: { Authorization: TEST_TOKEN, Accept: "application/json" },
    });
    await res.body?.cancel();
    if (res.status !== 200) failed++;
    latencies.push(performance.now() - started);
  }
  return { latencies, failed };
}

function describe(name: string, r: { latencies: number[]; failed: number }) {
  const p = (q: number) => quantile(r.latencies, q).toFixed(2);
  return `${name}: ${r.latencies.length} pings, ${r.failed} failed, p50 ${
    p(0.5)
  } ms, p99 ${p(0.99)} ms`;
}

const timer = setTimeout(() => {
  // deno-lint-ignore no-console
  console.error(`bench/idle.ts: gave up after ${DEADLINE_MS / 1000} s`);
  Deno.exit(1);
}, DEADLINE_MS);

await using prosody = await PROSODY.start();
const [domain] = Object.keys(prosody.components);
await using gateway = await startGatewayProcess({
  server: prosody.componentAddress,
  domain,
  secret: prosody.components[domain],
  // Idle and header timeouts longer than the bench: the connections stay.
  flags: [
    "--max-connections",
    String(IDLE + 100),
    "--header-timeout",
    "300",
    "--idle-timeout",
    "300",
  ],
});
const port = Number(new URL(gateway.url).port);

const before = await pings(gateway.url, prosody.host, REQUESTS);
const rssBefore = rssBytes(gateway.pid);
const openStarted = performance.now();
const idle = await openIdle(port, IDLE);
const openMs = performance.now() - openStarted;
await new Promise((r) => setTimeout(r, 1_000));
const rssIdle = rssBytes(gateway.pid);
const cpuBefore = cpuUs(gateway.pid);
const during = await pings(gateway.url, prosody.host, REQUESTS);
const cpuPerPing = (cpuUs(gateway.pid) - cpuBefore) / REQUESTS;
const alive = await fetch(`${gateway.url}/readyz`);
await alive.body?.cancel();
for (const conn of idle) conn.close();
clearTimeout(timer);

// deno-lint-ignore no-console
console.log([
  `idle connections held: ${idle.length} (opened in ${openMs.toFixed(0)} ms)`,
  `gateway RSS: ${(rssBefore / 2 ** 20).toFixed(1)} MiB before, ${
    (rssIdle / 2 ** 20).toFixed(1)
  } MiB with them (${
    ((rssIdle - rssBefore) / idle.length / 1024).toFixed(1)
  } KiB each)`,
  describe("without idle connections", before),
  describe(`with ${idle.length} idle connections`, during),
  `gateway CPU per ping with them: ${cpuPerPing.toFixed(0)} µs`,
  `/readyz afterwards: ${alive.status}`,
].join("\n"));
if (during.failed > 0 || alive.status !== 200) Deno.exit(1);
