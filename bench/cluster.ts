// Several instances (README "Running several instances"): message and iq-ping throughput with one instance and with three on ejabberd, and the latency a standby adds on Prosody.
// Run: deno run -A bench/cluster.ts [--seconds 5] [--clients 32]
// Loopback only: PostgreSQL, ejabberd and Prosody from tests/support, each
// gateway instance its own `deno run -A cli.ts` process with --store, load
// from this process (closed loop, `--clients` requests in flight, spread
// round-robin over the instances).
// deno-lint-ignore-file no-console

import { Postgres } from "../tests/support/postgres.ts";
import { Ejabberd } from "../tests/support/ejabberd.ts";
import { Prosody } from "../tests/support/prosody.ts";
import { GatewayProcess } from "../tests/support/instances.ts";
import type { XmppServer } from "../tests/support/xmpp_server.ts";
import { closedLoop, type LoadResult, rate } from "./load.ts";

const arg = (name: string, fallback: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i === -1 ? fallback : Deno.args[i + 1];
};
const SECONDS = Number(arg("seconds", "5"));
const CLIENTS = Number(arg("clients", "32"));

async function startInstances(
  pg: Postgres,
  server: XmppServer,
  mode: "lease" | "all",
  count: number,
): Promise<GatewayProcess[]> {
  const store = await pg.createDatabase(`bench_${mode}_${count}`);
  const instances = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      GatewayProcess.start({
        server,
        store,
        id: `bench-${i}`,
        streamMode: mode,
        logLevel: "warn",
      })),
  );
  for (const instance of instances) await instance.waitReady();
  return instances;
}

/** `kind` requests spread over `instances` for SECONDS (after a 1 s warm-up). */
async function load(
  instances: readonly GatewayProcess[],
  kind: "message" | "ping",
  server: XmppServer,
  clients = CLIENTS,
): Promise<LoadResult> {
  let n = 0;
  const once = async () => {
    const seq = n++;
    const instance = instances[seq % instances.length];
    const body = kind === "message"
      ? { kind: "message", type: "chat", to: `bob@${server.host}`, body: "b" }
      : { kind: "iq", type: "get", to: server.host, ping: true };
    const response = await instance.fetch("/rest", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
      },
      body: JSON.stringify(body),
    });
    await response.body?.cancel();
    return response.ok;
  };
  await closedLoop(clients, 1, once);
  return await closedLoop(clients, SECONDS, once);
}

function line(name: string, r: LoadResult): string {
  return `| ${name} | ${rate(r).toFixed(0)} | ${r.p50.toFixed(1)} | ${
    r.p99.toFixed(1)
  } | ${r.errors} |`;
}

await using pg = await Postgres.start();
const rows: string[] = [];

{
  await using ejabberd = await Ejabberd.start();
  for (const count of [1, 3]) {
    const instances = await startInstances(pg, ejabberd, "all", count);
    try {
      for (const kind of ["message", "ping"] as const) {
        const result = await load(instances, kind, ejabberd);
        rows.push(line(`ejabberd, ${count} instance(s), ${kind}`, result));
        console.error(rows.at(-1));
      }
    } finally {
      await Promise.all(instances.map((i) => i.stop()));
    }
  }
}

{
  await using prosody = await Prosody.start();
  const instances = await startInstances(pg, prosody, "lease", 2);
  try {
    const roles = await Promise.all(
      instances.map(async (i) => (await i.ready()).body.role),
    );
    const holder = instances[roles.indexOf("holder")];
    const standby = instances[roles.indexOf("standby")];
    for (const kind of ["message", "ping"] as const) {
      for (const [name, target] of [["holder", holder], ["standby", standby]]) {
        const result = await load([target as GatewayProcess], kind, prosody, 1);
        rows.push(
          line(`Prosody, one at a time to the ${name}, ${kind}`, result),
        );
        console.error(rows.at(-1));
      }
    }
  } finally {
    await Promise.all(instances.map((i) => i.stop()));
  }
}

console.log(
  `\n${SECONDS} s per row, ${CLIENTS} requests in flight (the Prosody rows: 1)\n`,
);
console.log("| scenario | requests/s | p50 ms | p99 ms | errors |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const row of rows) console.log(row);
