// The own HTTP/1.1 engine behind serveHttp(), over real loopback sockets: keep-alive, pipelining, 100-continue, HEAD, bodies, streams, disconnects, refusals.

import { rawClient } from "./_raw_client.ts";
import assert from "node:assert/strict";
import { type HttpServer, serveHttp } from "../../src/http/server.ts";

const encode = (text: string) => new TextEncoder().encode(text);

/** A server on a free port answering with `handler`, closed after `body`. */
async function withServer(
  handler: (request: Request) => Promise<Response>,
  body: (server: HttpServer) => Promise<void>,
) {
  const server = serveHttp({ hostname: "127.0.0.1", port: 0 }, handler);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

const count = (text: string, part: string) => text.split(part).length - 1;

const echo = async (request: Request) =>
  new Response(
    `${request.method} ${new URL(request.url).pathname} ${await request
      .text()}`,
    { headers: { "X-Host": request.headers.get("host") ?? "" } },
  );

Deno.test("http1 engine: keep-alive serves several requests on one connection, each with Content-Length and Date", async () => {
  await withServer(echo, async (server) => {
    const c = await rawClient(server);
    await c.write("GET /a HTTP/1.1\r\nHost: gw\r\n\r\n");
    const first = await c.read((t) => t.endsWith("GET /a "));
    assert.match(first, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(first, /content-length: 7\r\n/);
    assert.match(first, /x-host: gw\r\n/i);
    assert.match(first, /date: \w{3}, \d\d \w{3} \d{4} /);
    await c.write(
      "POST /b HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\n\r\nhello",
    );
    const both = await c.read((t) => t.endsWith("POST /b hello"));
    assert.equal(count(both, "HTTP/1.1 200"), 2);
    assert.equal(c.closed, false);
    c.close();
  });
});

Deno.test("http1 engine: pipelined requests are answered in order, whatever order their handlers finish in", async () => {
  const delays: Record<string, number> = { "/1": 300, "/2": 0, "/3": 100 };
  await withServer(async (request) => {
    const path = new URL(request.url).pathname;
    await new Promise((r) => setTimeout(r, delays[path]));
    return new Response(path);
  }, async (server) => {
    const c = await rawClient(server);
    await c.write(
      ["/1", "/2", "/3"].map((p) => `GET ${p} HTTP/1.1\r\nHost: gw\r\n\r\n`)
        .join(""),
    );
    const text = await c.read((t) =>
      count(t, "HTTP/1.1 200") === 3 && t.endsWith("/3")
    );
    const bodies = text.split("\r\n\r\n").slice(1).map((b) => b.slice(0, 2));
    assert.deepEqual(bodies, ["/1", "/2", "/3"]);
    c.close();
  });
});

Deno.test("http1 engine: Expect: 100-continue gets the interim answer before the body is sent", async () => {
  await withServer(echo, async (server) => {
    const c = await rawClient(server);
    await c.write(
      "POST /e HTTP/1.1\r\nHost: gw\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n",
    );
    const interim = await c.read((t) => t.includes("\r\n\r\n"));
    assert.equal(interim, "HTTP/1.1 100 Continue\r\n\r\n");
    await c.write("body");
    const text = await c.read((t) => t.endsWith("POST /e body"));
    assert.match(text, /HTTP\/1\.1 200 OK/);
    c.close();
  });
});

Deno.test("http1 engine: request bodies by chunks and by a Content-Length split across writes", async () => {
  await withServer(echo, async (server) => {
    const c = await rawClient(server);
    await c.write(
      "POST /c HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
    );
    await new Promise((r) => setTimeout(r, 50));
    await c.write("2\r\nde\r\n0\r\n\r\n");
    assert.match(await c.read((t) => t.endsWith("POST /c abcde")), /200 OK/);
    await c.write(
      "POST /l HTTP/1.1\r\nHost: gw\r\nContent-Length: 6\r\n\r\nab",
    );
    await new Promise((r) => setTimeout(r, 50));
    await c.write("cdef");
    const text = await c.read((t) => t.endsWith("POST /l abcdef"));
    assert.equal(count(text, "HTTP/1.1 200"), 2);
    c.close();
  });
});

Deno.test("http1 engine: HEAD gets the head with the length, no body; Connection: close and HTTP/1.0 close after the answer", async () => {
  await withServer(echo, async (server) => {
    const head = await rawClient(server);
    await head.write(
      "HEAD /h HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n",
    );
    const text = await head.read();
    assert.ok(head.closed);
    assert.match(text, /content-length: 8\r\n/); // "HEAD /h "
    assert.match(text, /connection: close\r\n\r\n$/);
    const old = await rawClient(server);
    await old.write("GET /o HTTP/1.0\r\n\r\n");
    assert.match(await old.read(), /GET \/o $/);
    assert.ok(old.closed);
  });
});

Deno.test("http1 engine: a streamed body goes out chunked; a client that leaves cancels it and aborts the request's signal", async () => {
  let cancelled = false;
  let aborted = false;
  await withServer((request) => {
    request.signal.addEventListener("abort", () => aborted = true);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encode("data: one\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    return Promise.resolve(new Response(body));
  }, async (server) => {
    const c = await rawClient(server);
    await c.write("GET /sse HTTP/1.1\r\nHost: gw\r\n\r\n");
    const text = await c.read((t) => t.endsWith("one\n\n\r\n"));
    assert.match(text, /transfer-encoding: chunked\r\n/);
    assert.match(text, /\r\n\r\nb\r\ndata: one\n\n\r\n$/);
    c.close();
    const deadline = Date.now() + 5000;
    while (!(cancelled && aborted) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(cancelled, "the body stream was cancelled");
    assert.ok(aborted, "the request signal aborted");
    while (server.openConnections > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(server.openConnections, 0);
  });
});

Deno.test("http1 engine: a stream that ends sends the last chunk and the connection serves on", async () => {
  await withServer((request) =>
    Promise.resolve(
      new URL(request.url).pathname === "/s"
        ? new Response(ReadableStream.from([encode("ab"), encode("c")]))
        : new Response("next"),
    ), async (server) => {
    const c = await rawClient(server);
    await c.write(
      "GET /s HTTP/1.1\r\nHost: gw\r\n\r\nGET /n HTTP/1.1\r\nHost: gw\r\n\r\n",
    );
    const text = await c.read((t) => t.endsWith("next"));
    assert.match(
      text,
      /\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\nHTTP\/1\.1 200 OK/,
    );
    c.close();
  });
});

const REFUSALS: {
  name: string;
  request: string;
  status: RegExp;
  text: RegExp;
}[] = [
  {
    name: "Content-Length with Transfer-Encoding",
    request:
      "POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    status: /^HTTP\/1\.1 400 /,
    text: /Content-Length and Transfer-Encoding together/,
  },
  {
    name: "a head that never ends within the limit",
    request: `GET / HTTP/1.1\r\nHost: gw\r\nX: ${"a".repeat(20_000)}`,
    status: /^HTTP\/1\.1 431 /,
    text: /too large/,
  },
  {
    name: "a malformed chunked body",
    request:
      "POST / HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    status: /^HTTP\/1\.1 400 /,
    text: /Cannot parse chunked body: invalid chunk size "zz"/,
  },
];

for (const r of REFUSALS) {
  Deno.test(`http1 engine: refuses ${r.name} with a clear answer and closes`, async () => {
    let calls = 0;
    await withServer(async (request) => {
      calls++;
      return await echo(request);
    }, async (server) => {
      const c = await rawClient(server);
      await c.write(r.request).catch(() => 0);
      const text = await c.read();
      assert.match(text, r.status);
      assert.match(text, r.text);
      assert.ok(c.closed, "closed");
      if (!r.name.includes("chunked body")) assert.equal(calls, 0);
    });
  });
}

Deno.test("http1 engine: a waiting request whose signal is asked for only after its client left sees it aborted (the engine does not keep the request meanwhile)", async () => {
  let release!: (response: Response) => void;
  let held: Request | undefined;
  await withServer((request) => {
    held = request;
    return new Promise((resolve) => release = resolve);
  }, async (server) => {
    const c = await rawClient(server);
    await c.write("GET /wait HTTP/1.1\r\nHost: gw\r\n\r\n");
    const deadline = Date.now() + 10_000;
    while (held === undefined && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    c.close();
    while (server.openConnections > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(
      server.openConnections,
      0,
      "the engine noticed the client left",
    );
    assert.ok(held!.signal.aborted, "a signal made late is aborted at once");
    release(new Response("late"));
  });
});

Deno.test("http1 engine: every response carries the Content-Type its Response has, the default text/plain of a bare string included", async () => {
  const cases: [string, () => Response, RegExp][] = [
    [
      "/text",
      () => new Response("x"),
      /content-type: text\/plain;charset=UTF-8\r\n/i,
    ],
    [
      "/json",
      () =>
        new Response("{}", { headers: { "Content-Type": "application/json" } }),
      /content-type: application\/json\r\n/i,
    ],
    ["/json-fields", () =>
      new Response("{}", {
        headers: { "Content-Type": "application/json", "X-A": "1" },
      }), /content-type: application\/json\r\n/i],
    [
      "/helper",
      () => Response.json({ a: 1 }),
      /content-type: application\/json\r\n/i,
    ],
  ];
  const byPath = new Map(cases.map(([path, make]) => [path, make]));
  await withServer(
    (request) => Promise.resolve(byPath.get(new URL(request.url).pathname)!()),
    async (server) => {
      for (const [path, , type] of cases) {
        const c = await rawClient(server);
        await c.write(`GET ${path} HTTP/1.1\r\nHost: gw\r\n\r\n`);
        const head = await c.read((t) => t.includes("\r\n\r\n"));
        assert.match(head, type, path);
        assert.equal(count(head.toLowerCase(), "content-type:"), 1, path);
        c.close();
      }
    },
  );
});
