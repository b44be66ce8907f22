// RFC 9112 section 4 and 6, RFC 9110 section 6.6.1: the response head serialiser.

import assert from "node:assert/strict";
import {
  engineOwnsField,
  httpDate,
  plainResponse,
  responseHead,
  statusHasNoBody,
} from "../../src/http1/response.ts";

const DATE = "Thu, 01 Jan 1970 00:00:00 GMT";

const CASES: {
  name: string;
  args: Parameters<typeof responseHead>;
  head: string;
}[] = [
  {
    name: "a known length",
    args: [
      200,
      [["content-type", "text/plain"]],
      {
        kind: "length",
        length: 2,
      },
      false,
      DATE,
    ],
    head:
      `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ndate: ${DATE}\r\ncontent-length: 2\r\n\r\n`,
  },
  {
    name: "chunked, closing",
    args: [200, [], { kind: "chunked" }, true, DATE],
    head:
      `HTTP/1.1 200 OK\r\ndate: ${DATE}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n`,
  },
  {
    name: "no body (204), the handler's framing fields dropped",
    args: [
      204,
      [["content-length", "5"], ["connection", "x"], [
        "transfer-encoding",
        "chunked",
      ], ["x-a", "1"]],
      { kind: "none" },
      false,
      DATE,
    ],
    head: `HTTP/1.1 204 No Content\r\nx-a: 1\r\ndate: ${DATE}\r\n\r\n`,
  },
  {
    name: "an unknown status with an empty reason",
    args: [299, [], { kind: "length", length: 0 }, false, DATE],
    head: `HTTP/1.1 299 \r\ndate: ${DATE}\r\ncontent-length: 0\r\n\r\n`,
  },
];

for (const c of CASES) {
  Deno.test(`responseHead() serialises ${c.name}`, () => {
    assert.equal(responseHead(...c.args), c.head);
  });
}

Deno.test("plainResponse() answers with a text body, its length and Connection: close", () => {
  const text = plainResponse(431, "Request header fields too large");
  assert.match(text, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  assert.match(text, /content-length: 32\r\n/);
  assert.match(
    text,
    /connection: close\r\n\r\nRequest header fields too large\n$/,
  );
});

Deno.test("statusHasNoBody(), engineOwnsField() and httpDate() follow RFC 9110", () => {
  assert.deepEqual([100, 200, 204, 304, 404].map(statusHasNoBody), [
    true,
    false,
    true,
    true,
    false,
  ]);
  assert.ok(engineOwnsField("content-length"));
  assert.ok(!engineOwnsField("content-type"));
  assert.equal(httpDate(0), DATE);
  assert.equal(httpDate(999), DATE);
});
