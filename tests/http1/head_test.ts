// RFC 9112: the request head parser, its limits and its request smuggling rules (section 6), table-driven.

import assert from "node:assert/strict";
import {
  HEAD_LIMITS,
  headEnd,
  leadingEmptyLines,
  parseRequestHead,
} from "../../src/http1/head.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const parse = (text: string) => parseRequestHead(bytes(text));

const ACCEPTED: {
  name: string;
  head: string;
  expect: Record<string, unknown>;
}[] = [
  {
    name: "a GET with Host",
    head: "GET /rest?x=1 HTTP/1.1\r\nHost: gw\r\n\r\n",
    expect: {
      method: "GET",
      target: "/rest?x=1",
      version: "1.1",
      host: "gw",
      body: { kind: "none" },
      keepAlive: true,
      expectContinue: false,
    },
  },
  {
    name: "Content-Length",
    head: "POST /rest HTTP/1.1\r\nHost: gw\r\nContent-Length: 12\r\n\r\n",
    expect: { body: { kind: "length", length: 12 } },
  },
  {
    name: "Content-Length 0 is no body",
    head: "POST /rest HTTP/1.1\r\nHost: gw\r\nContent-Length: 0\r\n\r\n",
    expect: { body: { kind: "none" } },
  },
  {
    name: "identical Content-Length values count as one (section 6.3)",
    head:
      "POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n",
    expect: { body: { kind: "length", length: 5 } },
  },
  {
    name: "chunked",
    head: "POST / HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: Chunked\r\n\r\n",
    expect: { body: { kind: "chunked" } },
  },
  {
    name: "Connection: close",
    head: "GET / HTTP/1.1\r\nHost: gw\r\nConnection: keep-alive, Close\r\n\r\n",
    expect: { keepAlive: false },
  },
  {
    name: "HTTP/1.0 closes unless keep-alive, Host optional",
    head: "GET / HTTP/1.0\r\n\r\n",
    expect: { version: "1.0", keepAlive: false, host: undefined },
  },
  {
    name: "HTTP/1.0 with keep-alive",
    head: "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    expect: { keepAlive: true },
  },
  {
    name: "Expect: 100-continue with a body",
    head:
      "POST / HTTP/1.1\r\nHost: gw\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n",
    expect: { expectContinue: true },
  },
  {
    name: "Expect: 100-continue without a body needs no interim answer",
    head: "GET / HTTP/1.1\r\nHost: gw\r\nExpect: 100-continue\r\n\r\n",
    expect: { expectContinue: false },
  },
  {
    name: "optional whitespace around values, names lower-cased, obs-text kept",
    head: "GET / HTTP/1.1\r\nHost:gw \r\nX-Name:\t caf\xe9 \t\r\n\r\n",
    expect: { headers: [["host", "gw"], ["x-name", "caf\xe9"]] },
  },
  {
    name: "an absolute-form target",
    head: "GET http://gw/rest HTTP/1.1\r\nHost: gw\r\n\r\n",
    expect: { target: "http://gw/rest" },
  },
];

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

for (const c of ACCEPTED) {
  Deno.test(`parseRequestHead() accepts ${c.name}`, () => {
    const parsed = parseRequestHead(latin1(c.head));
    assert.ok(parsed.ok, JSON.stringify(parsed));
    for (const [key, value] of Object.entries(c.expect)) {
      assert.deepEqual(
        (parsed.head as unknown as Record<string, unknown>)[key],
        value,
        key,
      );
    }
  });
}

const many = Array.from(
  { length: HEAD_LIMITS.maxHeaders + 1 },
  (_, i) => `X-${i}: v\r\n`,
).join("");

const REFUSED: { name: string; head: string; status: number; text: RegExp }[] =
  [
    {
      name: "Content-Length with Transfer-Encoding (smuggling)",
      head:
        "POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n",
      status: 400,
      text: /Content-Length and Transfer-Encoding together/,
    },
    {
      name: "differing Content-Length values",
      head:
        "POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n",
      status: 400,
      text: /differing Content-Length/,
    },
    {
      name: "a signed Content-Length",
      head: "POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: +4\r\n\r\n",
      status: 400,
      text: /invalid Content-Length "\+4"/,
    },
    {
      name: "a hex Content-Length",
      head: "POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 0x10\r\n\r\n",
      status: 400,
      text: /invalid Content-Length/,
    },
    {
      name: "an overlong Content-Length",
      head:
        "POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 99999999999999999999\r\n\r\n",
      status: 400,
      text: /invalid Content-Length/,
    },
    {
      name: "chunked not last",
      head:
        "POST / HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
      status: 400,
      text: /chunked must be the final/,
    },
    {
      name: "chunked twice",
      head:
        "POST / HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
      status: 400,
      text: /more than once/,
    },
    {
      name: "gzip before chunked",
      head:
        "POST / HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
      status: 501,
      text: /transfer coding "gzip"/,
    },
    {
      name: "Transfer-Encoding in HTTP/1.0",
      head: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
      status: 400,
      text: /HTTP\/1\.0/,
    },
    {
      name: "obs-fold",
      head: "GET / HTTP/1.1\r\nHost: gw\r\nX-A: 1\r\n  2\r\n\r\n",
      status: 400,
      text: /obs-fold/,
    },
    {
      name: "whitespace before the colon",
      head: "GET / HTTP/1.1\r\nHost: gw\r\nX-A : 1\r\n\r\n",
      status: 400,
      text: /invalid name "x-a "/,
    },
    {
      name: "a control character in a value",
      head: "GET / HTTP/1.1\r\nHost: gw\r\nX-A: a\x00b\r\n\r\n",
      status: 400,
      text: /control character/,
    },
    {
      name: "DEL in the value of a common field",
      head: "GET / HTTP/1.1\r\nHost: gw\r\nAccept: a\x7fb\r\n\r\n",
      status: 400,
      text: /"accept": control character/,
    },
    {
      name: "a control character in a value after obs-text",
      head: "GET / HTTP/1.1\r\nHost: gw\r\nX-A: caf\xe9\r\nX-B: a\x01\r\n\r\n",
      status: 400,
      text: /"x-b": control character/,
    },
    {
      name: "a bare CR in a value",
      head: "GET / HTTP/1.1\r\nHost: gw\r\nX-A: a\rb\r\n\r\n",
      status: 400,
      text: /bare CR or LF/,
    },
    {
      name: "a bare LF in a field line",
      head: "GET / HTTP/1.1\r\nHost: gw\r\nX-A: a\nb\r\n\r\n",
      status: 400,
      text: /bare CR or LF/,
    },
    {
      name: "a field name that is no token",
      head: "GET / HTTP/1.1\r\nHost: gw\r\nX(A): 1\r\n\r\n",
      status: 400,
      text: /invalid name "x\(a\)"/,
    },
    {
      name: "a bare LF",
      head: "GET / HTTP/1.1\nHost: gw\r\n\r\n",
      status: 400,
      text: /bare CR or LF/,
    },
    {
      name: "bare LF line ends",
      head: "GET / HTTP/1.1\nHost: gw\n\n",
      status: 400,
      text: /CRLF/,
    },
    {
      name: "no Host in HTTP/1.1",
      head: "GET / HTTP/1.1\r\n\r\n",
      status: 400,
      text: /requires a Host/,
    },
    {
      name: "two Host fields",
      head: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
      status: 400,
      text: /more than one Host/,
    },
    {
      name: "a Host that is no host",
      head: "GET / HTTP/1.1\r\nHost: a b/c\r\n\r\n",
      status: 400,
      text: /invalid Host "a b\/c"/,
    },
    {
      name: "HTTP/2.0 on an HTTP/1 connection",
      head: "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
      status: 505,
      text: /HTTP\/2\.0/,
    },
    {
      name: "a malformed version",
      head: "GET / HTTX/1.1\r\nHost: a\r\n\r\n",
      status: 400,
      text: /invalid HTTP version/,
    },
    {
      name: "a missing target",
      head: "GET HTTP/1.1\r\nHost: a\r\n\r\n",
      status: 400,
      text: /expected method, target and version/,
    },
    {
      name: "a target that is neither a path nor a URL",
      head: "GET rest HTTP/1.1\r\nHost: a\r\n\r\n",
      status: 400,
      text: /path or an absolute URL/,
    },
    {
      name: "an unsupported expectation",
      head: "GET / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n",
      status: 417,
      text: /Expectation failed/,
    },
    {
      name: "too many fields",
      head: `GET / HTTP/1.1\r\nHost: a\r\n${many}\r\n`,
      status: 431,
      text: /more than 100 fields/,
    },
    {
      name: "a head over the byte limit",
      head: `GET / HTTP/1.1\r\nHost: a\r\nX: ${
        "a".repeat(HEAD_LIMITS.maxHeadBytes)
      }\r\n\r\n`,
      status: 431,
      text: /exceeds 16384 bytes/,
    },
    {
      name: "a target over its limit",
      head: `GET /${
        "a".repeat(HEAD_LIMITS.maxTargetBytes)
      } HTTP/1.1\r\nHost: a\r\n\r\n`,
      status: 414,
      text: /URI too long/,
    },
  ];

for (const c of REFUSED) {
  Deno.test(`parseRequestHead() refuses ${c.name} with ${c.status}`, () => {
    const parsed = parse(c.head);
    assert.ok(!parsed.ok, "refused");
    assert.equal(parsed.error.status, c.status);
    assert.match(parsed.error.text, c.text);
  });
}

Deno.test("headEnd() finds the end of a head at every split of its bytes, and LF LF too", () => {
  const head = bytes("GET / HTTP/1.1\r\nHost: gw\r\n\r\nNEXT");
  const full = head.byteLength - 4;
  for (let split = 0; split <= head.byteLength; split++) {
    const expected = split >= full ? full : -1;
    assert.equal(headEnd(head, 0, split), expected, `split at ${split}`);
  }
  assert.equal(headEnd(bytes("GET / HTTP/1.1\n\n"), 0, 16), 16);
  assert.equal(headEnd(bytes("xxGET / HTTP/1.1\r\nA: b\r\n\r\n"), 2, 26), 26);
});

Deno.test("leadingEmptyLines() skips the CRLFs before a request line (RFC 9112 section 2.2)", () => {
  assert.equal(leadingEmptyLines(bytes("\r\n\r\nGET"), 0, 7), 4);
  assert.equal(leadingEmptyLines(bytes("GET"), 0, 3), 0);
  assert.equal(leadingEmptyLines(bytes("\r"), 0, 1), 0);
});

Deno.test("parseRequestHead() reads bytes as ISO-8859-1: a UTF-8 byte order mark is not dropped, obs-text keeps its bytes", () => {
  const raw = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
  const bom = parseRequestHead(
    raw("\xef\xbb\xbfGET / HTTP/1.1\r\nHost: gw\r\n\r\n"),
  );
  assert.ok(!bom.ok);
  assert.match(bom.error.text, /invalid method/);
  const utf8Value = parseRequestHead(
    raw("GET / HTTP/1.1\r\nHost: gw\r\nX-A: caf\xc3\xa9\r\n\r\n"),
  );
  assert.ok(utf8Value.ok);
  assert.equal(utf8Value.head.headers[1][1], "caf\xc3\xa9");
});

/** A head as bytes, each character one byte (ISO-8859-1). */
const latin1Bytes = (text: string) =>
  Uint8Array.from(text, (c) => c.charCodeAt(0));

Deno.test("parseRequestHead() parses a plain head once: the same text gets the same frozen result", () => {
  const text = "POST /rest HTTP/1.1\r\nHost: gw\r\nContent-Length: 2\r\n\r\n";
  const first = parseRequestHead(latin1Bytes(text));
  const again = parseRequestHead(latin1Bytes(text));
  assert.ok(first.ok && again.ok);
  assert.equal(again, first);
  assert.ok(Object.isFrozen(first.head));
  assert.ok(Object.isFrozen(first.head.headers));
  assert.ok(Object.isFrozen(first.head.headers[0]));
  const other = parseRequestHead(latin1Bytes(text.replace("2", "3")));
  assert.ok(other.ok);
  assert.deepEqual(other.head.body, { kind: "length", length: 3 });
});

Deno.test("parseRequestHead() does not take one unusual head for another that decodes alike", () => {
  // Both bytes are invalid UTF-8 (the same U+FFFD) but different ISO-8859-1.
  for (const byte of ["\xff", "\xfe", "\xff"]) {
    const parsed = parseRequestHead(
      latin1Bytes(`GET / HTTP/1.1\r\nHost: gw\r\nX-A: ${byte}\r\n\r\n`),
    );
    assert.ok(parsed.ok);
    assert.equal(parsed.head.headers[1][1], byte);
  }
});
