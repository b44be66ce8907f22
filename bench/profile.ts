// Profiles the gateway process under wrk load with the V8 inspector (Deno has no --cpu-prof) and prints the top functions by self time.
// Run: deno run -A bench/profile.ts [message|ping|webhook] [--seconds 5] [--out profile.cpuprofile] [--alloc] [--perf FILE]
// --alloc: bytes allocated per request by function (the heap profiler's sampling, garbage included) instead of CPU;
// with --promoted only what outlived a young-generation collection.
// deno-lint-ignore-file no-console

import { PROSODY } from "../tests/support/xmpp_server.ts";
import { freePorts } from "../tests/support/server_process.ts";
import { Child, runWrk } from "./load.ts";
import { startGatewayProcess } from "./process.ts";
import { roundTrips, startWebhook } from "./e2e_roundtrip.ts";
import { jsonPost, partyConfig } from "./rest_memory.ts";

const arg = (name: string, fallback: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i === -1 ? fallback : Deno.args[i + 1];
};
const SCENARIO = Deno.args[0] ?? "message";
const SECONDS = Number(arg("seconds", "5"));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A minimal Chrome DevTools Protocol client over the inspector's WebSocket. */
async function inspector(port: number) {
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const ws = new WebSocket(list[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let next = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    waiting.get(message.id)?.(message.result);
    waiting.delete(message.id);
  };
  return {
    call<T = unknown>(method: string, params: unknown = {}): Promise<T> {
      const id = ++next;
      ws.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve) => waiting.set(id, resolve as never));
    },
    close: () => ws.close(),
  };
}

function summarise(profile: Profile): string[] {
  const self = new Map<string, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  let total = 0;
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const file = url.replace(/^.*\/(src|ext|node)\//, "$1/");
    const key = `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  const lines = [...self].sort((a, b) => b[1] - a[1]).slice(0, 40).map((
    [k, v],
  ) => `${(100 * v / total).toFixed(1).padStart(5)} %  ${k}`);
  // Inclusive time per function (each function counted once per sample).
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const inclusive = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const { functionName, url, lineNumber } = byId.get(n)!.callFrame;
      if (!url.includes("/src/") && !url.includes("cli.ts")) continue;
      const file = url.replace(/^.*\/(src)\//, "$1/");
      seen.add(`${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`);
    }
    for (const key of seen) {
      inclusive.set(
        key,
        (inclusive.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0),
      );
    }
  });
  lines.push("", "inclusive (gateway code):");
  for (
    const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 40)
  ) {
    lines.push(`${(100 * v / total).toFixed(1).padStart(5)} %  ${k}`);
  }
  return lines;
}

await using server = await PROSODY.start();
const [domain] = Object.keys(server.components);
const [inspectPort] = freePorts(1);
await using hook = await startWebhook();
await using gateway = await startGatewayProcess({
  server: server.componentAddress,
  domain,
  secret: server.components[domain],
  // Under perf: JIT code symbols in perf's map file instead of the inspector.
  denoFlags: Deno.args.includes("--perf")
    ? ["--v8-flags=--perf-basic-prof"]
    : [`--inspect=127.0.0.1:${inspectPort}`],
  flags: ["--callback-url", `http://127.0.0.1:${hook.port}/hook/{kind}`],
});
/** The load of the scenario for `seconds`: wrk, or webhook round trips. */
const load = async (seconds: number) =>
  SCENARIO === "webhook"
    ? await roundTrips(server, domain, gateway.pid, seconds)
    : await runWrk(request, 64, seconds);
await using party = new Child(partyConfig(server, "message"));
const { jid } = await party.read<{ jid: string }>();
const request = SCENARIO === "ping"
  ? jsonPost(gateway.url, { kind: "iq", to: server.host, ping: true })
  : jsonPost(gateway.url, {
    kind: "message",
    type: "chat",
    to: jid,
    body: "Hello",
  });
await load(2); // warm-up
if (Deno.args.includes("--perf")) {
  // Whole-process view (Rust, kernel, JIT code) with Linux perf, no inspector.
  const perf = new Deno.Command("perf", {
    args: [
      "record",
      "-F",
      "499",
      "-g",
      "-o",
      arg("perf", ""),
      "-p",
      String(gateway.pid),
      "--",
      "sleep",
      String(SECONDS),
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const run = await load(SECONDS);
  await perf.status;
  console.error(`${run.requests} requests in ${run.seconds} s`);
} else await inspect();

interface AllocationNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocationNode[];
}

/** Bytes allocated per function (self), garbage included, per request. */
function summariseAllocations(head: AllocationNode, requests: number) {
  const self = new Map<string, number>();
  let total = 0;
  const walk = (node: AllocationNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*\/(src|ext|node)\//, "$1/");
    const key = `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + node.selfSize);
    total += node.selfSize;
    node.children.forEach(walk);
  };
  walk(head);
  const lines = [`${(total / requests).toFixed(0)} bytes per request`];
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
    lines.push(`${(v / requests).toFixed(0).padStart(7)} B  ${k}`);
  }
  return lines;
}

/** Samples allocations (the heap profiler, garbage included) and prints bytes per request by function. */
async function allocations() {
  const devtools = await inspector(inspectPort);
  await devtools.call("HeapProfiler.enable");
  await devtools.call("HeapProfiler.startSampling", {
    samplingInterval: 512,
    includeObjectsCollectedByMajorGC: true,
    // --promoted: only what outlived a young-generation collection (what old-space GC must trace).
    includeObjectsCollectedByMinorGC: !Deno.args.includes("--promoted"),
  });
  const result = await load(SECONDS);
  const { profile } = await devtools.call<
    { profile: { head: AllocationNode } }
  >("HeapProfiler.stopSampling");
  devtools.close();
  console.error(`${result.requests} requests in ${result.seconds} s`);
  for (const line of summariseAllocations(profile.head, result.requests)) {
    console.log(line);
  }
}

/** Profiles with the inspector and prints the summary. */
async function inspect() {
  if (Deno.args.includes("--alloc")) return await allocations();
  const devtools = await inspector(inspectPort);
  await devtools.call("Profiler.enable");
  await devtools.call("Profiler.setSamplingInterval", { interval: 100 });
  await devtools.call("Profiler.start");
  const result = await load(SECONDS);
  const { profile } = await devtools.call<{ profile: Profile }>(
    "Profiler.stop",
  );
  devtools.close();
  console.error(`${result.requests} requests in ${result.seconds} s`);
  const out = arg("out", "");
  if (out) await Deno.writeTextFile(out, JSON.stringify(profile));
  for (const line of summarise(profile)) console.log(line);
}
