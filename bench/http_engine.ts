// CPU per request of the two HTTP engines for plain connections (README "Performance"): two gateways through cli.ts, one per --http-engine, over one real Prosody, wrk alternating between them (A B A B).
// Run: deno run -A bench/http_engine.ts [--seconds 5] [--rounds 3]
// deno-lint-ignore-file no-console

import { PROSODY } from "../tests/support/xmpp_server.ts";
import { type LoadRequest, runWrk } from "./load.ts";
import { startGatewayProcess, withCpu } from "./process.ts";
import { jsonPost } from "./rest_memory.ts";

const arg = (name: string, fallback: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i === -1 ? fallback : Deno.args[i + 1];
};
const SECONDS = Number(arg("seconds", "5"));
const ROUNDS = Number(arg("rounds", "3"));
const CONCURRENCY = 64;
const ENGINES = ["http1", "deno"] as const;

await using server = await PROSODY.start();
// One component domain per gateway (the test server has two).
const domains = Object.keys(server.components);
const gateways = await Promise.all(
  ENGINES.map((engine, i) =>
    startGatewayProcess({
      server: server.componentAddress,
      domain: domains[i],
      secret: server.components[domains[i]],
      flags: ["--http-engine", engine],
    })
  ),
);
try {
  const scenarios: [string, (url: string) => LoadRequest][] = [
    ["POST JSON message", (url) =>
      jsonPost(url, {
        kind: "message",
        type: "chat",
        to: `alice@${server.host}`, // offline: stored, no bounce
        body: "hello",
      })],
    [
      "POST JSON iq ping to the server",
      (url) =>
        jsonPost(url, { kind: "iq", type: "get", to: server.host, ping: true }),
    ],
  ];
  const median = (xs: number[]) =>
    [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(
    `| scenario (c=${CONCURRENCY}) | engine | req/s | p99 ms | gateway CPU µs/req | rounds (µs/req) |`,
  );
  console.log("| --- | --- | ---: | ---: | ---: | --- |");
  for (const [name, make] of scenarios) {
    const runs: Record<string, { rate: number; p99: number; cpu: number }[]> = {
      http1: [],
      deno: [],
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, engine] of ENGINES.entries()) {
        const gateway = gateways[i];
        const request = make(gateway.url);
        await runWrk(request, CONCURRENCY, 1); // warm-up
        const run = await withCpu(
          gateway.pid,
          () => runWrk(request, CONCURRENCY, SECONDS),
          (r) => r.requests,
        );
        runs[engine].push({
          rate: run.requests / run.seconds,
          p99: run.p99,
          cpu: run.cpuUs,
        });
      }
    }
    for (const engine of ENGINES) {
      const r = runs[engine];
      console.log(
        `| ${name} | ${engine} | ${median(r.map((x) => x.rate)).toFixed(0)} | ${
          median(r.map((x) => x.p99)).toFixed(2)
        } | ${median(r.map((x) => x.cpu)).toFixed(1)} | ${
          r.map((x) => x.cpu.toFixed(1)).join(", ")
        } |`,
      );
    }
  }
} finally {
  for (const gateway of gateways) await gateway[Symbol.asyncDispose]();
}
