// Memory per long-polling iq (bench/e2e.ts): the gateway started through cli.ts vs a bare Deno.serve, RSS read from /proc; HTTP/1.1 (a connection each) or HTTP/2 over TLS (streams on a few connections).

import type { XmppServer } from "../tests/support/xmpp_server.ts";
import { Child } from "./load.ts";
import { openDescriptors, rssBytes, startGatewayProcess } from "./process.ts";
import { selfSigned } from "../tests/support/tls.ts";
import { jsonPost, partyConfig } from "./rest_memory.ts";

/** What {@linkcode longpollMemory} measured. */
export interface LongpollMemory {
  /** `HTTP/1.1` or `HTTP/2`. */
  protocol: string;
  /** Iqs the party saw waiting. */
  inFlight: number;
  /** Descriptors the gateway opened for them (about one per connection). */
  connections: number;
  /** Gateway RSS before, a second after all were waiting, and settled, bytes. */
  rssBefore: number;
  rssAfter: number;
  rssSettled: number;
  /** RSS growth per waiting iq a second after all were waiting, bytes. */
  perIq: number;
  /** RSS growth per waiting iq once settled (see {@linkcode LongpollOptions.settleMs}), bytes. */
  perIqSettled: number;
  /** RSS growth per request held by a bare `Deno.serve` the same way, a second after, bytes. */
  floorPerRequest: number;
  /** The same, settled. */
  floorSettled: number;
}

/** How the long-polls reach the gateway. */
export interface LongpollOptions {
  /** HTTP/2 over TLS on this many connections; undefined: HTTP/1.1, a connection each. */
  h2Connections?: number;
  /** `--http-engine` of the gateway for plain HTTP (default: its default, http1). */
  httpEngine?: "http1" | "deno";
  /**
   * How long the requests stay held before the settled reading, ms
   * (default 30 s). V8 keeps the young generation it grew while the
   * requests arrived (garbage included) until its memory reducer runs,
   * some 10-20 s after allocation calms down; the settled reading is what
   * the held requests cost from then on.
   */
  settleMs?: number;
}

/** Default of {@linkcode LongpollOptions.settleMs}. */
const SETTLE_MS = 30_000;

const settle = () => new Promise((r) => setTimeout(r, 1_000));

type Tls = Awaited<ReturnType<typeof selfSigned>>;

function pollConfig(
  request: ReturnType<typeof jsonPost>,
  count: number,
  tls: Tls | undefined,
  connections: number | undefined,
) {
  return tls === undefined
    ? { mode: "longpoll", request, count }
    : { mode: "longpoll", request, count, caCert: tls.cert, connections };
}

/**
 * Iqs the party saw, asked until `count` arrived or none came for 10 s
 * (opening thousands of connections takes a while).
 */
async function arrivals(party: Child, count: number): Promise<number> {
  let total = 0;
  let quietSince = performance.now();
  while (total < count && performance.now() - quietSince < 10_000) {
    await party.write({ expect: count - total });
    const { count: more } = await party.read<{ count: number }>();
    if (more > 0) quietSince = performance.now();
    total += more;
  }
  return total;
}

/** RSS growth per request of a bare `Deno.serve` holding `count` requests: a second after, and settled. */
async function floor(
  count: number,
  tls: Tls | undefined,
  connections: number | undefined,
  settleMs: number,
): Promise<[number, number]> {
  await using server = new Child({
    mode: "hold",
    ...tls && { cert: tls.cert, key: tls.key },
  });
  const { port } = await server.read<{ port: number }>();
  const body = { kind: "iq", to: "a@b", ping: true };
  const scheme = tls ? "https" : "http";
  const request = jsonPost(`${scheme}://127.0.0.1:${port}`, body);
  await settle();
  const before = rssBytes(server.pid);
  await using polls = new Child(pollConfig(request, count, tls, connections));
  await polls.read(); // started
  await server.write({ expect: count });
  await server.read();
  await settle();
  const soon = rssBytes(server.pid);
  await new Promise((r) => setTimeout(r, settleMs));
  return [(soon - before) / count, (rssBytes(server.pid) - before) / count];
}

/**
 * `count` iqs through a fresh gateway process to a c2s party that never
 * answers; gateway RSS before (after a warm-up of 500 short polls on the
 * same path), once all are waiting (after a second's rest) and settled
 * ({@linkcode LongpollOptions.settleMs} later, all still waiting).
 */
export async function longpollMemory(
  server: XmppServer,
  count: number,
  options: LongpollOptions = {},
): Promise<LongpollMemory> {
  const connections = options.h2Connections;
  const dir = await Deno.makeTempDir({ prefix: "xmpp-rest-bench-tls-" });
  try {
    const tls = connections === undefined ? undefined : await selfSigned(dir);
    const domain = Object.keys(server.components)[0];
    await using gateway = await startGatewayProcess({
      server: server.componentAddress,
      domain,
      secret: server.components[domain],
      flags: [
        "--iq-max-timeout",
        "600",
        ...options.httpEngine ? ["--http-engine", options.httpEngine] : [],
      ],
      tls,
    });
    await using party = new Child(partyConfig(server, "iq"));
    const { jid } = await party.read<{ jid: string }>();
    const iq = { kind: "iq", to: jid, ping: true };
    const warm = jsonPost(gateway.url, iq, { "Prosody-Rest-Timeout": "1" });
    await using warmup = new Child(pollConfig(warm, 500, tls, connections));
    await warmup.read(); // started
    await party.write({ expect: 500 });
    await party.read();
    await warmup.read(); // all timed out
    await settle();
    const rssBefore = rssBytes(gateway.pid);
    const fdsBefore = openDescriptors(gateway.pid);
    const request = jsonPost(gateway.url, iq, {
      "Prosody-Rest-Timeout": "600",
    });
    await using polls = new Child(pollConfig(request, count, tls, connections));
    await polls.read(); // started
    const inFlight = await arrivals(party, count);
    await settle();
    const rssAfter = rssBytes(gateway.pid);
    const settleMs = options.settleMs ?? SETTLE_MS;
    await new Promise((r) => setTimeout(r, settleMs));
    const rssSettled = rssBytes(gateway.pid);
    const [floorPerRequest, floorSettled] = await floor(
      count,
      tls,
      connections,
      settleMs,
    );
    return {
      protocol: tls
        ? "HTTP/2"
        : `HTTP/1.1 (${options.httpEngine ?? "http1"} engine)`,
      inFlight,
      connections: openDescriptors(gateway.pid) - fdsBefore,
      rssBefore,
      rssAfter,
      rssSettled,
      perIq: (rssAfter - rssBefore) / inFlight,
      perIqSettled: (rssSettled - rssBefore) / inFlight,
      floorPerRequest,
      floorSettled,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// Alone: deno run -A bench/e2e_longpoll.ts [--longpolls 10000] [--http-engine http1|deno] [--h2] [--settle-seconds 30]
if (import.meta.main) {
  const { PROSODY } = await import("../tests/support/xmpp_server.ts");
  const arg = (name: string) => {
    const i = Deno.args.indexOf(`--${name}`);
    return i === -1 ? undefined : Deno.args[i + 1];
  };
  const count = Number(arg("longpolls") ?? 10_000);
  const engine = arg("http-engine") as "http1" | "deno" | undefined;
  await using server = await PROSODY.start();
  const mem = await longpollMemory(server, count, {
    httpEngine: engine,
    h2Connections: Deno.args.includes("--h2") ? 100 : undefined,
    settleMs: Number(arg("settle-seconds") ?? SETTLE_MS / 1000) * 1000,
  });
  const kib = (b: number) => `${(b / 1024).toFixed(2)} KiB`;
  // deno-lint-ignore no-console
  console.log(
    `${mem.inFlight} long-polling iqs over ${mem.protocol}, ${mem.connections} ` +
      `new descriptors: RSS ${(mem.rssBefore / 2 ** 20).toFixed(1)} -> ` +
      `${(mem.rssAfter / 2 ** 20).toFixed(1)} MiB, ${kib(mem.perIq)} per ` +
      `waiting iq; bare Deno.serve ${kib(mem.floorPerRequest)} per request; ` +
      `the gateway's own share ${kib(mem.perIq - mem.floorPerRequest)}; ` +
      `settled (all still waiting): RSS ` +
      `${(mem.rssSettled / 2 ** 20).toFixed(1)} MiB, ${
        kib(mem.perIqSettled)
      } ` +
      `per waiting iq; bare Deno.serve ${kib(mem.floorSettled)}; own share ` +
      `${kib(mem.perIqSettled - mem.floorSettled)}`,
  );
}
