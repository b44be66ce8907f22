// Memory per long-polling REST iq (bench/rest.ts): a gateway alone in a child process vs a bare Deno.serve.

import type { XmppServer } from "../tests/support/xmpp_server.ts";
import { TEST_TOKEN } from "../tests/support/gateway_env.ts";
import { Child, type LoadRequest } from "./load.ts";

/** Child config of a counting c2s party (alice) that never answers. */
export function partyConfig(server: XmppServer, kind: string) {
  return {
    mode: "party",
    port: server.c2sPort,
    domain: server.host,
    username: "alice",
    password: server.users.alice,
    kind,
  };
}

/** A JSON POST to `<url>/rest` with the test token. */
export function jsonPost(
  url: string,
  body: unknown,
  extra: Record<string, string> = {},
): LoadRequest {
  return {
    url: `${url}/rest`,
    headers: {
      "Content-Type": "application/json",
      Authorization: TEST_TOKEN,
      ...extra,
    },
    body: JSON.stringify(body),
  };
}

const GC = ["--v8-flags=--expose-gc"];
type Usage = { rss: number; heapUsed: number };

/** RSS growth per request of a bare `Deno.serve` holding `count` such requests (HTTP/1.1, one connection each). */
async function floor(count: number): Promise<number> {
  await using server = new Child({ mode: "hold" }, GC);
  const { port, rss } = await server.read<{ port: number } & Usage>();
  const body = { kind: "iq", to: "a@b", ping: true };
  const request = jsonPost(`http://127.0.0.1:${port}`, body);
  await using polls = new Child({ mode: "longpoll", request, count });
  await polls.read(); // started
  await server.write({ expect: count });
  const after = await server.read<Usage>();
  return (after.rss - rss) / count;
}

/** What {@linkcode memory} measured. */
export interface MemoryResult {
  inFlight: number;
  rssBefore: number;
  rssAfter: number;
  perIq: number;
  heapPerIq: number;
  floorPerRequest: number;
}

/**
 * Memory per long-polling iq: a gateway alone in a child process, `count`
 * iqs to a c2s party that never answers, usage after a full GC before and
 * after (the child is killed at the end).
 */
export async function memory(
  server: XmppServer,
  count: number,
): Promise<MemoryResult> {
  const domain = Object.keys(server.components)[1];
  await using gw = new Child({
    mode: "gateway",
    domain,
    secret: server.components[domain],
    server: server.componentAddress,
  }, GC);
  const { url } = await gw.read<{ url: string }>();
  await using party = new Child(partyConfig(server, "iq"));
  const { jid } = await party.read<{ jid: string }>();
  const iq = { kind: "iq", to: jid, ping: true };
  // Warm-up of the same path: short long-polls that time out.
  const warm = jsonPost(url, iq, { "Prosody-Rest-Timeout": "1" });
  await using warmup = new Child({
    mode: "longpoll",
    request: warm,
    count: 500,
  });
  await warmup.read(); // started
  await party.write({ expect: 500 });
  await party.read();
  await warmup.read(); // all timed out
  await gw.write({ expect: 0 });
  const before = await gw.read<Usage>();
  const request = jsonPost(url, iq, { "Prosody-Rest-Timeout": "600" });
  await using polls = new Child({ mode: "longpoll", request, count });
  await polls.read(); // started
  await party.write({ expect: count });
  const { count: inFlight } = await party.read<{ count: number }>();
  await gw.write({ expect: 0 });
  const after = await gw.read<Usage>();
  return {
    inFlight,
    rssBefore: before.rss,
    rssAfter: after.rss,
    perIq: (after.rss - before.rss) / inFlight,
    heapPerIq: (after.heapUsed - before.heapUsed) / inFlight,
    floorPerRequest: await floor(count),
  };
}
