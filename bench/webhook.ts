// Benchmark of webhook delivery (README "Receiving (webhooks)") through a real Prosody, against a raw XEP-0114 echo component as ceiling.
// Run: deno run -A bench/webhook.ts [--seconds 5] [--warmup 1] [--window 64] [--rounds 3] [--conversations 64] [--only echo|webhook|reliable]
// Loopback only. This process runs Prosody (tests/support), the gateway or the
// echo component; a c2s client (alice) and the webhook HTTP server run as child
// processes of this same file (--role client / --role webhook), so they do not
// share the event loop being measured. The client keeps `window` messages in
// flight to bot@<component> and times each reply by its id. The webhook answers
// {"body":"ok","id":<incoming id>} (the id only so replies can be matched).
// Reliable mode (README "Reliable webhooks") is measured next to sync mode on
// the same load spread over `conversations` recipients (bot0..botN-1), since
// reliable mode delivers one event at a time per conversation; its events go
// through the SQLite store in a temporary data dir.
// deno-lint-ignore-file no-console

import { createComponent } from "../src/component/mod.ts";
import { el, type XmlElement } from "../src/xml/element.ts";
import { NS } from "../src/xmpp/namespaces.ts";
import { C2sClient } from "../tests/support/c2s_client.ts";
import { startGatewayEnv } from "../tests/support/gateway_env.ts";
import { PROSODY, type XmppServer } from "../tests/support/xmpp_server.ts";

const arg = (name: string, fallback: string): string => {
  const i = Deno.args.indexOf(`--${name}`);
  return i === -1 ? fallback : Deno.args[i + 1];
};
/** Upper bound on any child's life, so nothing outlives a broken run. */
const CHILD_LIFETIME_MS = 5 * 60_000;

/** What the client measured in one run. */
interface ClientResult {
  /** Replies that arrived inside the measured window. */
  replies: number;
  /** Of those, `type="error"` replies. */
  errors: number;
  /** Length of the measured window, seconds. */
  seconds: number;
  /** Round-trip quantiles of those replies, ms. */
  p50: number;
  p99: number;
}

/** Nearest-rank quantile (0..1). */
function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
  return sorted[Math.max(0, rank)];
}

// --- role: webhook --------------------------------------------------------

/** Answers every POST with {"body":"ok","id":...}; prints its port; exits when stdin closes. */
async function webhookRole(): Promise<void> {
  // Either quote: the gateway writes id="…", Prosody's mod_rest id='…'.
  const idPattern = /^<message\b[^>]*?\sid=(?:"([^"]*)"|'([^']*)')/;
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => console.log(JSON.stringify({ port })),
  }, async (req) => {
    if (req.method !== "POST") return new Response(null, { status: 200 });
    const match = idPattern.exec(await req.text());
    const id = match?.[1] ?? match?.[2];
    return Response.json({ body: "ok", id });
  });
  const timer = setTimeout(() => Deno.exit(2), CHILD_LIFETIME_MS);
  await Deno.stdin.readable.pipeTo(new WritableStream());
  clearTimeout(timer);
  await server.shutdown();
}

// --- role: client ---------------------------------------------------------

/** Logs in, runs the closed loop, prints a ClientResult. */
async function clientRole(): Promise<void> {
  const timer = setTimeout(() => Deno.exit(2), CHILD_LIFETIME_MS);
  const client = await C2sClient.connect({
    port: Number(arg("c2s", "0")),
    domain: arg("host", "localhost"),
    username: arg("user", "alice"),
    password: arg("password", ""),
  });
  const to = arg("to", "");
  const spread = Number(arg("conversations", "1"));
  const result = await closedLoop(client, {
    to: spread <= 1
      ? () => to
      : (seq) => to.replace("@", String(seq % spread) + "@"),
    window: Number(arg("window", "64")),
    warmupMs: Number(arg("warmup", "1")) * 1000,
    measureMs: Number(arg("seconds", "5")) * 1000,
    // With --mark, a first line says when the measured window starts.
    onBegin: arg("mark", "") === ""
      ? undefined
      : () => console.log(JSON.stringify({ begin: true })),
  });
  console.log(JSON.stringify(result));
  await client.close();
  clearTimeout(timer);
}

async function closedLoop(
  client: C2sClient,
  options: {
    to: (seq: number) => string;
    window: number;
    warmupMs: number;
    measureMs: number;
    onBegin?: () => void;
  },
): Promise<ClientResult> {
  const sentAt = new Map<string, number>();
  const rtts: number[] = [];
  let errors = 0;
  let seq = 0;
  const send = () => {
    const id = `b${++seq}`;
    sentAt.set(id, performance.now());
    client.send(el(
      "message",
      NS.client,
      { type: "chat", to: options.to(seq), id },
      el("body", NS.client, {}, "hello bot"),
    ));
  };
  const begin = performance.now() + options.warmupMs;
  const end = begin + options.measureMs;
  for (let i = 0; i < options.window; i++) send();
  while (sentAt.size > 0) {
    const reply: XmlElement = await client.next(undefined, 10_000);
    const id = reply.attr("id") ?? "";
    const t0 = sentAt.get(id);
    if (t0 === undefined) continue;
    sentAt.delete(id);
    const now = performance.now();
    if (now >= begin && options.onBegin) {
      options.onBegin();
      options.onBegin = undefined;
    }
    if (now >= begin && now < end) {
      rtts.push(now - t0);
      if (reply.attr("type") === "error") errors++;
    }
    if (now < end) send();
  }
  return {
    replies: rtts.length,
    errors,
    seconds: options.measureMs / 1000,
    p50: quantile(rtts, 0.5),
    p99: quantile(rtts, 0.99),
  };
}

// --- coordinator ----------------------------------------------------------

/** A child process of this file that prints one JSON line first. */
async function spawnRole(
  role: string,
  args: string[],
): Promise<{ first: unknown; child: Deno.ChildProcess; done: Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", import.meta.filename!, "--role", role, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  while (!buffer.includes("\n")) {
    const { value, done } = await lines.read();
    if (done) throw new Error(`The ${role} child exited without output`);
    buffer += value;
  }
  const done = (async () => {
    while (!(await lines.read()).done) { /* drain */ }
    await child.status;
  })();
  return { first: JSON.parse(buffer.split("\n")[0]), child, done };
}

async function runClient(
  server: XmppServer,
  to: string,
  conversations = 1,
): Promise<ClientResult> {
  const { first, child, done } = await spawnRole("client", [
    "--c2s",
    String(server.c2sPort),
    "--host",
    server.host,
    "--password",
    server.users.alice,
    "--to",
    to,
    "--window",
    arg("window", "64"),
    "--warmup",
    arg("warmup", "1"),
    "--seconds",
    arg("seconds", "5"),
    "--conversations",
    String(conversations),
  ]);
  await child.stdin.close();
  await done;
  return first as ClientResult;
}

/** The ceiling: a component that echoes each message itself, no HTTP. */
async function measureEcho(server: XmppServer): Promise<ClientResult> {
  const domain = Object.keys(server.components)[1];
  const component = createComponent({
    domain,
    secret: server.components[domain],
    server: server.componentAddress,
    onStanza(stanza) {
      if (stanza.name !== "message" || stanza.attr("type") === "error") {
        return false;
      }
      component.send(el("message", stanza.ns, {
        from: stanza.attr("to"),
        to: stanza.attr("from"),
        id: stanza.attr("id"),
      }, el("body", stanza.ns, {}, "ok")));
      return true;
    },
  });
  component.start();
  try {
    await component.waitOnline({ signal: AbortSignal.timeout(10_000) });
    return await runClient(server, `bot@${domain}`);
  } finally {
    await component.stop();
  }
}

/** The gateway posting each message to a local webhook and relaying its answer. */
async function measureWebhook(
  server: XmppServer,
  mode: "sync" | "reliable" = "sync",
  conversations = 1,
): Promise<ClientResult> {
  const hook = await spawnRole("webhook", []);
  const dataDir = await Deno.makeTempDir({ prefix: "xmpp-rest-bench-" });
  try {
    const { port } = hook.first as { port: number };
    await using env = await startGatewayEnv(server, {
      callbackUrl: `http://127.0.0.1:${port}/hook/{kind}`,
      callbackMode: mode,
      dataDir,
    });
    return await runClient(server, `bot@${env.domain}`, conversations);
  } finally {
    await hook.child.stdin.close();
    await hook.done;
    await Deno.remove(dataDir, { recursive: true });
  }
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const rate = (r: ClientResult) => r.replies / r.seconds;
const median = (values: number[]) => quantile(values, 0.5);

async function main(): Promise<void> {
  const rounds = Number(arg("rounds", "3"));
  const only = arg("only", "");
  await using server = await PROSODY.start();
  const spread = Number(arg("conversations", "64"));
  const echo: ClientResult[] = [];
  const hook: ClientResult[] = [];
  const spreadSync: ClientResult[] = [];
  const reliable: ClientResult[] = [];
  // Alternating rounds, so drift in the machine's load hits every path.
  for (let i = 0; i < rounds; i++) {
    if (!only || only === "echo") echo.push(await measureEcho(server));
    if (!only || only === "webhook") hook.push(await measureWebhook(server));
    if (!only || only === "reliable") {
      spreadSync.push(await measureWebhook(server, "sync", spread));
      reliable.push(await measureWebhook(server, "reliable", spread));
    }
  }
  if (only) {
    const runs = {
      echo,
      webhook: hook,
      reliable: { sync: spreadSync, reliable },
    };
    console.log(JSON.stringify(runs[only as keyof typeof runs]));
    return;
  }
  console.log(
    `\nReplies to a c2s client through Prosody (${navigator.hardwareConcurrency} CPUs, window ${
      arg("window", "64")
    }, ${
      arg("seconds", "5")
    } s measured per round, median of ${rounds} rounds)\n`,
  );
  console.log(
    "| path | replies/s | p50 ms | p99 ms | errors | rounds (replies/s) |",
  );
  console.log("|---|---:|---:|---:|---:|---|");
  const rows = [
    ["raw component echo (no HTTP)", echo],
    ['gateway + webhook answering `{"body":"ok"}`', hook],
    [`sync mode, ${spread} conversations`, spreadSync],
    [`reliable mode (SQLite), ${spread} conversations`, reliable],
  ] as const;
  for (const [name, runs] of rows) {
    console.log(
      `| ${name} | ${fmt(median(runs.map(rate)), 0)} | ${
        fmt(median(runs.map((r) => r.p50)))
      } | ${fmt(median(runs.map((r) => r.p99)))} | ${
        runs.reduce((n, r) => n + r.errors, 0)
      } | ${runs.map((r) => fmt(rate(r), 0)).join(", ")} |`,
    );
  }
  const ratio = median(hook.map(rate)) / median(echo.map(rate));
  console.log(
    `\nwebhook / echo = ${
      fmt(ratio * 100)
    } % of the raw echo rate (target >= 50 %)${ratio >= 0.5 ? "" : "  MISSED"}`,
  );
  const kept = median(reliable.map(rate)) / median(spreadSync.map(rate));
  console.log(
    `reliable / sync = ${
      fmt(kept * 100)
    } % of sync mode's replies/s (target >= 80 %)${
      kept >= 0.8 ? "" : "  MISSED"
    }`,
  );
}

switch (arg("role", "main")) {
  case "webhook":
    await webhookRole();
    break;
  case "client":
    await clientRole();
    break;
  default:
    await main();
}
