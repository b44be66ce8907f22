// Benchmark of the REST sending API (README "Sending (REST API)") against a real Prosody, with the bare component as ceiling.
// Run: deno run -A bench/rest.ts [--seconds 3] [--rounds 3] [--load wrk|fetch] [--longpolls 10000]
// Loopback only. Starts Prosody (tests/support) and the gateway in this
// process; load generators, the counting c2s party and the memory probes
// are child processes (bench/rest_client.ts).
// deno-lint-ignore-file no-console

import { createComponent } from "../src/component/mod.ts";
import type { ComponentClient } from "../src/component/mod.ts";
import { el } from "../src/xml/element.ts";
import { NS } from "../src/xmpp/namespaces.ts";
import { startGatewayEnv } from "../tests/support/gateway_env.ts";
import { PROSODY, type XmppServer } from "../tests/support/xmpp_server.ts";
import {
  Child,
  closedLoop,
  type LoadRequest,
  type LoadResult,
  quantile,
  rate,
  runWrk,
  wrkInstalled,
} from "./load.ts";
import { jsonPost, memory, partyConfig } from "./rest_memory.ts";

const arg = (name: string, fallback: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i === -1 ? fallback : Deno.args[i + 1];
};
const SECONDS = Number(arg("seconds", "3"));
const ROUNDS = Number(arg("rounds", "3"));
const LOAD = arg("load", wrkInstalled() ? "wrk" : "fetch") as "wrk" | "fetch";
const LONGPOLLS = Number(arg("longpolls", "10000"));
const CONCURRENCY = [1, 16, 64, 256];

/** CPU time of this process (the gateway, or the bare component), ms; NaN off Linux. */
function cpuMs(): number {
  try {
    const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1]
      .split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10; // 100 Hz ticks
  } catch {
    return NaN;
  }
}

/** A measured run with this process's CPU time per request, µs. */
type Measured = LoadResult & { cpuUs: number };

async function measure(run: () => Promise<LoadResult>): Promise<Measured> {
  const before = cpuMs();
  const result = await run();
  return { ...result, cpuUs: (cpuMs() - before) * 1000 / result.requests };
}

async function fetchLoad(
  request: LoadRequest,
  concurrency: number,
  seconds: number,
  status: number,
): Promise<LoadResult> {
  const config = { mode: "fetch", request, concurrency, seconds, status };
  await using child = new Child(config);
  return await child.read<LoadResult>();
}

/**
 * A repeated POST with the chosen load generator, after a 1 s warm-up
 * (connections, JIT); `status` is the expected answer, `settle` runs
 * between warm-up and measurement.
 */
async function generate(
  request: LoadRequest,
  concurrency: number,
  status: number,
  settle: (warmup: LoadResult) => Promise<void> = async () => {},
): Promise<Measured> {
  const run = (seconds: number) =>
    LOAD === "wrk"
      ? runWrk(request, concurrency, seconds)
      : fetchLoad(request, concurrency, seconds, status);
  await settle(await run(1));
  return await measure(() => run(SECONDS));
}

/** The component client alone: iq pings to the server with `c` in flight, no HTTP. */
async function ceilingRun(
  component: ComponentClient,
  host: string,
  concurrency: number,
): Promise<Measured> {
  const once = async () => {
    const ping = el("ping", "urn:xmpp:ping");
    const iq = el("iq", NS.client, { type: "get", to: host }, ping);
    const reply = await component.sendIq(iq, { timeoutMs: 10_000 });
    return reply.attr("type") === "result";
  };
  await closedLoop(concurrency, 1, once); // warm-up
  return await measure(() => closedLoop(concurrency, SECONDS, once));
}

interface Row {
  scenario: string;
  concurrency: number;
  result: Measured;
  delivered?: number;
}

const MESSAGE = "(1) POST message -> c2s party";
const PING = "(2) POST iq ping -> server";
const CEILING = "ceiling: component iq ping, no HTTP";

async function run(server: XmppServer) {
  await using env = await startGatewayEnv(server);
  await using party = new Child(partyConfig(server, "message"));
  const { jid } = await party.read<{ jid: string }>();
  const domain = Object.keys(server.components)[1];
  await using component = createComponent({
    domain,
    secret: server.components[domain],
    server: server.componentAddress,
  });
  component.start();
  await component.waitOnline({ signal: AbortSignal.timeout(10_000) });

  const body = { kind: "message", type: "chat", to: jid, body: "Hello" };
  const message = jsonPost(env.url, body);
  const ping = jsonPost(env.url, { kind: "iq", to: server.host, ping: true });
  const rows: Row[] = [];
  for (const c of CONCURRENCY) {
    // Deliveries of the warm-up are counted away before the measured run.
    const result = await generate(message, c, 202, async (warmup) => {
      await party.write({ expect: warmup.requests - warmup.errors });
      await party.read();
    });
    await party.write({ expect: result.requests - result.errors });
    const { count } = await party.read<{ count: number }>();
    rows.push({ scenario: MESSAGE, concurrency: c, result, delivered: count });
  }
  for (const c of CONCURRENCY) {
    const result = await generate(ping, c, 200);
    rows.push({ scenario: PING, concurrency: c, result });
  }
  for (const c of CONCURRENCY) {
    const result = await ceilingRun(component, server.host, c);
    rows.push({ scenario: CEILING, concurrency: c, result });
  }
  // The ratio at 64 from back-to-back pairs, so that a noisy neighbour
  // hits both sides of a pair alike; the median pair is reported.
  const ratios: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const top = await ceilingRun(component, server.host, 64);
    const rest = await generate(ping, 64, 200);
    ratios.push(rate(rest) / rate(top));
  }
  return { rows, ratios };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en", {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });

function table(rows: Row[]): string {
  const lines = [
    "| scenario | concurrency | req/s | p50 ms | p99 ms | errors | CPU µs/req | delivered |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const { scenario, concurrency, result: r, delivered } of rows) {
    const cells = [
      scenario,
      concurrency,
      fmt(rate(r)),
      fmt(r.p50, 2),
      fmt(r.p99, 2),
      r.errors,
      fmt(r.cpuUs, 1),
      delivered === undefined ? "" : `${delivered} / ${r.requests - r.errors}`,
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

await using server = await PROSODY.start();
const cpus = navigator.hardwareConcurrency;
console.error(
  `REST bench: Prosody, load generator ${LOAD}, ${SECONDS} s per run, ${cpus} CPUs`,
);
const { rows, ratios } = await run(server);
const mem = await memory(server, LONGPOLLS);

const ping64 = rows.find((r) => r.scenario === PING && r.concurrency === 64)!;
const kib = (bytes: number) => `${fmt(bytes / 1024, 2)} KiB`;
const mib = (bytes: number) => `${fmt(bytes / 2 ** 20, 1)} MiB`;
const pct = (x: number) => `${fmt(x * 100)} %`;
console.log(table(rows));
console.log();
console.log(
  `- (2) / ceiling at concurrency 64, ${ROUNDS} back-to-back pairs: **${
    pct(quantile(ratios, 0.5))
  }** median (${ratios.map(pct).join(", ")}; target >= 70 %); ` +
    `p99 of (2) at 64: **${fmt(ping64.result.p99, 2)} ms** (target < 20 ms)`,
);
console.log(
  `- ${mem.inFlight} long-polling iqs in flight: gateway RSS ${
    mib(mem.rssBefore)
  } -> ${mib(mem.rssAfter)}, **${kib(mem.perIq)} per iq** (target < 4 KiB), ` +
    `JS heap ${kib(mem.heapPerIq)} per iq; a bare Deno.serve holding the ` +
    `same requests grows ${kib(mem.floorPerRequest)} per request`,
);
console.log(
  `- Load generator ${LOAD}, ${SECONDS} s per run after a 1 s warm-up; ` +
    `CPU µs/req is this process's (gateway or bare component) CPU time per request; ` +
    `${cpus} CPUs shared by Prosody, the gateway and the load generator`,
);
