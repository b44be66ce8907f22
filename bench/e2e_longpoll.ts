// Memory per long-polling iq (bench/e2e.ts): the gateway started through cli.ts vs a bare Deno.serve, RSS read from /proc.

import type { XmppServer } from "../tests/support/xmpp_server.ts";
import { Child } from "./load.ts";
import { rssBytes, startGatewayProcess } from "./process.ts";
import { jsonPost, partyConfig } from "./rest_memory.ts";

/** What {@linkcode longpollMemory} measured. */
export interface LongpollMemory {
  /** Iqs the party saw waiting. */
  inFlight: number;
  /** Gateway RSS before and after, bytes. */
  rssBefore: number;
  rssAfter: number;
  /** RSS growth per waiting iq, bytes. */
  perIq: number;
  /** RSS growth per request held by a bare `Deno.serve`, bytes. */
  floorPerRequest: number;
}

const settle = () => new Promise((r) => setTimeout(r, 1_000));

/** RSS growth per request of a bare `Deno.serve` holding `count` requests. */
async function floor(count: number): Promise<number> {
  await using server = new Child({ mode: "hold" });
  const { port } = await server.read<{ port: number }>();
  const body = { kind: "iq", to: "a@b", ping: true };
  const request = jsonPost(`http://127.0.0.1:${port}`, body);
  await settle();
  const before = rssBytes(server.pid);
  await using polls = new Child({ mode: "longpoll", request, count });
  await polls.read(); // started
  await server.write({ expect: count });
  await server.read();
  await settle();
  return (rssBytes(server.pid) - before) / count;
}

/**
 * `count` iqs through a fresh gateway process to a c2s party that never
 * answers, each its own HTTP/1.1 connection; gateway RSS before (after a
 * warm-up of 500 short polls on the same path) and once all are waiting.
 */
export async function longpollMemory(
  server: XmppServer,
  count: number,
): Promise<LongpollMemory> {
  const domain = Object.keys(server.components)[0];
  await using gateway = await startGatewayProcess({
    server: server.componentAddress,
    domain,
    secret: server.components[domain],
    flags: ["--iq-max-timeout", "600"],
  });
  await using party = new Child(partyConfig(server, "iq"));
  const { jid } = await party.read<{ jid: string }>();
  const iq = { kind: "iq", to: jid, ping: true };
  const warm = jsonPost(gateway.url, iq, { "Prosody-Rest-Timeout": "1" });
  await using warmup = new Child({
    mode: "longpoll",
    request: warm,
    count: 500,
  });
  await warmup.read(); // started
  await party.write({ expect: 500 });
  await party.read();
  await warmup.read(); // all timed out
  await settle();
  const rssBefore = rssBytes(gateway.pid);
  const request = jsonPost(gateway.url, iq, { "Prosody-Rest-Timeout": "600" });
  await using polls = new Child({ mode: "longpoll", request, count });
  await polls.read(); // started
  await party.write({ expect: count });
  const { count: inFlight } = await party.read<{ count: number }>();
  await settle();
  const rssAfter = rssBytes(gateway.pid);
  return {
    inFlight,
    rssBefore,
    rssAfter,
    perIq: (rssAfter - rssBefore) / inFlight,
    floorPerRequest: await floor(count),
  };
}
