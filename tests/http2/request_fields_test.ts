import assert from "node:assert/strict";
import type { HeaderField } from "../../src/http2/hpack.ts";
import { requestFields } from "../../src/http2/request_fields.ts";

const base: HeaderField[] = [
  [":method", "POST"],
  [":scheme", "https"],
  [":authority", "gw.test"],
  [":path", "/rest"],
];

/** RFC 9113 section 8.2 and 8.3: header lists and what they make (or why they are malformed). */
const CASES: [string, HeaderField[], RegExp | Record<string, unknown>][] = [
  ["a plain request", [...base, ["accept", "*/*"]], {
    method: "POST",
    authority: "gw.test",
    path: "/rest",
    contentLength: -1,
  }],
  ["Host when :authority is absent", [
    [":method", "GET"],
    [":scheme", "https"],
    [":path", "/"],
    ["host", "h.test"],
  ], { authority: "h.test" }],
  ["content-length read", [...base, ["content-length", "12"]], {
    contentLength: 12,
  }],
  ["cookie crumbs joined", [...base, ["cookie", "a=1"], ["cookie", "b=2"]], {
    cookie: "a=1; b=2",
  }],
  [
    "an invalid content-length",
    [...base, ["content-length", "1x"]],
    /content-length/,
  ],
  ["a pseudo-header after a field", [...base.slice(0, 3), ["accept", "*/*"], [
    ":path",
    "/",
  ]], /after a regular field/],
  [
    "an unknown pseudo-header",
    [...base, [":status", "200"]],
    /unknown pseudo-header/,
  ],
  ["a repeated pseudo-header", [...base, [":path", "/x"]], /repeated :path/],
  ["an upper-case name", [...base, ["Accept", "*/*"]], /invalid field name/],
  [
    "a value with a line break",
    [...base, ["x-a", "a\r\nb: c"]],
    /invalid value/,
  ],
  ["a value with leading space", [...base, ["x-a", " a"]], /invalid value/],
  [
    "Transfer-Encoding",
    [...base, ["transfer-encoding", "chunked"]],
    /connection-specific/,
  ],
  ["te other than trailers", [...base, ["te", "gzip"]], /te other than/],
  ["te: trailers", [...base, ["te", "trailers"]], { method: "POST" }],
  ["no :method", base.slice(1), /no :method/],
  ["an empty :path", [...base.slice(0, 3), [":path", ""]], /no :path/],
  ["CONNECT", [[":method", "CONNECT"], [":authority", "x:1"]], /CONNECT/],
];

for (const [name, list, expected] of CASES) {
  Deno.test(`h2 request fields: ${name}`, () => {
    const result = requestFields(list);
    if (expected instanceof RegExp) {
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.error, expected);
      return;
    }
    assert.ok(result.ok);
    if (!result.ok) return;
    for (const [key, value] of Object.entries(expected)) {
      if (key === "cookie") {
        assert.equal(
          result.request.fields.find(([n]) => n === "cookie")?.[1],
          value,
        );
      } else {
        assert.equal(
          (result.request as unknown as Record<string, unknown>)[key],
          value,
        );
      }
    }
  });
}
