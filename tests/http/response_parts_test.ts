// The engines read a Response through Deno's internals where they can (src/http/response_parts.ts): what they read must be what the public API shows.

import assert from "node:assert/strict";
import {
  appendHeader,
  bodyOf,
  headerPairs,
} from "../../src/http/response_parts.ts";

/** The header fields as the public API shows them (names lower-cased, sorted). */
const publicView = (response: Response) => [...response.headers];
/** Fields by lower-cased name, repeated ones joined with ", " (RFC 9110 section 5.3), sorted. */
const normalised = (pairs: readonly (readonly [string, string])[]) => {
  const joined = new Map<string, string>();
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    const before = joined.get(lower);
    joined.set(lower, before === undefined ? value : `${before}, ${value}`);
  }
  return [...joined].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
};

const RESPONSES: [string, () => Response][] = [
  ["a string body", () => new Response("x")],
  [
    "a string body with a type",
    () =>
      new Response("{}", { headers: { "Content-Type": "application/json" } }),
  ],
  ["a string body with a type and another field", () =>
    new Response("{}", {
      status: 503,
      headers: { "Content-Type": "application/json", "Retry-After": "5" },
    })],
  [
    "a string body with another field only",
    () => new Response("x", { headers: { "X-A": "1" } }),
  ],
  ["no body", () => new Response(null, { status: 202 })],
  [
    "no body with fields",
    () =>
      new Response(null, {
        status: 204,
        headers: [["X-A", "1"], ["X-A", "2"]],
      }),
  ],
  ["bytes", () => new Response(new Uint8Array([1, 2]))],
  [
    "bytes with a type",
    () =>
      new Response(new Uint8Array([1]), { headers: { "Content-Type": "a/b" } }),
  ],
  ["a stream", () => new Response(ReadableStream.from([new Uint8Array([1])]))],
  ["a Blob", () => new Response(new Blob(["x"], { type: "text/x" }))],
  ["a redirect", () => Response.redirect("http://gw/x", 302)],
  ["JSON", () => Response.json({ a: 1 })],
  ["headers read before", () => {
    const r = new Response("x", { headers: { "X-A": "1" } });
    void r.headers.get("x-a");
    return r;
  }],
];

Deno.test("headerPairs() gives what the public Headers give, for every kind of Response", () => {
  for (const [name, make] of RESPONSES) {
    assert.deepEqual(
      normalised(headerPairs(make())),
      normalised(publicView(make())),
      name,
    );
  }
});

Deno.test("appendHeader() adds a field as headers.set would, or says it cannot", () => {
  for (const [name, make] of RESPONSES) {
    const fast = make();
    const added = appendHeader(fast, "X-Request-Id", "abc");
    const slow = make();
    let settable = true;
    try {
      slow.headers.set("X-Request-Id", "abc");
    } catch {
      settable = false;
    }
    if (!added) continue; // the caller then uses headers.set
    assert.ok(settable, `${name}: added where set would throw`);
    assert.deepEqual(
      normalised(headerPairs(fast)),
      normalised(publicView(slow)),
      `${name}: as the engine reads it`,
    );
    assert.deepEqual(publicView(fast), publicView(slow), `${name}: public`);
  }
  // Present already: not added twice.
  const present = new Response(null, { headers: { "x-request-id": "a" } });
  assert.equal(appendHeader(present, "X-Request-Id", "b"), false);
  // Plain responses take the fast way (this is what it is for).
  assert.ok(appendHeader(new Response(null, { status: 202 }), "X-A", "1"));
  assert.ok(
    appendHeader(
      new Response("{}", { headers: { "Content-Type": "application/json" } }),
      "X-A",
      "1",
    ),
  );
});

Deno.test("bodyOf() gives the body of every kind of Response", async () => {
  for (const [name, make] of RESPONSES) {
    const want = new Uint8Array(await make().arrayBuffer());
    const body = await bodyOf(make());
    const got = body.kind === "stream"
      ? new Uint8Array(await new Response(body.stream).arrayBuffer())
      : body.kind === "text"
      ? new TextEncoder().encode(body.text)
      : body.bytes;
    assert.deepEqual(got, want, name);
  }
});
