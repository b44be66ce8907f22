// The tables bench/e2e.ts prints, ready to paste into the README's "Performance" section: medians over the rounds, ratios to mod_rest and the goals.

import { type LoadResult, quantile, rate } from "./load.ts";

/** One measured run: the load result and CPU µs per request of the measured process and of Prosody. */
export type Run = LoadResult & {
  /** The gateway's (or bare component's, or floor's) CPU µs per request; NaN when the scenario has none (mod_rest lives in Prosody). */
  cpuUs: number;
  /** Prosody's CPU µs per request (routing, c2s, and for mod_rest the module itself). */
  serverCpuUs: number;
  /** Stanzas the c2s party counted, for message scenarios. */
  delivered?: number;
};

/** Every scenario, in table order. */
export const SCENARIOS = {
  message64: "xmpp-rest: POST JSON message -> c2s client, c=64",
  modRestMessage64: "mod_rest: POST JSON message -> c2s client, c=64",
  message256: "xmpp-rest: POST JSON message -> c2s client, c=256",
  floor64: "floor: bare Deno.serve reading the body, 202, c=64",
  ping64: "xmpp-rest: POST JSON iq ping -> server, c=64",
  modRestPing64: "mod_rest: POST JSON iq ping -> server, c=64",
  ping256: "xmpp-rest: POST JSON iq ping -> server, c=256",
  ceiling64: "ceiling: bare component iq ping, 64 in flight",
  webhook: "xmpp-rest: client message -> webhook -> reply, 64 in flight",
  modRestWebhook: "mod_rest: client message -> webhook -> reply, 64 in flight",
  echo: "ceiling: bare component echo, 64 in flight",
} as const;

/** A scenario's key. */
export type Scenario = keyof typeof SCENARIOS;

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en", {
      maximumFractionDigits: digits,
      minimumFractionDigits: digits,
    })
    : "–";
const median = (values: number[]) => quantile(values, 0.5);
/** Deliveries per second where counted, else completed requests per second. */
const delivered = (r: Run) =>
  r.delivered === undefined ? rate(r) : r.delivered / r.seconds;

/** The markdown table of all runs (medians over the rounds). */
export function resultTable(runs: ReadonlyMap<Scenario, Run[]>): string[] {
  const lines = [
    "| scenario | req/s | delivered/s | p50 ms | p99 ms | gateway CPU µs/req | Prosody CPU µs/req | errors | rounds (req/s) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const key of Object.keys(SCENARIOS) as Scenario[]) {
    const all = runs.get(key);
    if (!all) continue;
    const counted = all.every((r) => r.delivered !== undefined);
    const cell = (f: (r: Run) => number, digits = 0) =>
      fmt(median(all.map(f)), digits);
    lines.push(
      `| ${SCENARIOS[key]} | ${cell(rate)} | ${
        counted ? cell(delivered) : ""
      } | ${cell((r) => r.p50, 2)} | ${cell((r) => r.p99, 2)} | ${
        cell((r) => r.cpuUs, 1)
      } | ${cell((r) => r.serverCpuUs, 1)} | ${
        all.reduce((n, r) => n + r.errors, 0)
      } | ${all.map((r) => fmt(rate(r))).join(", ")} |`,
    );
  }
  return lines;
}

/** The goals, each with its measured value and whether it was met. */
export function goalLines(runs: ReadonlyMap<Scenario, Run[]>): string[] {
  const lines: string[] = [];
  const verdict = (ok: boolean) => ok ? "met" : "**missed**";
  // Ratios pair the runs of the same round (A B A B), then take the median.
  const ratio = (a: Scenario, b: Scenario, f: (r: Run) => number) => {
    const x = runs.get(a), y = runs.get(b);
    if (!x || !y) return undefined;
    return median(x.map((r, i) => f(r) / f(y[i])));
  };
  const times = (what: string, a: Scenario, b: Scenario, goal: number) => {
    const x = ratio(a, b, delivered);
    if (x === undefined) return;
    // With the CPUs saturated, a request costs the gateway's CPU plus
    // Prosody's; mod_rest's costs Prosody's alone. Were the gateway free,
    // the ratio would be at most Prosody's CPU per mod_rest request over
    // Prosody's CPU per xmpp-rest request.
    const bound = median(runs.get(b)!.map((r) => r.serverCpuUs)) /
      median(runs.get(a)!.map((r) => r.serverCpuUs));
    lines.push(
      `- ${what}: xmpp-rest **${fmt(x, 1)}x** mod_rest (goal >= ${goal}x: ${
        verdict(x >= goal)
      }; CPU-bound ceiling with a gateway that cost nothing: ${
        fmt(bound, 1)
      }x, Prosody's CPU per mod_rest request over its CPU per xmpp-rest request)`,
    );
  };
  times("messages delivered per second", "message64", "modRestMessage64", 4);
  times("iq pings per second", "ping64", "modRestPing64", 8);
  times("webhook round trips per second", "webhook", "modRestWebhook", 6);
  const cpu = (key: Scenario, goal: number) => {
    const all = runs.get(key);
    if (!all) return;
    const us = median(all.map((r) => r.cpuUs));
    lines.push(
      `- gateway CPU per request, ${
        SCENARIOS[key].replace("xmpp-rest: ", "")
      }: ` +
        `**${fmt(us, 1)} µs** (goal <= ${goal}: ${verdict(us <= goal)})`,
    );
  };
  cpu("message64", 40);
  cpu("ping64", 40);
  cpu("webhook", 80);
  for (const key of ["message64", "ping64"] as const) {
    const all = runs.get(key);
    if (!all) continue;
    const p99 = median(all.map((r) => r.p99));
    lines.push(
      `- p99 at 64 connections, ${key.replace("64", "")} POST: ${
        fmt(p99, 2)
      } ms (goal < 15: ${verdict(p99 < 15)})`,
    );
  }
  for (
    const [high, low] of [["message256", "message64"], [
      "ping256",
      "ping64",
    ]] as const
  ) {
    const x = ratio(high, low, rate);
    if (x === undefined) continue;
    lines.push(
      `- ${low.replace("64", "")} POST throughput at 256 connections / at 64: ${
        fmt(x * 100)
      } % (goal >= 90 %: ${verdict(x >= 0.9)})`,
    );
  }
  const ceiling = ratio("ping64", "ceiling64", rate);
  if (ceiling !== undefined) {
    lines.push(
      `- iq ping through the gateway / bare component at 64: ${
        fmt(ceiling * 100)
      } %`,
    );
  }
  const echo = ratio("webhook", "echo", rate);
  if (echo !== undefined) {
    lines.push(
      `- webhook round trips / bare component echo: ${fmt(echo * 100)} %`,
    );
  }
  return lines;
}

/** Machine and software the figures come from, for the README. */
export async function machineLine(modRest: string): Promise<string> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? "unknown CPU";
  const version = async (program: string, args: string[]) => {
    try {
      const out = await new Deno.Command(program, { args }).output();
      return new TextDecoder().decode(out.stdout).trim();
    } catch {
      return "unknown";
    }
  };
  const prosody = await version("dpkg-query", [
    "-W",
    "-f",
    "${Version}",
    "prosody",
  ]);
  const wrk = (await version("wrk", ["-v"])).split("\n")[0].split(" [")[0];
  return `Measured ${
    new Date().toISOString().slice(0, 16).replace("T", " ")
  } UTC ` +
    `on ${navigator.hardwareConcurrency} × ${model}, ${Deno.osRelease()}, ` +
    `Deno ${Deno.version.deno}, Prosody ${prosody}, ${wrk}, ${modRest}.`;
}
