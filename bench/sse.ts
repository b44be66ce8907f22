// SSE (README "Receiving without a webhook: pull, SSE, inbound iqs"): memory per held client and events/s fanned out, the gateway as its own process (cli.ts) over real Prosody.

import { TEST_TOKEN } from "../tests/support/gateway_env.ts";
import { PROSODY } from "../tests/support/xmpp_server.ts";
import { startGatewayProcess } from "./process.ts";

const HELD = 1_000;
const FANOUT_CLIENTS = 100;
const FANOUT_EVENTS = 2_000;
const DEADLINE_MS = 120_000;

// `--http-engine deno` measures the engine behind Deno.serve instead of the own one.
const engineAt = Deno.args.indexOf("--http-engine");
const ENGINE = engineAt === -1 ? "http1" : Deno.args[engineAt + 1];
// `--v8-flags=...` is passed to the gateway's `deno run` (e.g. a smaller
// young generation: `--v8-flags=--max-semi-space-size=1`).
const V8_FLAGS = Deno.args.filter((a) => a.startsWith("--v8-flags="));

// `--warm N` (default 100; 0: none) streams are opened and closed before the
// first reading, as bench/e2e_longpoll.ts polls 500 times first: the code
// paths and the allocator arenas of V8's background threads are paid once
// per process, not per client.
const warmAt = Deno.args.indexOf("--warm");
const WARM = warmAt === -1 ? 100 : Number(Deno.args[warmAt + 1]);

/** Quiet time before reading the gateway. */
const SETTLE_MS = 1_500;
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));
/**
 * Held streams are read again this long after connecting: V8 shrinks its
 * young generation (grown by the allocations of connecting) once
 * allocation has been low for a while (its memory reducer, about 30 s).
 */
const SETTLED_MS = 45_000;
/** Readings of a settled gateway, a second apart; the median is reported. */
const READINGS = 3;

/** What {@linkcode reading} reads. */
interface Reading {
  /** Resident set size, bytes (/proc). */
  rss: number;
  /** The part of it that maps files (the deno executable's code paged in), bytes. */
  rssFile: number;
  /** The part of it in glibc's thread arenas (native memory of background threads), bytes. */
  arenas: number;
  /** V8 heap used and total, bytes (the gateway's GET /metrics). */
  heapUsed: number;
  heapTotal: number;
  /** SSE clients the gateway counts. */
  sseClients: number;
}

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
    const before = rssSplit(child.pid).rss;
    const readers = await openMany(`http://127.0.0.1:${port}/`, count);
    await settle();
    const first = rssSplit(child.pid).rss;
    readers.push(...await openMany(`http://127.0.0.1:${port}/`, count));
    await settle();
    const second = rssSplit(child.pid).rss;
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

/** RSS of `pid` and its file-backed part (proc(5) VmRSS, RssFile), bytes. */
function rssSplit(pid: number): { rss: number; rssFile: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1]) * 1024;
  return { rss: kb("VmRSS"), rssFile: kb("RssFile") };
}

/** glibc's heaps of a thread arena: 64 MiB reserved at a 64 MiB boundary (malloc/arena.c), a part of it usable. */
const ARENA_HEAP = 64 * 1024 * 1024;

/**
 * Resident bytes of `pid`'s glibc thread arenas (proc(5) smaps): each is an
 * anonymous read-write mapping starting at a 64 MiB boundary with the rest
 * of its 64 MiB reserved (`---p`) right after it. The main thread's arena
 * (`[heap]`) is not among them.
 */
function arenaRss(pid: number): number {
  const text = Deno.readTextFileSync(`/proc/${pid}/smaps`);
  const maps: {
    start: number;
    end: number;
    perms: string;
    anon: boolean;
    rss: number;
  }[] = [];
  for (const line of text.split("\n")) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(
      line,
    );
    if (head) {
      maps.push({
        start: parseInt(head[1], 16),
        end: parseInt(head[2], 16),
        perms: head[3],
        anon: head[4] === "",
        rss: 0,
      });
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && maps.length > 0) {
      maps[maps.length - 1].rss = Number(rss[1]) * 1024;
    }
  }
  let total = 0;
  maps.forEach((map, i) => {
    const rest = maps[i + 1];
    const whole = rest?.start === map.end && rest.perms === "---p"
      ? rest.end - map.start
      : map.end - map.start;
    if (
      map.anon && map.perms === "rw-p" && map.start % ARENA_HEAP === 0 &&
      whole === ARENA_HEAP
    ) total += map.rss;
  });
  return total;
}

/** The gateway's own memory split (GET /metrics) and its RSS, read `READINGS` times a second apart after settling; the median of each. */
async function reading(
  gateway: { url: string; pid: number },
): Promise<Reading> {
  await settle();
  const samples: Reading[] = [];
  for (let i = 0; i < READINGS; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 1_000));
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    const metric = (pattern: RegExp) => Number(pattern.exec(text)?.[1]);
    samples.push({
      ...rssSplit(gateway.pid),
      arenas: arenaRss(gateway.pid),
      heapUsed: metric(/^xmpp_rest_heap_bytes\{kind="used"\} (\S+)$/m),
      heapTotal: metric(/^xmpp_rest_heap_bytes\{kind="total"\} (\S+)$/m),
      sseClients: metric(/^xmpp_rest_sse_clients (\S+)$/m),
    });
  }
  const median = (key: keyof Reading) =>
    samples.map((s) => s[key]).sort((a, b) => a - b)[samples.length >> 1];
  return {
    rss: median("rss"),
    rssFile: median("rssFile"),
    arenas: median("arenas"),
    heapUsed: median("heapUsed"),
    heapTotal: median("heapTotal"),
    sseClients: median("sseClients"),
  };
}

/** Sends one message to a bot at the gateway's own domain (it comes back as an event). */
async function postMessage(
  gateway: { url: string; domain: string },
  body: string,
) {
  const response = await fetch(`${gateway.url}/rest`, {
    method: "POST",
    headers: { Authorization: TEST_TOKEN, "Content-Type": "application/json" },
    body: JSON.stringify({
      kind: "message",
      type: "chat",
      to: `bot@${gateway.domain}`,
      body,
    }),
  });
  await response.body?.cancel();
  if (response.status !== 202) {
    throw new Error(`POST answered ${response.status}`);
  }
}

/** A gateway process under measurement. */
interface Measured {
  readonly url: string;
  readonly pid: number;
  readonly domain: string;
}

/**
 * Cancels `readers` and waits until the gateway has freed their clients
 * (the own engine reads nothing from a held stream: the writes of new
 * events are what notice a client left).
 */
async function closeAll(
  gateway: Measured,
  readers: ReadableStreamDefaultReader<Uint8Array>[],
) {
  await Promise.all(readers.map((r) => r.cancel()));
  for (let n = 0; (await reading(gateway)).sseClients > 0; n++) {
    if (n === 20) throw new Error("the gateway still counts closed clients");
    await postMessage(gateway, `bye ${n}`);
  }
}

/** Readings of a gateway holding streams: soon after connecting, and settled. */
interface Held {
  readonly soon: Reading;
  readonly settled: Reading;
}

/** Opens `count` more streams; reads the gateway soon after, and again SETTLED_MS after connecting. */
async function holdMore(
  gateway: Measured,
  held: ReadableStreamDefaultReader<Uint8Array>[],
  count: number,
): Promise<Held> {
  held.push(...await openMany(`${gateway.url}/rest/events`, count));
  const connected = performance.now();
  const soon = await reading(gateway);
  const left = SETTLED_MS - (performance.now() - connected);
  await new Promise((r) => setTimeout(r, Math.max(0, left)));
  const settled = await reading(gateway);
  if (settled.sseClients !== held.length) {
    throw new Error(
      `the gateway counts ${settled.sseClients} SSE clients, not ${held.length}`,
    );
  }
  return { soon, settled };
}

/** Readings before, with `HELD` and with twice `HELD` streams held. */
async function heldMemory(gateway: Measured) {
  const held: ReadableStreamDefaultReader<Uint8Array>[] = [];
  if (WARM > 0) {
    await closeAll(gateway, await openMany(`${gateway.url}/rest/events`, WARM));
    await new Promise((r) => setTimeout(r, SETTLED_MS));
  }
  const before = await reading(gateway);
  const one = await holdMore(gateway, held, HELD);
  const two = await holdMore(gateway, held, HELD);
  await closeAll(gateway, held);
  return { before, one, two };
}

/**
 * FANOUT_EVENTS messages the gateway sends to its own domain (POST /rest,
 * 20 at a time; Prosody routes them back in: no c2s rate limit in the
 * way), to FANOUT_CLIENTS streams.
 */
async function fanOut(gateway: Measured) {
  const clients = await openMany(`${gateway.url}/rest/events`, FANOUT_CLIENTS);
  const started = performance.now();
  const done = Promise.all(clients.map((r) => countEvents(r, FANOUT_EVENTS)));
  let next = 0;
  await Promise.all(Array.from({ length: 20 }, async () => {
    while (next < FANOUT_EVENTS) {
      await postMessage(gateway, `fan-out ${++next}`);
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
  await closeAll(gateway, clients);
  return {
    postSeconds: (sent - started) / 1000,
    seconds: (Math.max(...finished) - started) / 1000,
  };
}

/** Starts a gateway (cli.ts) on `server`, runs `measure`, stops it. */
async function withGateway<T>(
  server: { componentAddress: string; components: Record<string, string> },
  measure: (gateway: Measured) => Promise<T>,
): Promise<T> {
  const [domain] = Object.keys(server.components);
  await using gateway = await startGatewayProcess({
    server: server.componentAddress,
    domain,
    secret: server.components[domain],
    flags: ["--log-level", "warn", "--http-engine", ENGINE],
    denoFlags: V8_FLAGS,
  });
  return await measure({ url: gateway.url, pid: gateway.pid, domain });
}

await using server = await PROSODY.start();
// 1. Memory per held client on a gateway that has served WARM streams
// before (with `--warm 0`, on one just started: its first streams also pay
// the one-time costs: code paths paged in, the allocator arenas of V8's
// garbage collector threads). Soon after connecting, V8's young generation
// has grown with the allocation rate; V8 shrinks it again once allocation
// has been low for a while: the settled readings. 2. Fan-out on the same
// gateway.
const { memory, rates } = await withGateway(server, async (gateway) => {
  const memory = await heldMemory(gateway);
  return { memory, rates: await fanOut(gateway) };
});
const [floor, floorMarginal] = await floorPerClient(HELD);

const kib = (bytes: number) => (bytes / 1024).toFixed(1);
/** Per client between two readings: RSS, split into V8 heap, files and native. */
function perClient(a: Reading, b: Reading): string {
  const per = (key: keyof Reading) => kib((b[key] - a[key]) / HELD);
  const native = (b.rss - b.rssFile - b.heapTotal) -
    (a.rss - a.rssFile - a.heapTotal);
  return `${per("rss")} KiB (V8 heap total ${per("heapTotal")}, used ${
    per("heapUsed")
  }; code paged in ${per("rssFile")}; native ${
    kib(native / HELD)
  }, of it thread arenas ${per("arenas")})`;
}
const { before, one, two } = memory;
// deno-lint-ignore no-console
console.log(
  [
    `SSE memory per held client (HTTP engine ${ENGINE}${
      V8_FLAGS.length > 0 ? `, ${V8_FLAGS.join(" ")}` : ", default V8 flags"
    }), target < 8 KiB: gateway RSS (the median of ${READINGS} readings a second apart), ${
      WARM > 0
        ? `after ${WARM} streams opened and closed`
        : "on a gateway just started"
    }`,
    `  ${HELD} clients, settled (${SETTLED_MS / 1000} s after connecting): ${
      perClient(before, one.settled)
    }`,
    `    soon (${SETTLE_MS / 1000} s after connecting): ${
      perClient(before, one.soon)
    }`,
    `  the next ${HELD}, settled: ${perClient(one.settled, two.settled)}`,
    `    soon: ${perClient(one.settled, two.soon)}`,
    `  RSS ${kib(before.rss)} KiB (V8 heap total ${
      kib(before.heapTotal)
    }) -> ${HELD} clients ${kib(one.settled.rss)} (${
      kib(one.settled.heapTotal)
    }) -> ${2 * HELD} clients ${kib(two.settled.rss)} (${
      kib(two.settled.heapTotal)
    })`,
    `  a bare Deno.serve holding the same streams: ${
      kib(floor)
    } KiB per client, the next ${HELD}: ${kib(floorMarginal)} KiB`,
    `Fan-out: ${FANOUT_EVENTS} messages (POSTed to the gateway's own domain in ${
      rates.postSeconds.toFixed(2)
    } s) to ${FANOUT_CLIENTS} SSE clients, all delivered after ${
      rates.seconds.toFixed(2)
    } s`,
    `  ${(FANOUT_EVENTS / rates.seconds).toFixed(0)} events/s into the log, ${
      (FANOUT_EVENTS * FANOUT_CLIENTS / rates.seconds).toFixed(0)
    } event deliveries/s to clients`,
  ].join("\n"),
);
