// The own HTTP/2 engine behind serveHttp() over real TLS sockets (ALPN h2): Deno's fetch and curl as clients, many streams on one connection, flow control both ways, push bodies, resets, and protocol errors answered with the RFC 9113 codes.

import assert from "node:assert/strict";
import { type HttpServer, serveHttp } from "../../src/http/server.ts";
import { pushResponse } from "../../src/http/push.ts";
import type { PushSink } from "../../src/http/push.ts";
import { ERROR_CODES } from "../../src/http2/errors.ts";
import { FrameReader, windowUpdateFrame } from "../../src/http2/frame.ts";
import { selfSigned } from "../support/tls.ts";
import {
  clientStart,
  data,
  encodeFrame,
  errorCode,
  FLAGS,
  FRAME_TYPES,
  headers,
  join,
  PREFACE,
  requestFields,
  type SeenFrame,
} from "../http2/_frames.ts";

const tlsDir = await Deno.makeTempDir({ prefix: "xmpp-rest-h2-" });
const tls = await selfSigned(tlsDir);
globalThis.addEventListener("unload", () => {
  Deno.removeSync(tlsDir, { recursive: true });
});

/** Listens with the test certificate, offering h2 and http/1.1 by ALPN. */
const listenTls = (address: { hostname: string; port: number }) =>
  Deno.listenTls({
    ...address,
    cert: tls.cert,
    key: tls.key,
    alpnProtocols: ["h2", "http/1.1"],
  });

/** A TLS server on a free port answering with `handler`, closed after `body`. */
async function withServer(
  handler: (request: Request) => Promise<Response>,
  body: (server: HttpServer, url: string) => Promise<void>,
) {
  const server = serveHttp({
    hostname: "127.0.0.1",
    port: 0,
    listen: listenTls,
  }, handler);
  try {
    await body(server, `https://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.close();
  }
}

/** A raw HTTP/2 client over TLS: writes bytes, collects the frames it gets. */
async function rawH2(server: HttpServer) {
  const conn = await Deno.connectTls({
    hostname: "127.0.0.1",
    port: server.addr.port,
    caCerts: [tls.cert],
    alpnProtocols: ["h2"],
  });
  const reader = new FrameReader((1 << 24) - 1);
  const seen: SeenFrame[] = [];
  let closed = false;
  const pump = (async () => {
    const buffer = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await conn.read(buffer);
        if (n === null) break;
        reader.push(buffer.slice(0, n));
        for (let f = reader.next(); f; f = reader.next()) {
          seen.push({ ...f, payload: f.payload.slice() });
        }
      }
    } catch { /* reset */ }
    closed = true;
  })();
  return {
    seen,
    get closed() {
      return closed;
    },
    write: (bytes: Uint8Array) => conn.write(bytes),
    /** Waits until a frame matching `match` arrived (10 s at most). */
    async until(match: (f: SeenFrame) => boolean): Promise<SeenFrame> {
      for (let i = 0; i < 1000; i++) {
        const found = seen.find(match);
        if (found) return found;
        if (closed) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(
        `frame not seen; got ${
          JSON.stringify(seen.map((f) => [f.type, f.flags, f.stream]))
        }`,
      );
    },
    async close() {
      try {
        conn.close();
      } catch { /* closed */ }
      await pump;
    },
  };
}

const echo = async (request: Request) =>
  new Response(
    `${request.method} ${request.url} ${(await request.text()).length}`,
  );

function h2Client() {
  return Deno.createHttpClient({
    caCerts: [tls.cert],
    http1: false,
    http2: true,
  });
}

Deno.test("h2 engine: fetch sends 200 concurrent requests on one connection; bodies both ways beyond the flow-control windows", async () => {
  await withServer(async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/big") {
      return new Response(new Uint8Array(1_000_000).fill(97));
    }
    await new Promise((r) => setTimeout(r, Math.random() * 50));
    return await echo(request);
  }, async (server, url) => {
    using client = h2Client();
    const replies = await Promise.all(
      Array.from(
        { length: 200 },
        (_, i) =>
          fetch(`${url}/s/${i}`, {
            client,
            method: "POST",
            body: "x".repeat(i * 1000),
          })
            .then(async (r) => [r.status, await r.text()]),
      ),
    );
    replies.forEach(([status, text], i) => {
      assert.equal(status, 200);
      assert.equal(text, `POST ${url}/s/${i} ${i * 1000}`);
    });
    const big = await fetch(`${url}/big`, { client });
    assert.equal((await big.bytes()).byteLength, 1_000_000);
    assert.equal(server.openConnections, 1);
  });
});

Deno.test("h2 engine: curl --http2 gets h2 by ALPN, --http1.1 the HTTP/1.1 engine over TLS; HEAD has no body", async () => {
  await withServer(echo, async (_server, url) => {
    const curl = async (...args: string[]) => {
      const out = await new Deno.Command("curl", {
        args: [
          "-sS",
          "--max-time",
          "20",
          "--cacert",
          tls.certPath,
          "-w",
          "\n%{http_version} %{http_code}",
          ...args,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      return new TextDecoder().decode(out.stdout);
    };
    assert.equal(
      await curl("--http2", "-d", "hello", `${url}/a?b=1`),
      `POST ${url}/a?b=1 5\n2 200`,
    );
    assert.equal(
      await curl("--http1.1", `${url}/c`),
      `GET ${url}/c 0\n1.1 200`,
    );
    assert.equal(
      await curl("--http2", "-I", `${url}/d`).then((t) =>
        /content-length: (\d+)/.exec(t)?.[1]
      ),
      String(`HEAD ${url}/d 0`.length),
    );
  });
});

Deno.test("h2 engine: a push body streams events; the client's reset reaches its source", async () => {
  const closed = Promise.withResolvers<void>();
  await withServer((request) => {
    return Promise.resolve(pushResponse((sink: PushSink) => {
      sink.write(
        new TextEncoder().encode(
          `data: hello ${request.headers.get("last-event-id")}\n\n`,
        ),
      );
      const timer = setInterval(
        () => sink.write(new TextEncoder().encode(": beat\n\n")),
        20,
      );
      return {
        drained() {},
        closed() {
          clearInterval(timer);
          closed.resolve();
        },
      };
    }, { headers: { "content-type": "text/event-stream" } }));
  }, async (_server, url) => {
    using client = h2Client();
    const abort = new AbortController();
    const res = await fetch(`${url}/events`, {
      client,
      headers: { "Last-Event-ID": "7" },
      signal: abort.signal,
    });
    assert.equal(res.headers.get("content-type"), "text/event-stream");
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes(": beat")) {
      text += new TextDecoder().decode((await reader.read()).value);
    }
    assert.match(text, /^data: hello 7\n\n/);
    abort.abort();
    await closed.promise;
  });
});

Deno.test("h2 engine: a waiting request's signal aborts when the client resets its stream", async () => {
  const aborted = Promise.withResolvers<void>();
  await withServer((request) =>
    new Promise((resolve) => {
      request.signal.addEventListener("abort", () => {
        aborted.resolve();
        resolve(new Response("late"));
      });
    }), async (server) => {
    const c = await rawH2(server);
    await c.write(
      join(clientStart(), headers(1, requestFields("GET", "/wait"), true)),
    );
    await c.until((f) =>
      f.type === FRAME_TYPES.SETTINGS && (f.flags & FLAGS.ACK) !== 0
    );
    await c.write(
      encodeFrame(FRAME_TYPES.RST_STREAM, 0, 1, Uint8Array.of(0, 0, 0, 8)),
    );
    await aborted.promise;
    await c.close();
  });
});

Deno.test("h2 engine: a client that does not read holds back a push body in its stream queue, visible to the source", async () => {
  const backlog = Promise.withResolvers<number>();
  await withServer(() =>
    Promise.resolve(pushResponse((sink) => {
      let left = 0;
      for (let i = 0; i < 20; i++) left = sink.write(new Uint8Array(50_000));
      backlog.resolve(left);
      return { drained() {}, closed() {} };
    }, {})), async (server) => {
    const c = await rawH2(server);
    await c.write(
      join(clientStart(), headers(1, requestFields("GET", "/events"), true)),
    );
    // 1 MB written, the stream window is 65,535 bytes: the rest stays queued.
    assert.ok(await backlog.promise >= 1_000_000 - 65_535);
    await c.write(windowUpdateFrame(1, 100_000));
    await c.write(windowUpdateFrame(0, 100_000));
    await c.until((f) => f.type === FRAME_TYPES.DATA && f.stream === 1);
    await c.close();
  });
});

const big = [["x-big", "a".repeat(20_000)]] as [string, string][];

/** Inputs that must be answered with one GOAWAY or RST_STREAM code. */
const ERRORS: {
  name: string;
  input: Uint8Array;
  type: number;
  code: number;
}[] = [
  {
    name: "a bad preface",
    input: new TextEncoder().encode(
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n".padEnd(30, " "),
    ),
    type: FRAME_TYPES.GOAWAY,
    code: ERROR_CODES.PROTOCOL_ERROR,
  },
  {
    name: "a malformed frame (PING of 3 bytes)",
    input: join(
      clientStart(),
      encodeFrame(FRAME_TYPES.PING, 0, 0, new Uint8Array(3)),
    ),
    type: FRAME_TYPES.GOAWAY,
    code: ERROR_CODES.FRAME_SIZE_ERROR,
  },
  {
    name: "an oversized header block over CONTINUATION frames",
    input: join(
      clientStart(),
      encodeFrame(FRAME_TYPES.HEADERS, 0, 1, new Uint8Array(16384)),
      encodeFrame(FRAME_TYPES.CONTINUATION, 0, 1, new Uint8Array(16384)),
      encodeFrame(FRAME_TYPES.CONTINUATION, 0, 1, new Uint8Array(16384)),
    ),
    type: FRAME_TYPES.GOAWAY,
    code: ERROR_CODES.COMPRESSION_ERROR,
  },
  {
    name: "a malformed request (upper-case field name)",
    input: join(
      clientStart(),
      headers(1, requestFields("GET", "/", [["Bad", "1"]]), true),
    ),
    type: FRAME_TYPES.RST_STREAM,
    code: ERROR_CODES.PROTOCOL_ERROR,
  },
  {
    name: "a body longer than its content-length",
    input: join(
      clientStart(),
      headers(1, requestFields("POST", "/", [["content-length", "1"]]), false),
      data(1, "ab", true),
    ),
    type: FRAME_TYPES.RST_STREAM,
    code: ERROR_CODES.PROTOCOL_ERROR,
  },
];

for (const c of ERRORS) {
  Deno.test(`h2 engine: ${c.name} is answered with ${c.type === FRAME_TYPES.GOAWAY ? "GOAWAY" : "RST_STREAM"} ${c.code}`, async () => {
    await withServer(echo, async (server) => {
      const client = await rawH2(server);
      await client.write(c.input);
      const frame = await client.until((f) => f.type === c.type);
      assert.equal(errorCode(frame), c.code);
      if (c.type === FRAME_TYPES.GOAWAY) {
        await client.until(() => client.closed).catch(() => {});
        assert.equal(client.closed, true);
      }
      await client.close();
    });
  });
}

Deno.test("h2 engine: a header list over 16 KiB is answered 431 on its stream", async () => {
  await withServer(echo, async (server) => {
    const c = await rawH2(server);
    const block = headers(1, requestFields("GET", "/", big), true).subarray(9);
    await c.write(join(
      clientStart(),
      encodeFrame(
        FRAME_TYPES.HEADERS,
        FLAGS.END_STREAM,
        1,
        block.subarray(0, 16000),
      ),
      encodeFrame(
        FRAME_TYPES.CONTINUATION,
        FLAGS.END_HEADERS,
        1,
        block.subarray(16000),
      ),
    ));
    const head = await c.until((f) =>
      f.type === FRAME_TYPES.HEADERS && f.stream === 1
    );
    assert.equal(head.payload[0], 0x08 | 0x00); // literal :status (static name index 8)
    const body = await c.until((f) =>
      f.type === FRAME_TYPES.DATA && f.stream === 1
    );
    assert.match(
      new TextDecoder().decode(body.payload),
      /header list exceeds 16384 bytes/,
    );
    await c.close();
  });
});

Deno.test("h2 engine: the preface alone keeps the connection only for the header timeout", async () => {
  const server = serveHttp({
    hostname: "127.0.0.1",
    port: 0,
    headerTimeout: 0.3,
    listen: (address) =>
      Deno.listenTls({
        ...address,
        cert: tls.cert,
        key: tls.key,
        alpnProtocols: ["h2"],
      }),
  }, echo);
  try {
    const c = await rawH2(server);
    await c.write(PREFACE);
    await c.until(() => c.closed).catch(() => {});
    assert.equal(c.closed, true);
    await c.close();
  } finally {
    await server.close();
  }
});

/** The SETTINGS values a server sends first, by identifier. */
async function serverSettings(
  engine: "http1" | "deno",
): Promise<Map<number, number>> {
  const server = serveHttp({
    hostname: "127.0.0.1",
    port: 0,
    engine,
    listen: listenTls,
  }, echo);
  try {
    const c = await rawH2(server);
    await c.write(clientStart());
    const settings = await c.until((f) =>
      f.type === FRAME_TYPES.SETTINGS && (f.flags & FLAGS.ACK) === 0
    );
    await c.close();
    const values = new Map<number, number>();
    for (let at = 0; at < settings.payload.byteLength; at += 6) {
      const p = settings.payload;
      values.set(
        (p[at] << 8) | p[at + 1],
        ((p[at + 2] << 24) | (p[at + 3] << 16) | (p[at + 4] << 8) |
          p[at + 5]) >>> 0,
      );
    }
    return values;
  } finally {
    await server.close();
  }
}

Deno.test("h2 engine: TLS h2 connections get the own engine (its SETTINGS), with --http-engine deno Deno's", async () => {
  const own = await serverSettings("http1");
  assert.equal(own.get(3), 256); // SETTINGS_MAX_CONCURRENT_STREAMS
  assert.equal(own.get(6), 16384); // SETTINGS_MAX_HEADER_LIST_SIZE
  const deno = await serverSettings("deno");
  assert.notDeepEqual([...deno], [...own]);
});
