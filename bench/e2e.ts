// The benchmark as a user sees it: the gateway as its own process (cli.ts, default settings), Prosody beside it, mod_rest side by side, load from wrk, deliveries counted at a c2s client, CPU from /proc.
// Run: deno run -A bench/e2e.ts [--seconds 5] [--rounds 3] [--longpolls 10000] [--only message,ping,webhook,longpoll]
// Loopback only. Every party is its own process: Prosody (tests/support, info
// logging, with mod_rest on rest.localhost: bench/mod_rest.ts), the gateway
// (`deno run -A cli.ts`, info logging to a file, bearer auth, JSON), wrk (one
// thread), a c2s party counting deliveries, a webhook server, a c2s client
// keeping 64 messages in flight to a webhook bot, and the bare component (the
// project's own XEP-0114 client, no HTTP) as the ceiling. xmpp-rest, mod_rest
// and ceiling runs alternate (A B A B) so that drift in the machine's load hits
// all alike. mod_rest's CPU is Prosody's, which includes routing.
// deno-lint-ignore-file no-console

import { Child, type LoadRequest, type LoadResult, runWrk } from "./load.ts";
import { cpuUs, startGatewayProcess, withCpu } from "./process.ts";
import { jsonPost, partyConfig } from "./rest_memory.ts";
import { longpollMemory } from "./e2e_longpoll.ts";
import { roundTrips, startWebhook } from "./e2e_roundtrip.ts";
import { type BenchProsody, PROSODY_MODULES_DEB } from "./mod_rest.ts";
import { startBenchProsody } from "./mod_rest.ts";
import {
  goalLines,
  machineLine,
  resultTable,
  type Run,
  type Scenario,
  SCENARIOS,
} from "./e2e_report.ts";

const arg = (name: string, fallback: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i === -1 ? fallback : Deno.args[i + 1];
};
const SECONDS = Number(arg("seconds", "5"));
const ROUNDS = Number(arg("rounds", "3"));
const LONGPOLLS = Number(arg("longpolls", "10000"));
const ONLY = arg("only", "message,ping,webhook,longpoll").split(",");

/** wrk against a server: 1 s warm-up, then the measured run with the CPU of `pid` and Prosody's. */
async function wrkRun(
  pids: { pid: number; prosody: number },
  request: LoadRequest,
  concurrency: number,
  afterWarmup: (warmup: LoadResult) => Promise<void> = async () => {},
): Promise<Run> {
  await afterWarmup(await runWrk(request, concurrency, 1));
  return await withCpu(
    pids.pid,
    () => runWrk(request, concurrency, SECONDS),
    (r) => r.requests,
    pids.prosody,
  );
}

/** The bare component pinging the server with `concurrency` in flight. */
async function ceilingPing(
  ceiling: Child,
  prosody: number,
  concurrency: number,
): Promise<Run> {
  await ceiling.write({ pings: concurrency, seconds: 1 });
  await ceiling.read();
  const before = cpuUs(ceiling.pid), serverBefore = cpuUs(prosody);
  await ceiling.write({ pings: concurrency, seconds: SECONDS });
  const result = await ceiling.read<LoadResult>();
  return {
    ...result,
    cpuUs: (cpuUs(ceiling.pid) - before) / result.requests,
    serverCpuUs: (cpuUs(prosody) - serverBefore) / result.requests,
  };
}

/** Every run of one scenario over the rounds. */
const runs = new Map<Scenario, Run[]>();
function record(key: Scenario, run: Run) {
  runs.set(key, [...runs.get(key) ?? [], run]);
  console.error(
    `  ${SCENARIOS[key]}: ${(run.requests / run.seconds).toFixed(0)}/s, ` +
      `p99 ${run.p99.toFixed(2)} ms, ` +
      (Number.isNaN(run.cpuUs) ? "" : `${run.cpuUs.toFixed(1)} µs CPU/req, `) +
      `Prosody ${run.serverCpuUs.toFixed(1)} µs/req, ${run.errors} errors` +
      (run.delivered === undefined ? "" : `, ${run.delivered} delivered`),
  );
}

async function loadRounds(bench: BenchProsody, hookPort: number) {
  const { server, pid: prosody } = bench;
  const modRest = "url" in bench.modRest ? bench.modRest : undefined;
  const [domain, ceilingDomain] = Object.keys(server.components);
  await using gateway = await startGatewayProcess({
    server: server.componentAddress,
    domain,
    secret: server.components[domain],
    flags: ["--callback-url", `http://127.0.0.1:${hookPort}/hook/{kind}`],
  });
  await using party = new Child(partyConfig(server, "message"));
  const { jid } = await party.read<{ jid: string }>();
  await using ceiling = new Child({
    mode: "component",
    domain: ceilingDomain,
    secret: server.components[ceilingDomain],
    server: server.componentAddress,
    host: server.host,
  });
  await ceiling.read(); // online
  const messageBody = { kind: "message", type: "chat", to: jid, body: "Hello" };
  const pingBody = { kind: "iq", to: server.host, ping: true };
  const viaGateway = { pid: gateway.pid, prosody };
  // mod_rest's own CPU is Prosody's: the gateway column stays empty.
  const viaModRest = { pid: NaN, prosody };
  const modRestPost = (body: unknown) =>
    jsonPost(modRest!.url, body, { Authorization: modRest!.authorization });
  const counted = async (
    pids: typeof viaGateway,
    request: LoadRequest,
    c: number,
  ) => {
    const run = await wrkRun(pids, request, c, async (warmup) => {
      await party.write({ expect: warmup.requests - warmup.errors });
      await party.read();
    });
    await party.write({ expect: run.requests - run.errors });
    return { ...run, delivered: (await party.read<{ count: number }>()).count };
  };
  await using floor = new Child({ mode: "accept" });
  const { port: floorPort } = await floor.read<{ port: number }>();
  const message = jsonPost(gateway.url, messageBody);
  const ping = jsonPost(gateway.url, pingBody);
  for (let round = 1; round <= ROUNDS; round++) {
    console.error(`round ${round} of ${ROUNDS}`);
    if (ONLY.includes("message")) {
      const floorRequest = {
        ...message,
        url: `http://127.0.0.1:${floorPort}/rest`,
      };
      record(
        "floor64",
        await wrkRun({ pid: floor.pid, prosody }, floorRequest, 64),
      );
      record("message64", await counted(viaGateway, message, 64));
      if (modRest) {
        const request = modRestPost(messageBody);
        record("modRestMessage64", await counted(viaModRest, request, 64));
      }
      record("message256", await counted(viaGateway, message, 256));
    }
    if (ONLY.includes("ping")) {
      record("ping64", await wrkRun(viaGateway, ping, 64));
      if (modRest) {
        record(
          "modRestPing64",
          await wrkRun(viaModRest, modRestPost(pingBody), 64),
        );
      }
      record("ceiling64", await ceilingPing(ceiling, prosody, 64));
      record("ping256", await wrkRun(viaGateway, ping, 256));
    }
    if (ONLY.includes("webhook")) {
      const trips = (to: string, pid: number) =>
        roundTrips(server, to, pid, SECONDS, prosody);
      record("webhook", await trips(domain, gateway.pid));
      if (modRest) {
        const run = await trips(modRest.domain, prosody);
        record("modRestWebhook", { ...run, cpuUs: NaN });
      }
      record("echo", await trips(ceilingDomain, ceiling.pid));
    }
  }
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en", {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
const cpus = navigator.hardwareConcurrency;
console.error(
  `Process bench: Prosody, gateway via cli.ts, mod_rest, wrk -t1, ${SECONDS} s per run after 1 s warm-up, ${ROUNDS} rounds, ${cpus} CPUs`,
);
await using hook = await startWebhook();
await using bench = await startBenchProsody(
  `http://127.0.0.1:${hook.port}/hook/{kind}`,
);
const modRestNote = "url" in bench.modRest
  ? `mod_rest from prosody-modules ${PROSODY_MODULES_DEB.version}`
  : `mod_rest not measured: ${bench.modRest.missing}`;
if (!("url" in bench.modRest)) console.error(`NOTICE: ${modRestNote}`);
if (ONLY.some((o) => o !== "longpoll")) await loadRounds(bench, hook.port);
console.log(`\n${await machineLine(modRestNote)}\n`);
console.log(resultTable(runs).join("\n"));
console.log();
for (const line of goalLines(runs)) console.log(line);
if (ONLY.includes("longpoll")) {
  const kib = (b: number) => `${fmt(b / 1024, 2)} KiB`;
  for (const h2Connections of [undefined, 100]) {
    const mem = await longpollMemory(bench.server, LONGPOLLS, {
      h2Connections,
    });
    console.log(
      `- ${mem.inFlight} concurrent long-polling iqs over ${mem.protocol} ` +
        `(${mem.connections} new descriptors in the gateway): RSS ` +
        `${fmt(mem.rssBefore / 2 ** 20, 1)} -> ${
          fmt(mem.rssAfter / 2 ** 20, 1)
        } MiB, ` +
        `**${
          kib(mem.perIq)
        } per waiting iq**; a bare Deno.serve holding as many ` +
        `the same way grows ${kib(mem.floorPerRequest)} per request, so the ` +
        `gateway's own share is **${
          kib(mem.perIq - mem.floorPerRequest)
        }** per iq; settled (30 s later, all still waiting): ` +
        `${fmt(mem.rssSettled / 2 ** 20, 1)} MiB, **${
          kib(mem.perIqSettled)
        } per waiting iq**, bare Deno.serve ${kib(mem.floorSettled)}, ` +
        `own share **${kib(mem.perIqSettled - mem.floorSettled)}**`,
    );
  }
}
console.log(
  `- ${cpus} CPUs shared by Prosody, the gateway, wrk and the c2s clients; ` +
    `${SECONDS} s per run after a 1 s warm-up, ${ROUNDS} rounds, medians; ` +
    `CPU µs/req is user + system time from /proc per request of the gateway ` +
    `(or the bare component, or the floor) and of Prosody; mod_rest runs ` +
    `inside Prosody, so its cost is in the Prosody column, routing included. ` +
    `Reproduce: \`deno task bench e2e\` (flags at the head of bench/e2e.ts; ` +
    `mod_rest is fetched from Debian into ~/.cache on first use).`,
);
