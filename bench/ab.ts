// A/B of the gateway's CPU per request between two checkouts (this one and another, e.g. `git archive main | tar -x -C DIR`), alternated run by run on one Prosody, so that a loaded machine hits both alike.
// Run: deno run -A bench/ab.ts --base DIR [--seconds 5] [--rounds 4] [--only ping,message,webhook]
//   [--base-flags "--v8-flags=..."] [--flags "--v8-flags=..."] (more `deno run` flags for A or B; --base . compares flags alone)
// A message run leaves Prosody a backlog that slows the runs after it: compare ping on its own.
// Every run: wrk (one thread, 64 connections) or the webhook round-trip client
// for `seconds` after a 1 s warm-up; CPU µs per request of each gateway process
// from /proc. Prints the medians and B/A.
// deno-lint-ignore-file no-console

import { PROSODY } from "../tests/support/xmpp_server.ts";
import { Child, quantile, rate, runWrk } from "./load.ts";
import {
  type GatewayProcess,
  startGatewayProcess,
  withCpu,
} from "./process.ts";
import { roundTrips, startWebhook } from "./e2e_roundtrip.ts";
import { jsonPost, partyConfig } from "./rest_memory.ts";

const arg = (name: string, fallback: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i === -1 ? fallback : Deno.args[i + 1];
};
const BASE = arg("base", "") && Deno.realPathSync(arg("base", ""));
const SECONDS = Number(arg("seconds", "5"));
const ROUNDS = Number(arg("rounds", "4"));
const ONLY = arg("only", "ping,message,webhook").split(",");
/** More `deno run` flags of A (the base) and of B (this checkout), space-separated. */
const flagsOf = (name: string) => arg(name, "").split(" ").filter((f) => f);
const BASE_FLAGS = flagsOf("base-flags");
const FLAGS = flagsOf("flags");
if (BASE === "") {
  console.error("Usage: deno run -A bench/ab.ts --base DIR (a checkout)");
  Deno.exit(2);
}

await using server = await PROSODY.start();
await using hook = await startWebhook();
const [domain, otherDomain] = Object.keys(server.components);
const start = (cli: string | undefined, on: string, denoFlags: string[]) =>
  startGatewayProcess({
    server: server.componentAddress,
    domain: on,
    secret: server.components[on],
    cli,
    denoFlags,
    flags: ["--callback-url", `http://127.0.0.1:${hook.port}/hook/{kind}`],
  });
// A is the base checkout, B this one; each on its own component domain.
await using a = await start(`${BASE}/cli.ts`, domain, BASE_FLAGS);
await using b = await start(undefined, otherDomain, FLAGS);
await using party = new Child(partyConfig(server, "message"));
const { jid } = await party.read<{ jid: string }>();

const results = new Map<string, { rate: number; cpu: number }[]>();
async function measure(name: string, gateway: GatewayProcess, on: string) {
  let run;
  if (name === "webhook") {
    run = await roundTrips(server, on, gateway.pid, SECONDS);
  } else {
    const body = name === "ping"
      ? { kind: "iq", to: server.host, ping: true }
      : { kind: "message", type: "chat", to: jid, body: "Hello" };
    const request = jsonPost(gateway.url, body);
    await runWrk(request, 64, 1);
    run = await withCpu(
      gateway.pid,
      () => runWrk(request, 64, SECONDS),
      (r) => r.requests,
    );
  }
  const key = `${name} ${gateway === a ? "A" : "B"}`;
  results.set(key, [...results.get(key) ?? [], {
    rate: rate(run),
    cpu: run.cpuUs,
  }]);
  console.error(
    `  ${key}: ${rate(run).toFixed(0)}/s, ${
      run.cpuUs.toFixed(1)
    } µs CPU/req, ${run.errors} errors`,
  );
}

for (let round = 1; round <= ROUNDS; round++) {
  console.error(`round ${round} of ${ROUNDS}`);
  for (const name of ONLY) {
    // Alternate which goes first, so neither always follows the other.
    const order = round % 2 === 1 ? [a, b] : [b, a];
    for (const g of order) {
      await measure(name, g, g === a ? domain : otherDomain);
    }
  }
}
const median = (values: number[]) => quantile(values, 0.5);
console.log("| scenario | A req/s | B req/s | A µs/req | B µs/req | B/A CPU |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const name of ONLY) {
  const ra = results.get(`${name} A`) ?? [],
    rb = results.get(`${name} B`) ?? [];
  const ca = median(ra.map((r) => r.cpu)), cb = median(rb.map((r) => r.cpu));
  console.log(
    `| ${name} | ${median(ra.map((r) => r.rate)).toFixed(0)} | ${
      median(rb.map((r) => r.rate)).toFixed(0)
    } | ${ca.toFixed(1)} | ${cb.toFixed(1)} | ${
      (cb / ca * 100).toFixed(0)
    } % |`,
  );
}
