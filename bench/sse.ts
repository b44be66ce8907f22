// SSE (README "Receiving without a webhook: pull, SSE, inbound iqs"): memory per held client and events/s fanned out, the gateway as its own process (cli.ts) over real Prosody.

import { TEST_TOKEN } from "../tests/support/gateway_env.ts";
import { PROSODY } from "../tests/support/xmpp_server.ts";
import { rssBytes, startGatewayProcess } from "./process.ts";

const HELD = 1_000;
const FANOUT_CLIENTS = 100;
const FANOUT_EVENTS = 2_000;
const DEADLINE_MS = 120_000;

// `--http-engine deno` measures the engine behind Deno.serve instead of the own one.
const engineAt = Deno.args.indexOf("--http-engine");
const ENGINE = engineAt === -1 ? "http1" : Deno.args[engineAt + 1];

const settle = () => new Promise((r) => setTimeout(r, 1_500));

/** Opens an SSE stream and resolves once its first block (`: connected`) arrived. */
async function open(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    headers: { Authorization: TEST_TOKEN, ...headers },
  });
  if (response.status !== 200) {
    throw new Error(`SSE answered ${response.status}`);
  }
  const reader = response.body!.getReader();
  await reader.read();
  return reader;
}

/** Opens `count` streams, 100 at a time. */
async function openMany(url: string, count: number) {
  const readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
  while (readers.length < count) {
    const batch = Math.min(100, count - readers.length);
    readers.push(
      ...await Promise.all(Array.from({ length: batch }, () => open(url))),
    );
  }
  return readers;
}

/**
 * A bare Deno.serve holding event streams: the floor any SSE server pays
 * per connection (first `count`, then `count` more, as for the gateway).
 */
async function floorPerClient(count: number): Promise<[number, number]> {
  const script = `
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () =>
      new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(": connected\\n\\n")); } }),
        { headers: { "Content-Type": "text/event-stream" } }));
    console.log(server.addr.port);`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    const port = Number((await reader.read()).value?.trim());
    await settle();
    const before = rssBytes(child.pid);
    const readers = await openMany(`http://127.0.0.1:${port}/`, count);
    await settle();
    const first = rssBytes(child.pid);
    readers.push(...await openMany(`http://127.0.0.1:${port}/`, count));
    await settle();
    const second = rssBytes(child.pid);
    await Promise.all(readers.map((r) => r.cancel()));
    return [(first - before) / count, (second - first) / count];
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
}

/** Reads a stream until `count` events arrived; resolves with the time. */
async function countEvents(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  count: number,
): Promise<number> {
  const decoder = new TextDecoder();
  let seen = 0;
  let carry = "";
  while (seen < count) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream ended after ${seen} events`);
    const text = carry + decoder.decode(value, { stream: true });
    const parts = text.split("\nevent: ");
    seen += parts.length - 1;
    carry = parts[parts.length - 1].slice(-8);
  }
  return performance.now();
}

await using server = await PROSODY.start();
const [domain] = Object.keys(server.components);
await using gateway = await startGatewayProcess({
  server: server.componentAddress,
  domain,
  secret: server.components[domain],
  flags: ["--log-level", "warn", "--http-engine", ENGINE],
});
const events = `${gateway.url}/rest/events`;

// 1. Memory per held client.
await settle();
const rssBefore = rssBytes(gateway.pid);
const held = await openMany(events, HELD);
await settle();
const rssHeld = rssBytes(gateway.pid);
const perClient = (rssHeld - rssBefore) / HELD;
// The first streams also grow V8's young generation (sized by the
// allocation rate, not by what is kept); the next ones show the cost of
// one more client once it has grown.
held.push(...await openMany(events, HELD));
await settle();
const rssHeld2 = rssBytes(gateway.pid);
const marginal = (rssHeld2 - rssHeld) / HELD;
await Promise.all(held.map((r) => r.cancel()));
const [floor, floorMarginal] = await floorPerClient(HELD);

// 2. Fan-out: FANOUT_EVENTS messages the gateway sends to its own domain
// (POST /rest, 20 at a time; Prosody routes them back in: no c2s rate
// limit in the way), FANOUT_CLIENTS streams.
await settle();
const clients = await openMany(events, FANOUT_CLIENTS);
const started = performance.now();
const done = Promise.all(clients.map((r) => countEvents(r, FANOUT_EVENTS)));
let next = 0;
await Promise.all(Array.from({ length: 20 }, async () => {
  while (next < FANOUT_EVENTS) {
    const n = ++next;
    const response = await fetch(`${gateway.url}/rest`, {
      method: "POST",
      headers: {
        Authorization: TEST_TOKEN,
        "Content-Type": "application/json",
      },
      body: JSON.stringify({
        kind: "message",
        type: "chat",
        to: `bot@${domain}`,
        body: `fan-out ${n}`,
      }),
    });
    await response.body?.cancel();
    if (response.status !== 202) {
      throw new Error(`POST answered ${response.status}`);
    }
  }
}));
const sent = performance.now();
let timer: ReturnType<typeof setTimeout> | undefined;
const finished = await Promise.race([
  done,
  new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`fan-out not done within ${DEADLINE_MS} ms`)),
      DEADLINE_MS,
    );
  }),
]).finally(() => clearTimeout(timer));
const seconds = (Math.max(...finished) - started) / 1000;
await Promise.all(clients.map((r) => r.cancel()));

const kib = (bytes: number) => (bytes / 1024).toFixed(1);
// deno-lint-ignore no-console
console.log(
  [
    `SSE clients held: ${HELD} (HTTP engine ${ENGINE}); gateway RSS ${
      kib(rssBefore)
    } -> ${kib(rssHeld)} KiB`,
    `  memory per client: ${
      kib(perClient)
    } KiB (target < 8 KiB); a bare Deno.serve holding the same streams: ${
      kib(floor)
    } KiB`,
    `  the next ${HELD} clients: ${kib(marginal)} KiB each (RSS ${
      kib(rssHeld2)
    } KiB); bare Deno.serve: ${kib(floorMarginal)} KiB each`,
    `Fan-out: ${FANOUT_EVENTS} messages (POSTed to the gateway's own domain in ${
      ((sent - started) / 1000).toFixed(2)
    } s) to ${FANOUT_CLIENTS} SSE clients, all delivered after ${
      seconds.toFixed(2)
    } s`,
    `  ${(FANOUT_EVENTS / seconds).toFixed(0)} events/s into the log, ${
      (FANOUT_EVENTS * FANOUT_CLIENTS / seconds).toFixed(0)
    } event deliveries/s to clients`,
  ].join("\n"),
);
