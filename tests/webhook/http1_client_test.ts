// The pooled HTTP/1.1 webhook client against a scripted TCP server: body framings, connection reuse, stale connections, aborts, and what goes to the fallback.

import assert from "node:assert/strict";
import { createHttp1Client } from "../../src/webhook/http1_client.ts";
import type { WebhookRequest } from "../../src/webhook/request.ts";
import type {
  WebhookResponse,
  WebhookTransport,
} from "../../src/webhook/transport.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** One character per byte, so that lengths on the server side are byte counts. */
const latin1 = new TextDecoder("latin1");

/** What the scripted server does after reading a request. */
type Script = (index: number) => { reply?: string; close?: boolean };

/** A TCP server reading requests (head plus Content-Length body) and answering from `script`. */
function scripted(script: Script) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const requests: string[] = [];
  let connections = 0;
  let closedByPeer = 0;
  const conns = new Set<Deno.Conn>();
  const serving = (async () => {
    const handlers: Promise<void>[] = [];
    for await (const conn of listener) {
      connections++;
      conns.add(conn);
      handlers.push(handle(conn));
    }
    await Promise.all(handlers);
  })();
  async function handle(conn: Deno.Conn) {
    let text = "";
    const buffer = new Uint8Array(4096);
    try {
      for (;;) {
        const end = text.indexOf("\r\n\r\n");
        const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0);
        if (end !== -1 && text.length >= end + 4 + length) {
          requests.push(text.slice(0, end + 4 + length));
          text = text.slice(end + 4 + length);
          const { reply, close } = script(requests.length - 1);
          if (reply !== undefined) await conn.write(encoder.encode(reply));
          if (close) break;
          continue;
        }
        const n = await conn.read(buffer);
        if (n === null) {
          closedByPeer++;
          break;
        }
        text += latin1.decode(buffer.subarray(0, n));
      }
    } catch {
      closedByPeer++;
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch {
        // Closed already.
      }
    }
  }
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/hook?x=1`,
    requests,
    get connections() {
      return connections;
    },
    get closedByPeer() {
      return closedByPeer;
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) conn.close();
      await serving;
    },
  };
}

const refusingFallback: WebhookTransport = {
  post: () => Promise.reject(new Error("fallback used")),
};

function client(
  fallback = refusingFallback,
  env: () => string | undefined = () => undefined,
) {
  return createHttp1Client({ fallback, env: (_: string) => env() });
}

const request = (url: string): WebhookRequest => ({
  url,
  headers: new Headers({
    "Content-Type": "application/json",
    "User-Agent": "xmpp-rest/test",
  }),
  body: '{"body":"héllo"}',
});

const post = (
  transport: WebhookTransport,
  url: string,
  maxBodyBytes = 1024,
  signal = AbortSignal.timeout(5_000),
) => transport.post(request(url), { signal, maxBodyBytes });

const text = (response: WebhookResponse) =>
  response.body.ok ? decoder.decode(response.body.bytes) : response.body;

const settle = () => new Promise((r) => setTimeout(r, 50));

const FRAMINGS: {
  name: string;
  reply: string;
  body: unknown;
  reused: boolean;
  maxBodyBytes?: number;
}[] = [
  {
    name: "Content-Length",
    reply: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    body: "hello",
    reused: true,
  },
  {
    name: "chunked, in pieces, with a trailer",
    reply:
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nX-T: 1\r\n\r\n",
    body: "abcde",
    reused: true,
  },
  {
    name: "an interim 100 before the response",
    reply:
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n",
    body: "",
    reused: true,
  },
  {
    name: "204 without a body",
    reply: "HTTP/1.1 204 No Content\r\n\r\n",
    body: "",
    reused: true,
  },
  {
    name: "Connection: close",
    reply:
      "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
    body: "ok",
    reused: false,
  },
  {
    name: "a declared length over the cap (not read)",
    reply: "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
    maxBodyBytes: 10,
    body: { ok: false, reason: "too-large", limit: 10 },
    reused: false,
  },
  {
    name: "a chunked body over the cap",
    reply:
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n",
    maxBodyBytes: 10,
    body: { ok: false, reason: "too-large", limit: 10 },
    reused: false,
  },
];

for (const framing of FRAMINGS) {
  Deno.test(`http1 client: ${framing.name}`, async () => {
    await using server = scripted(() => ({ reply: framing.reply }));
    const http = client();
    try {
      const first = await post(http, server.url, framing.maxBodyBytes);
      assert.deepEqual(text(first), framing.body);
      await post(http, server.url, framing.maxBodyBytes);
      assert.equal(server.requests.length, 2);
      assert.equal(server.connections, framing.reused ? 1 : 2);
    } finally {
      await http.close();
    }
  });
}

Deno.test("http1 client: a body that lasts until the server closes", async () => {
  await using server = scripted(() => ({
    reply: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close",
    close: true,
  }));
  const http = client();
  try {
    const response = await post(http, server.url);
    assert.equal(text(response), "until close");
    assert.equal(response.header("Content-Type"), "text/plain");
    assert.equal(http.idle, 0);
  } finally {
    await http.close();
  }
});

Deno.test("http1 client: the request on the wire", async () => {
  await using server = scripted(() => ({
    reply: "HTTP/1.1 200 OK\r\nRetry-After: 5\r\nX-A: 1\r\nX-A: 2\r\n" +
      "Content-Length: 0\r\n\r\n",
  }));
  const http = client();
  try {
    const response = await post(http, server.url);
    const port = new URL(server.url).port;
    const body = '{"body":"héllo"}';
    assert.equal(
      server.requests[0],
      `POST /hook?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
        "content-type: application/json\r\nuser-agent: xmpp-rest/test\r\n" +
        `Content-Length: ${encoder.encode(body).byteLength}\r\n\r\n` +
        latin1.decode(encoder.encode(body)),
    );
    assert.equal(response.status, 200);
    assert.equal(response.header("retry-after"), "5");
    assert.equal(response.header("x-a"), "1, 2");
    assert.equal(response.header("content-type"), null);
  } finally {
    await http.close();
  }
});

Deno.test("http1 client: an idle connection the server closes is dropped, the next request opens a new one", async () => {
  await using server = scripted(() => ({
    reply: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    close: true,
  }));
  const http = client();
  try {
    await post(http, server.url);
    await settle();
    assert.equal(http.idle, 0);
    assert.equal((await post(http, server.url)).status, 200);
    assert.equal(server.requests.length, 2);
    assert.equal(server.connections, 2);
  } finally {
    await http.close();
  }
});

Deno.test("http1 client: a fresh connection closed before any response is a failure, not sent twice", async () => {
  await using server = scripted(() => ({ close: true }));
  const http = client();
  try {
    await assert.rejects(post(http, server.url), /closed before the response/);
    assert.equal(server.requests.length, 1);
  } finally {
    await http.close();
  }
});

Deno.test("http1 client: a malformed response head rejects and closes", async () => {
  await using server = scripted(() => ({
    reply: "HTTP/1.1 200 OK\r\nX: a\x01\r\n\r\n",
  }));
  const http = client();
  try {
    await assert.rejects(post(http, server.url), /control character/);
    await settle();
    assert.equal(server.closedByPeer, 1);
  } finally {
    await http.close();
  }
});

Deno.test("http1 client: an abort rejects with the signal's reason and closes the connection", async () => {
  await using server = scripted(() => ({}));
  const http = client();
  try {
    const signal = AbortSignal.timeout(50);
    await assert.rejects(
      post(http, server.url, 1024, signal),
      (error: Error) => error.name === "TimeoutError",
    );
    await settle();
    assert.equal(server.closedByPeer, 1);
  } finally {
    await http.close();
  }
});

Deno.test("http1 client: a refused connection names the cause", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const http = client();
  try {
    await assert.rejects(
      post(http, `http://127.0.0.1:${port}/`),
      /refused/i,
    );
  } finally {
    await http.close();
  }
});

Deno.test("http1 client: https and proxied setups go to the fallback", async () => {
  const used: string[] = [];
  const fallback: WebhookTransport = {
    post(r) {
      used.push(r.url);
      return Promise.resolve({
        status: 299,
        statusText: "",
        header: () => null,
        body: { ok: true, bytes: new Uint8Array(0) },
      });
    },
  };
  const direct = client(fallback);
  const proxied = client(fallback, () => "http://proxy:3128");
  try {
    assert.equal((await post(direct, "https://example.org/x")).status, 299);
    assert.equal((await post(proxied, "http://127.0.0.1:1/y")).status, 299);
    assert.deepEqual(used, ["https://example.org/x", "http://127.0.0.1:1/y"]);
  } finally {
    await direct.close();
    await proxied.close();
  }
});

Deno.test("http1 client: close() closes idle connections", async () => {
  await using server = scripted(() => ({
    reply: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
  }));
  const http = client();
  await post(http, server.url);
  assert.equal(http.idle, 1);
  await http.close();
  await settle();
  assert.equal(http.idle, 0);
  assert.equal(server.closedByPeer, 1);
});
