// The benchmark as a user sees it: the gateway as its own process (cli.ts, default settings), Prosody beside it, load from wrk, deliveries counted at a c2s client, CPU from /proc.
// Run: deno run -A bench/e2e.ts [--seconds 5] [--rounds 3] [--longpolls 10000] [--only message,ping,webhook,longpoll]
// Loopback only. Every party is its own process: Prosody (tests/support), the
// gateway (`deno run -A cli.ts`, info logging to a file, bearer auth, JSON), wrk
// (one thread), a c2s party counting deliveries, a webhook server, a c2s client
// keeping 64 messages in flight to the webhook bot, and the bare component (the
// project's own XEP-0114 client, no HTTP) as the ceiling. Gateway and ceiling
// runs alternate (A B A B) so that drift in the machine's load hits both alike.
// deno-lint-ignore-file no-console

import { PROSODY, type XmppServer } from "../tests/support/xmpp_server.ts";
import {
  Child,
  type LoadRequest,
  type LoadResult,
  quantile,
  rate,
  runWrk,
} from "./load.ts";
import { cpuUs, startGatewayProcess, withCpu } from "./process.ts";
import { jsonPost, partyConfig } from "./rest_memory.ts";
import { longpollMemory } from "./e2e_longpoll.ts";
import { roundTrips, startWebhook } from "./e2e_roundtrip.ts";

const arg = (name: string, fallback: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i === -1 ? fallback : Deno.args[i + 1];
};
const SECONDS = Number(arg("seconds", "5"));
const ROUNDS = Number(arg("rounds", "3"));
const LONGPOLLS = Number(arg("longpolls", "10000"));
const ONLY = arg("only", "message,ping,webhook,longpoll").split(",");

/** One measured run, with the CPU µs per request of the measured process. */
type Run = LoadResult & { cpuUs: number };

/** wrk against a server: 1 s warm-up, then the measured run with the CPU of process `pid`. */
async function wrkRun(
  pid: number,
  request: LoadRequest,
  concurrency: number,
  afterWarmup: (warmup: LoadResult) => Promise<void> = async () => {},
): Promise<Run> {
  await afterWarmup(await runWrk(request, concurrency, 1));
  return await withCpu(
    pid,
    () => runWrk(request, concurrency, SECONDS),
    (r) => r.requests,
  );
}

/** The bare component pinging the server with `concurrency` in flight. */
async function ceilingPing(ceiling: Child, concurrency: number): Promise<Run> {
  await ceiling.write({ pings: concurrency, seconds: 1 });
  await ceiling.read();
  const before = cpuUs(ceiling.pid);
  await ceiling.write({ pings: concurrency, seconds: SECONDS });
  const result = await ceiling.read<LoadResult>();
  return { ...result, cpuUs: (cpuUs(ceiling.pid) - before) / result.requests };
}

/** Every run of one scenario over the rounds. */
const runs = new Map<string, Run[]>();
const delivered = new Map<string, number[]>();
function record(name: string, run: Run, count?: number) {
  runs.set(name, [...runs.get(name) ?? [], run]);
  if (count !== undefined) {
    delivered.set(name, [...delivered.get(name) ?? [], count]);
  }
  console.error(
    `  ${name}: ${rate(run).toFixed(0)}/s, p99 ${run.p99.toFixed(2)} ms, ` +
      `${run.cpuUs.toFixed(1)} µs CPU/req, ${run.errors} errors` +
      (count === undefined ? "" : `, ${count} delivered`),
  );
}

export const SCENARIOS = {
  message64: "POST JSON message -> c2s client, c=64",
  message256: "POST JSON message -> c2s client, c=256",
  floor64: "floor: bare Deno.serve reading the body, 202, c=64",
  ping64: "POST JSON iq ping -> server, c=64",
  ping256: "POST JSON iq ping -> server, c=256",
  ceiling64: "ceiling: bare component iq ping, 64 in flight",
  webhook: "client message -> webhook -> reply, 64 in flight",
  echo: "ceiling: bare component echo, 64 in flight",
} as const;

async function loadRounds(server: XmppServer): Promise<void> {
  const [domain, ceilingDomain] = Object.keys(server.components);
  await using hook = await startWebhook();
  await using gateway = await startGatewayProcess({
    server: server.componentAddress,
    domain,
    secret: server.components[domain],
    flags: ["--callback-url", `http://127.0.0.1:${hook.port}/hook/{kind}`],
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
  const message = jsonPost(gateway.url, {
    kind: "message",
    type: "chat",
    to: jid,
    body: "Hello",
  });
  const ping = jsonPost(gateway.url, {
    kind: "iq",
    to: server.host,
    ping: true,
  });
  const counted = async (c: number) => {
    const run = await wrkRun(gateway.pid, message, c, async (warmup) => {
      await party.write({ expect: warmup.requests - warmup.errors });
      await party.read();
    });
    await party.write({ expect: run.requests - run.errors });
    return { run, count: (await party.read<{ count: number }>()).count };
  };
  await using floor = new Child({ mode: "accept" });
  const { port: floorPort } = await floor.read<{ port: number }>();
  const floorRequest = {
    ...message,
    url: `http://127.0.0.1:${floorPort}/rest`,
  };
  for (let round = 1; round <= ROUNDS; round++) {
    console.error(`round ${round} of ${ROUNDS}`);
    if (ONLY.includes("message")) {
      record(
        SCENARIOS.floor64,
        await wrkRun(floor.pid, floorRequest, 64),
      );
      for (const c of [64, 256] as const) {
        const { run, count } = await counted(c);
        record(SCENARIOS[`message${c}`], run, count);
      }
    }
    if (ONLY.includes("ping")) {
      record(SCENARIOS.ping64, await wrkRun(gateway.pid, ping, 64));
      record(SCENARIOS.ceiling64, await ceilingPing(ceiling, 64));
      record(SCENARIOS.ping256, await wrkRun(gateway.pid, ping, 256));
    }
    if (ONLY.includes("webhook")) {
      record(
        SCENARIOS.webhook,
        await roundTrips(server, domain, gateway.pid, SECONDS),
      );
      record(
        SCENARIOS.echo,
        await roundTrips(server, ceilingDomain, ceiling.pid, SECONDS),
      );
    }
  }
}

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en", {
      maximumFractionDigits: digits,
      minimumFractionDigits: digits,
    })
    : "n/a";
const median = (values: number[]) => quantile(values, 0.5);

function report(): void {
  console.log(
    "| scenario | req/s | p50 ms | p99 ms | CPU µs/req | errors | delivered | rounds (req/s) |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---|");
  for (const name of Object.values(SCENARIOS)) {
    const all = runs.get(name);
    if (!all) continue;
    const sent = all.reduce((n, r) => n + r.requests - r.errors, 0);
    const got = delivered.get(name)?.reduce((a, b) => a + b, 0);
    console.log(
      `| ${name} | ${fmt(median(all.map(rate)))} | ${
        fmt(median(all.map((r) => r.p50)), 2)
      } | ${fmt(median(all.map((r) => r.p99)), 2)} | ${
        fmt(median(all.map((r) => r.cpuUs)), 1)
      } | ${all.reduce((n, r) => n + r.errors, 0)} | ${
        got === undefined ? "" : `${got} / ${sent}`
      } | ${all.map((r) => fmt(rate(r))).join(", ")} |`,
    );
  }
  const ratio = (a: string, b: string) => {
    const x = runs.get(a), y = runs.get(b);
    if (!x || !y) return undefined;
    return median(x.map((r, i) => rate(r) / rate(y[i])));
  };
  const lines: string[] = [];
  const pct = (x: number | undefined) =>
    x === undefined ? "n/a" : `${fmt(x * 100)} %`;
  if (runs.has(SCENARIOS.ping64)) {
    lines.push(
      `- iq ping through the gateway / bare component at 64: ${
        pct(ratio(SCENARIOS.ping64, SCENARIOS.ceiling64))
      } (median of the rounds' pairs)`,
      `- iq ping at 256 / at 64: ${
        pct(ratio(SCENARIOS.ping256, SCENARIOS.ping64))
      }`,
    );
  }
  if (runs.has(SCENARIOS.message64)) {
    lines.push(
      `- message POST at 256 / at 64: ${
        pct(ratio(SCENARIOS.message256, SCENARIOS.message64))
      }`,
    );
  }
  if (runs.has(SCENARIOS.webhook)) {
    lines.push(
      `- webhook round trips / bare component echo: ${
        pct(ratio(SCENARIOS.webhook, SCENARIOS.echo))
      }`,
    );
  }
  console.log();
  for (const line of lines) console.log(line);
}

const cpus = navigator.hardwareConcurrency;
console.error(
  `Process bench: Prosody, gateway via cli.ts, wrk -t1, ${SECONDS} s per run after 1 s warm-up, ${ROUNDS} rounds, ${cpus} CPUs`,
);
await using server = await PROSODY.start();
if (ONLY.some((o) => o !== "longpoll")) await loadRounds(server);
report();
if (ONLY.includes("longpoll")) {
  const kib = (b: number) => `${fmt(b / 1024, 2)} KiB`;
  for (const h2Connections of [undefined, 100]) {
    const mem = await longpollMemory(server, LONGPOLLS, { h2Connections });
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
        }** per iq`,
    );
  }
}
console.log(
  `- ${cpus} CPUs shared by Prosody, the gateway, wrk and the c2s clients; ` +
    `${SECONDS} s per run after a 1 s warm-up, ${ROUNDS} rounds, medians; ` +
    `CPU µs/req is the gateway's (or the bare component's) user + system time from /proc per request`,
);
