// RFC 9112 from the client's side: response head parsing with its body framing (section 6.3) and request head serialising, table-driven.

import assert from "node:assert/strict";
import {
  parseResponseHead,
  requestHead,
  RESPONSE_HEAD_LIMITS,
} from "../../src/http1/client_head.ts";

const parse = (text: string, method = "POST") =>
  parseResponseHead(new TextEncoder().encode(text), method);

const ACCEPTED: {
  name: string;
  head: string;
  method?: string;
  expect: Record<string, unknown>;
}[] = [
  {
    name: "200 with Content-Length",
    head: "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n",
    expect: {
      version: "1.1",
      status: 200,
      reason: "OK",
      body: { kind: "length", length: 12 },
      keepAlive: true,
    },
  },
  {
    name: "field names lower-cased, values trimmed, order kept",
    head:
      "HTTP/1.1 200 OK\r\nContent-Type:  application/json \r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 0\r\n\r\n",
    expect: {
      headers: [
        ["content-type", "application/json"],
        ["x-a", "1"],
        ["x-a", "2"],
        ["content-length", "0"],
      ],
      body: { kind: "none" },
    },
  },
  {
    name: "a status line without reason phrase",
    head: "HTTP/1.1 204\r\n\r\n",
    expect: { status: 204, reason: "", body: { kind: "none" } },
  },
  {
    name: "1xx has no body",
    head: "HTTP/1.1 100 Continue\r\n\r\n",
    expect: { status: 100, body: { kind: "none" } },
  },
  {
    name: "304 has no body despite Content-Length",
    head: "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
    expect: { body: { kind: "none" }, keepAlive: true },
  },
  {
    name: "a response to HEAD has no body",
    method: "HEAD",
    head: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
    expect: { body: { kind: "none" } },
  },
  {
    name: "chunked",
    head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n",
    expect: { body: { kind: "chunked" }, keepAlive: true },
  },
  {
    name: "chunked beside Content-Length: chunked wins, no reuse (section 6.1)",
    head:
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
    expect: { body: { kind: "chunked" }, keepAlive: false },
  },
  {
    name: "a transfer coding other than chunked last: read until close",
    head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
    expect: { body: { kind: "close" }, keepAlive: false },
  },
  {
    name: "no length at all: read until close",
    head: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n",
    expect: { body: { kind: "close" }, keepAlive: false },
  },
  {
    name: "identical Content-Length values count as one",
    head:
      "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n",
    expect: { body: { kind: "length", length: 5 } },
  },
  {
    name: "Connection: close",
    head: "HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 1\r\n\r\n",
    expect: { keepAlive: false },
  },
  {
    name: "HTTP/1.0 closes unless keep-alive",
    head: "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n",
    expect: { version: "1.0", keepAlive: false },
  },
  {
    name: "HTTP/1.0 with keep-alive",
    head:
      "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n",
    expect: { keepAlive: true },
  },
];

for (const { name, head, method, expect } of ACCEPTED) {
  Deno.test(`parseResponseHead(): ${name}`, () => {
    const result = parse(head, method);
    assert.ok(result.ok, JSON.stringify(result));
    for (const [key, value] of Object.entries(expect)) {
      assert.deepEqual(
        (result.head as unknown as Record<string, unknown>)[key],
        value,
        key,
      );
    }
  });
}

const REFUSED: { name: string; head: string; text: RegExp }[] = [
  {
    name: "not HTTP/1.x",
    head: "HTTP/2 200 OK\r\n\r\n",
    text: /invalid status line/,
  },
  {
    name: "a status outside 100-599",
    head: "HTTP/1.1 600 Odd\r\n\r\n",
    text: /invalid status line/,
  },
  {
    name: "differing Content-Length values",
    head: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
    text: /invalid Content-Length/,
  },
  {
    name: "a non-numeric Content-Length",
    head: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    text: /invalid Content-Length/,
  },
  {
    name: "obs-fold",
    head: "HTTP/1.1 200 OK\r\nX-A: 1\r\n 2\r\n\r\n",
    text: /invalid field line/,
  },
  {
    name: "a bare LF inside a line",
    head: "HTTP/1.1 200 OK\r\nX-A: 1\nX-B: 2\r\n\r\n",
    text: /bare CR or LF/,
  },
  {
    name: "a control character in a value",
    head: "HTTP/1.1 200 OK\r\nX-A: a\x01b\r\n\r\n",
    text: /control character/,
  },
  {
    name: "a head over the limit",
    head: `HTTP/1.1 200 OK\r\nX-A: ${
      "a".repeat(RESPONSE_HEAD_LIMITS.maxHeadBytes)
    }\r\n\r\n`,
    text: /larger than/,
  },
];

for (const { name, head, text } of REFUSED) {
  Deno.test(`parseResponseHead() refuses ${name}`, () => {
    const result = parse(head);
    assert.equal(result.ok, false);
    assert.match((result as { text: string }).text, text);
  });
}

Deno.test("requestHead(): request line, Host, given fields, Content-Length; framing fields dropped", () => {
  assert.equal(
    requestHead(
      "POST",
      "/hook?a=1",
      "127.0.0.1:8080",
      new Headers({
        "Content-Type": "application/json",
        "Content-Length": "99",
        Host: "evil",
        Connection: "close",
        "Transfer-Encoding": "chunked",
      }),
      2,
    ),
    "POST /hook?a=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n" +
      "content-type: application/json\r\nContent-Length: 2\r\n\r\n",
  );
  assert.equal(
    requestHead("OPTIONS", "/", "a", [], 0),
    "OPTIONS / HTTP/1.1\r\nHost: a\r\n\r\n",
  );
  assert.equal(
    requestHead("POST", "/", "a", [], 0),
    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
  );
});
