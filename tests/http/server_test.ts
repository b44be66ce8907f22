// The HTTP server shell: connection cap, header and idle timeouts, episode logging, over real loopback sockets.

import assert from "node:assert/strict";
import { type HttpServer, serveHttp } from "../../src/http/server.ts";
import { connectionEngine } from "../../src/http/deno_engine.ts";
import type { Logger } from "../../src/logger.ts";

/** A logger that keeps its lines. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string) =>
    lines.push(`${level} ${message}`);
  return {
    lines,
    debug: keep("debug"),
    info: keep("info"),
    warn: keep("warn"),
    error: keep("error"),
  };
}

const ok = () => Promise.resolve(new Response("ok"));

/** Reads from `conn` until the peer closes it; the text read and the milliseconds it took. */
async function readUntilClosed(
  conn: Deno.Conn,
  limitMs = 10_000,
): Promise<{ text: string; ms: number }> {
  const started = performance.now();
  const buffer = new Uint8Array(4096);
  let text = "";
  const timer = setTimeout(() => conn.close(), limitMs);
  try {
    while (true) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
  } finally {
    clearTimeout(timer);
  }
  try {
    conn.close();
  } catch { /* closed by the timer */ }
  return { text, ms: performance.now() - started };
}

async function connect(server: HttpServer): Promise<Deno.Conn> {
  return await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const request = new TextEncoder().encode(
  "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
);

Deno.test("this Deno has the per-connection HTTP engine the server shell needs", () => {
  assert.equal(typeof connectionEngine(), "function", Deno.version.deno);
});

Deno.test("serveHttp() answers 503 to a connection over the cap without calling the handler, and serves again once one closes", async () => {
  const logger = recordingLogger();
  let calls = 0;
  const server = serveHttp(
    { hostname: "127.0.0.1", port: 0, maxConnections: 2, logger },
    () => {
      calls++;
      return ok();
    },
  );
  try {
    const held = [await connect(server), await connect(server)];
    await until("two connections", () => server.openConnections === 2);
    const extra = [await connect(server), await connect(server)];
    for (const conn of extra) {
      const { text } = await readUntilClosed(conn);
      assert.match(text, /^HTTP\/1\.1 503 /);
      assert.match(text, /Too many open connections/);
    }
    assert.equal(calls, 0);
    assert.equal(
      logger.lines.filter((l) => l.includes("cap reached")).length,
      1,
      "one log line per episode, not per connection",
    );
    held[0].close();
    await until("one connection", () => server.openConnections === 1);
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
    assert.equal(await res.text(), "ok");
    held[1].close();
  } finally {
    await server.close();
  }
});

Deno.test("serveHttp() closes a connection whose request head is incomplete after headerTimeout", async () => {
  const server = serveHttp(
    { hostname: "127.0.0.1", port: 0, headerTimeout: 0.3, idleTimeout: 30 },
    ok,
  );
  try {
    const started = performance.now();
    const silent = await connect(server);
    const partial = await connect(server);
    await partial.write(new TextEncoder().encode("GET / HTTP/1.1\r\n"));
    for (const conn of [silent, partial]) {
      const { text } = await readUntilClosed(conn);
      const ms = performance.now() - started;
      assert.equal(text, "");
      assert.ok(ms >= 250 && ms < 5000, `closed after ${ms} ms`);
    }
    await until("no connections", () => server.openConnections === 0);
  } finally {
    await server.close();
  }
});

Deno.test("serveHttp() closes an idle kept-alive connection after idleTimeout but never one whose request is still being answered", async () => {
  let release = () => {};
  const server = serveHttp(
    { hostname: "127.0.0.1", port: 0, headerTimeout: 0.2, idleTimeout: 0.3 },
    (req) =>
      new URL(req.url).pathname === "/slow"
        ? new Promise((resolve) => {
          release = () => resolve(new Response("late"));
        })
        : ok(),
  );
  try {
    const idle = await connect(server);
    await idle.write(request);
    const { text, ms } = await readUntilClosed(idle);
    assert.match(text, /^HTTP\/1\.1 200 [\s\S]*ok$/);
    assert.ok(ms >= 250 && ms < 5000, `idle closed after ${ms} ms`);

    const busy = await connect(server);
    await busy.write(
      new TextEncoder().encode("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"),
    );
    await new Promise((r) => setTimeout(r, 1200)); // several idle timeouts
    release();
    const answered = await readUntilClosed(busy);
    assert.match(answered.text, /late$/);
  } finally {
    await server.close();
  }
});

Deno.test("serveHttp() shutdown() closes idle and half-open connections at once and lets an answered request finish", async () => {
  let release: (() => void) | undefined;
  const server = serveHttp(
    { hostname: "127.0.0.1", port: 0 },
    () =>
      new Promise((resolve) => {
        release = () => resolve(new Response("done"));
      }),
  );
  const halfOpen = await connect(server);
  await halfOpen.write(new TextEncoder().encode("GET / HT"));
  const busy = await connect(server);
  await busy.write(request);
  await until("both connections", () => server.openConnections === 2);
  await until("the request in the handler", () => release !== undefined);
  const stopped = server.shutdown();
  assert.equal((await readUntilClosed(halfOpen)).text, "");
  release?.();
  assert.match((await readUntilClosed(busy)).text, /done$/);
  await stopped;
  await assert.rejects(() => connect(server));
});

Deno.test("serveHttp() serves plain connections with either engine (http1, the default, or deno)", async () => {
  for (const engine of ["http1", "deno"] as const) {
    const server = serveHttp(
      { hostname: "127.0.0.1", port: 0, engine },
      async (req) => new Response(`${engine} ${await req.text()}`),
    );
    try {
      const res = await fetch(`http://127.0.0.1:${server.addr.port}/`, {
        method: "POST",
        body: "hi",
      });
      assert.equal(await res.text(), `${engine} hi`);
      assert.ok(res.headers.has("date"), engine);
    } finally {
      await server.close();
    }
  }
});
