import assert from "node:assert/strict";
import { lowerFieldName } from "../../src/http1/field_names.ts";
import { parseRequestHead } from "../../src/http1/head.ts";

Deno.test("lowerFieldName lower-cases any name, sharing one string for the common ones", () => {
  const cases: [name: string, lower: string][] = [
    ["Content-Type", "content-type"],
    ["content-type", "content-type"],
    ["CONTENT-TYPE", "content-type"],
    ["X-Request-Id", "x-request-id"],
    ["Last-Event-ID", "last-event-id"],
    ["X-Custom", "x-custom"],
    ["", ""],
  ];
  for (const [name, lower] of cases) assert.equal(lowerFieldName(name), lower);
});

Deno.test("parsed heads carry lower-case names whatever the spelling", () => {
  const head = parseRequestHead(
    new TextEncoder().encode(
      "POST /rest HTTP/1.1\r\nHOST: a\r\nContent-Type: x\r\nx-Other: y\r\nContent-Length: 0\r\n\r\n",
    ),
  );
  assert.ok(head.ok);
  assert.deepEqual(head.head.headers.map(([n]) => n), [
    "host",
    "content-type",
    "x-other",
    "content-length",
  ]);
});
