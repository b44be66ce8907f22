// Push bodies on the own HTTP/1.1 engine over real loopback sockets: written as chunks, the connection serving on after one ends, a client that left noticed by a failing write (no read is pending while a push body is held).

import { rawClient } from "./_raw_client.ts";
import assert from "node:assert/strict";
import { serveHttp } from "../../src/http/server.ts";
import { type PushEvents, pushResponse } from "../../src/http/push.ts";

const encode = (text: string) => new TextEncoder().encode(text);

/** Polls `done` every 10 ms for up to 5 s. */
async function eventually(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!done() && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

// A push body of two parts that then ends; any other path answers "next".
const twoParts = (request: Request) =>
  Promise.resolve(
    new URL(request.url).pathname === "/push"
      ? pushResponse((sink) => {
        sink.write(encode("one\n"));
        setTimeout(() => {
          sink.write(encode("two\n"));
          sink.end();
        }, 20);
        return { drained() {}, closed() {} };
      }, { headers: { "Content-Type": "text/event-stream" } })
      : new Response("next"),
  );

const servesOn = [
  {
    name: "the next request sent after the push body ended",
    first: "GET /push HTTP/1.1\r\nHost: gw\r\n\r\n",
    later: "GET /next HTTP/1.1\r\nHost: gw\r\n\r\n",
  },
  {
    name: "a request pipelined behind the push request",
    first:
      "GET /push HTTP/1.1\r\nHost: gw\r\n\r\nGET /next HTTP/1.1\r\nHost: gw\r\n\r\n",
    later: "",
  },
];

for (const c of servesOn) {
  Deno.test(`http1 engine: a push body goes out chunked and the connection serves on: ${c.name}`, async () => {
    const server = serveHttp({ hostname: "127.0.0.1", port: 0 }, twoParts);
    const client = await rawClient(server);
    try {
      await client.write(c.first);
      const pushed = await client.read((t) => t.includes("\r\n0\r\n\r\n"));
      assert.match(pushed, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(pushed, /transfer-encoding: chunked\r\n/);
      assert.match(pushed, /\r\n\r\n4\r\none\n\r\n4\r\ntwo\n\r\n0\r\n\r\n/);
      if (c.later) await client.write(c.later);
      const all = await client.read((t) => t.endsWith("next"));
      assert.match(all, /0\r\n\r\nHTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nnext$/);
    } finally {
      client.close();
      await server.close();
    }
  });
}

Deno.test("http1 engine: a client that leaves a held push body is noticed by the next failing write; the source hears closed()", async () => {
  let closed = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  const server = serveHttp(
    { hostname: "127.0.0.1", port: 0 },
    () =>
      Promise.resolve(pushResponse((sink): PushEvents => {
        sink.write(encode(": connected\n\n"));
        // The source's own writes (an SSE heartbeat) are what notice the client leaving.
        timer = setInterval(() => sink.write(encode(": beat\n\n")), 20);
        return {
          drained() {},
          closed() {
            closed = true;
            clearInterval(timer);
          },
        };
      }, { headers: { "Content-Type": "text/event-stream" } })),
  );
  try {
    const client = await rawClient(server);
    await client.write("GET /sse HTTP/1.1\r\nHost: gw\r\n\r\n");
    await client.read((t) => t.includes(": connected"));
    assert.equal(server.openConnections, 1);
    client.close();
    await eventually(() => closed && server.openConnections === 0);
    assert.ok(closed, "the push source heard that the client left");
    assert.equal(server.openConnections, 0);
  } finally {
    clearInterval(timer);
    await server.close();
  }
});
