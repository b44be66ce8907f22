// Bench child process for bench/rest.ts: a counting c2s party, a fetch load generator, many long-polling iqs,
// a gateway whose memory is measured, or a bare Deno.serve holding requests (the floor).
// Run by bench/load.ts `Child` with one JSON argument; prints one JSON object per line.
// deno-lint-ignore-file no-console

import { createComponent } from "../src/component/mod.ts";
import { createGateway } from "../src/gateway.ts";
import { el } from "../src/xml/element.ts";
import { NS } from "../src/xmpp/namespaces.ts";
import { parseHostPort } from "../src/address.ts";
import { C2sClient } from "../tests/support/c2s_client.ts";
import { TEST_TOKEN } from "../tests/support/gateway_env.ts";
import { closedLoop, type LoadRequest, splitLines } from "./load.ts";

/** What the child does. */
type Config =
  | {
    mode: "party";
    port: number;
    domain: string;
    username: string;
    password: string;
    /** Stanza name to count (`message`, `iq`). */
    kind: string;
  }
  | {
    mode: "fetch";
    request: LoadRequest;
    concurrency: number;
    seconds: number;
    status: number;
  }
  | {
    mode: "longpoll";
    request: LoadRequest;
    count: number;
    /** HTTPS: trust this PEM certificate and speak HTTP/2 only. */
    caCert?: string;
    /** HTTP/2: spread the requests over this many connections. */
    connections?: number;
  }
  | { mode: "hold"; cert?: string; key?: string }
  | { mode: "accept" }
  | { mode: "gateway"; domain: string; secret: string; server: string }
  | {
    mode: "component";
    domain: string;
    secret: string;
    server: string;
    /** The server's domain, pinged on request. */
    host: string;
  };

const emit = (value: unknown) => console.log(JSON.stringify(value));
const config: Config = JSON.parse(Deno.args[0]);

/**
 * Every stanza of `kind` counts; `{"expect": N}` on stdin answers with the
 * count since the last answer once N more arrived and 300 ms passed without
 * one (stragglers included), or after 3 s without any.
 */
async function party(c: Extract<Config, { mode: "party" }>): Promise<void> {
  const client = await C2sClient.connect({ ...c, resource: "bench" });
  let count = 0;
  let last = performance.now();
  let wake = () => {};
  (async () => {
    for (;;) {
      try {
        await client.next((s) => s.name === c.kind, 60_000);
      } catch {
        continue; // nothing for a minute, or closed: keep idling until killed
      }
      count++;
      last = performance.now();
      wake();
    }
  })();
  emit({ jid: client.jid });
  let reported = 0;
  for await (const line of splitLines(Deno.stdin.readable)) {
    const { expect } = JSON.parse(line) as { expect: number };
    for (;;) {
      const quiet = performance.now() - last;
      if ((count - reported >= expect && quiet >= 300) || quiet >= 3_000) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 250);
      });
    }
    emit({ count: count - reported });
    reported = count;
  }
  Deno.exit(0);
}

function send(
  request: LoadRequest,
  client?: Deno.HttpClient,
): Promise<Response> {
  return fetch(request.url, {
    method: "POST",
    headers: request.headers,
    body: request.body,
    client,
  });
}

async function load(c: Extract<Config, { mode: "fetch" }>): Promise<void> {
  const once = async () => {
    try {
      const res = await send(c.request);
      await res.arrayBuffer();
      return res.status === c.status;
    } catch {
      return false;
    }
  };
  emit(await closedLoop(c.concurrency, c.seconds, once));
  Deno.exit(0);
}

/** HTTP/2 long-polls started at once, and the pause between such steps. */
const LONGPOLL_STEP = 250;
const LONGPOLL_STEP_MS = 50;

async function longpoll(
  c: Extract<Config, { mode: "longpoll" }>,
): Promise<void> {
  const statuses: Record<string, number> = {};
  // Each HTTP/2-only client keeps one connection; its requests are streams.
  const clients = c.caCert === undefined ? [] : Array.from(
    { length: c.connections ?? 1 },
    () =>
      Deno.createHttpClient({
        caCerts: [c.caCert!],
        http1: false,
        http2: true,
      }),
  );
  // Over HTTP/2 nothing spaces the requests out (no connection to open
  // each): a burst of thousands would overflow the component's outgoing
  // queue (503, README "Errors") instead of waiting. Start them in steps.
  const step = clients.length === 0 ? c.count : LONGPOLL_STEP;
  const all = Array.from({ length: c.count }, async (_, i) => {
    if (i >= step) {
      await new Promise((r) =>
        setTimeout(r, LONGPOLL_STEP_MS * Math.floor(i / step))
      );
    }
    try {
      let res = await send(c.request, clients[i % clients.length]);
      // A full outgoing queue answers 503 with Retry-After: 1; a client
      // retries, so that the iq ends up waiting like the others.
      for (let retry = 0; res.status === 503 && retry < 20; retry++) {
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 1000));
        res = await send(c.request, clients[i % clients.length]);
      }
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    } catch (error) {
      const key = (error as Error).name;
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
  });
  emit({ started: c.count });
  await Promise.all(all);
  emit({ statuses });
  Deno.exit(0);
}

/** RSS and JS heap after a full GC (run with `--v8-flags=--expose-gc`). */
async function usage(): Promise<{ rss: number; heapUsed: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((r) => setTimeout(r, 200));
  gc?.();
  const { rss, heapUsed } = Deno.memoryUsage();
  return { rss, heapUsed };
}

/** Answers each `{"expect": N}` on stdin with {@linkcode usage} once `count()` reaches N. */
async function measureOnRequest(count: () => number): Promise<void> {
  for await (const line of splitLines(Deno.stdin.readable)) {
    const { expect } = JSON.parse(line) as { expect: number };
    while (count() < expect) await new Promise((r) => setTimeout(r, 100));
    emit(await usage());
  }
  Deno.exit(0);
}

/** The floor: a bare `Deno.serve` (HTTPS with `cert`) that reads each request body and never answers. */
async function hold(c: Extract<Config, { mode: "hold" }>): Promise<void> {
  let held = 0;
  const tls = c.cert === undefined ? {} : { cert: c.cert, key: c.key! };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {}, ...tls },
    async (req) => {
      await req.arrayBuffer();
      held++;
      return await new Promise<Response>(() => {});
    },
  );
  emit({ port: (server.addr as Deno.NetAddr).port, ...await usage() });
  await measureOnRequest(() => held);
}

/** The HTTP floor: a bare `Deno.serve` that reads each body and answers 202. */
async function accept(): Promise<void> {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      await req.bytes();
      return new Response(null, { status: 202 });
    },
  );
  emit({ port: (server.addr as Deno.NetAddr).port });
  await server.finished;
}

/** A gateway alone in its process, so that its memory can be measured. */
async function gateway(c: Extract<Config, { mode: "gateway" }>): Promise<void> {
  const gw = await createGateway({
    domain: c.domain,
    secret: c.secret,
    server: parseHostPort(c.server),
    listen: { hostname: "127.0.0.1", port: 0 },
    credentials: [TEST_TOKEN],
    iqMaxTimeout: 600,
    dataDir: ":memory:",
  });
  await gw.component.waitOnline({ signal: AbortSignal.timeout(10_000) });
  emit({ url: gw.url });
  await measureOnRequest(() => Infinity);
}

/**
 * The bare component in its own process: echoes every chat message back
 * (the webhook ceiling) and answers each `{"pings": c, "seconds": s}` on
 * stdin with a closed loop of iq pings to the server (the iq ceiling).
 */
async function component(
  c: Extract<Config, { mode: "component" }>,
): Promise<void> {
  const client = createComponent({
    domain: c.domain,
    secret: c.secret,
    server: parseHostPort(c.server),
    onStanza(stanza) {
      if (stanza.name !== "message" || stanza.attr("type") === "error") {
        return false;
      }
      client.send(el("message", stanza.ns, {
        from: stanza.attr("to"),
        to: stanza.attr("from"),
        id: stanza.attr("id"),
      }, el("body", stanza.ns, {}, "ok")));
      return true;
    },
  });
  client.start();
  await client.waitOnline({ signal: AbortSignal.timeout(10_000) });
  emit({ online: true });
  const once = async () => {
    const iq = el(
      "iq",
      NS.client,
      { type: "get", to: c.host },
      el("ping", NS.ping),
    );
    const reply = await client.sendIq(iq, { timeoutMs: 10_000 });
    return reply.attr("type") === "result";
  };
  for await (const line of splitLines(Deno.stdin.readable)) {
    const { pings, seconds } = JSON.parse(line) as {
      pings: number;
      seconds: number;
    };
    emit(await closedLoop(pings, seconds, once));
  }
  Deno.exit(0);
}

switch (config.mode) {
  case "accept":
    await accept();
    break;
  case "component":
    await component(config);
    break;
  case "hold":
    await hold(config);
    break;
  case "gateway":
    await gateway(config);
    break;
  case "party":
    await party(config);
    break;
  case "fetch":
    await load(config);
    break;
  case "longpoll":
    await longpoll(config);
    break;
}
