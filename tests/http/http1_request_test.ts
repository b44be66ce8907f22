// The lazily built Request of the own HTTP/1.1 engine behaves like Deno's Request for what handlers use.

import assert from "node:assert/strict";
import { ExchangeClient, Http1Request } from "../../src/http/http1_request.ts";
import { canPush } from "../../src/http/push.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

function make(
  body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | null,
) {
  return new Http1Request({
    method: "POST",
    url: "http://gw/rest?x=1",
    headers: [["content-type", "application/json"], ["x-a", "1"], ["x-a", "2"]],
    body,
  }) as unknown as Request;
}

const BODIES: [
  string,
  () => Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>,
][] = [
  ["buffered bytes", () => bytes('{"a":1}')],
  ["a stream", () => ReadableStream.from([bytes('{"a"'), bytes(":1}")])],
];

for (const [name, body] of BODIES) {
  Deno.test(`Http1Request reads a body of ${name} as text, json, bytes, arrayBuffer and stream, once`, async () => {
    assert.equal(await make(body()).text(), '{"a":1}');
    assert.deepEqual(await make(body()).json(), { a: 1 });
    assert.deepEqual(await make(body()).bytes(), bytes('{"a":1}'));
    assert.equal((await make(body()).arrayBuffer()).byteLength, 7);
    assert.equal(await new Response(make(body()).body).text(), '{"a":1}');
    const once = make(body());
    assert.equal(once.bodyUsed, false);
    await once.text();
    assert.equal(once.bodyUsed, true);
    await assert.rejects(() => once.text(), TypeError);
  });
}

Deno.test("Http1Request: buffered bytes read after a look at `body` come whole (the unread stream is dropped, not kept)", async () => {
  const request = make(bytes('{"a":1}'));
  assert.notEqual(request.body, null); // a capped read checks for a body first
  assert.equal(await request.text(), '{"a":1}');
  assert.equal(request.bodyUsed, true);
  assert.equal(request.body, null);
  const streamed = make(bytes("abc"));
  const reader = streamed.body!.getReader();
  assert.deepEqual((await reader.read()).value, bytes("abc"));
  assert.equal((await reader.read()).done, true);
});

Deno.test("Http1Request answers method, url and headers like Request, is instanceof Request and can push", () => {
  const request = make(null);
  assert.ok(request instanceof Request);
  assert.equal(request.method, "POST");
  assert.equal(new URL(request.url).searchParams.get("x"), "1");
  assert.equal(request.headers.get("Content-Type"), "application/json");
  assert.equal(request.headers.get("x-a"), "1, 2");
  assert.equal(request.body, null);
  assert.ok(canPush(request));
  assert.ok(!canPush(new Request("http://gw/")));
});

Deno.test("Http1Request builds the real Request for the rest (clone, formData, cache, redirect)", async () => {
  const form = new Http1Request({
    method: "POST",
    url: "http://gw/f",
    headers: [["content-type", "application/x-www-form-urlencoded"]],
    body: bytes("a=1&b=2"),
  }) as unknown as Request;
  assert.equal((await form.formData()).get("b"), "2");
  const request = make(bytes("x"));
  assert.equal(request.cache, "default");
  assert.equal(request.redirect, "follow");
  assert.equal(await request.clone().text(), "x");
});

Deno.test("Http1Request's signal aborts when the engine says the client left, before or after it was asked for", () => {
  const early = new Http1Request({
    method: "GET",
    url: "http://gw/",
    headers: [],
    body: null,
  });
  const signal = early.signal;
  early.abort(new Error("gone"));
  assert.ok(signal.aborted);
  const late = new Http1Request({
    method: "GET",
    url: "http://gw/",
    headers: [],
    body: null,
  });
  late.abort(new Error("gone"));
  assert.ok(late.signal.aborted);
  const never = new Http1Request({
    method: "GET",
    url: "http://gw/",
    headers: [],
    body: null,
  });
  assert.equal(never.signal.aborted, false);
});

Deno.test("Http1Request's signal aborts through the engine's ExchangeClient, whether made before or after the client left, once", () => {
  const request = (client: ExchangeClient) =>
    new Http1Request({
      method: "GET",
      url: "http://gw/",
      headers: [],
      body: null,
      client,
    });
  const CASES: [string, boolean, boolean][] = [
    // name, signal made before the client leaves, client leaves
    ["made before, client leaves", true, true],
    ["made after the client left", false, true],
    ["made, client stays", true, false],
  ];
  for (const [name, before, leaves] of CASES) {
    const client = new ExchangeClient();
    const r = request(client);
    const early = before ? r.signal : undefined;
    if (leaves) {
      client.leave(new Error("gone"));
      client.leave(new Error("again")); // once: the first reason stays
    }
    const signal = early ?? r.signal;
    assert.equal(signal.aborted, leaves, name);
    if (leaves) assert.equal((signal.reason as Error).message, "gone", name);
  }
});

Deno.test("Http1Request's headers read like Headers without copying, and become real Headers on the first change", () => {
  const headers = make(null).headers;
  assert.ok(headers instanceof Headers);
  assert.equal(headers.get("X-A"), "1, 2");
  assert.equal(headers.get("missing"), null);
  assert.ok(headers.has("content-type"));
  assert.deepEqual([...headers], [["content-type", "application/json"], [
    "x-a",
    "1, 2",
  ]]);
  assert.deepEqual(new Headers(headers).get("x-a"), "1, 2");
  headers.set("x-a", "3");
  headers.append("x-b", "4");
  assert.equal(headers.get("x-a"), "3");
  assert.equal(headers.get("x-b"), "4");
  headers.delete("x-b");
  assert.ok(!headers.has("x-b"));
  const seen: string[] = [];
  headers.forEach((value, name) => seen.push(`${name}=${value}`));
  assert.deepEqual(seen, ["content-type=application/json", "x-a=3"]);
});

Deno.test("Http1Request says its body is in memory only while it is buffered and unread", async () => {
  const inMemory = (request: Request) =>
    (request as unknown as { bodyInMemory: boolean }).bodyInMemory;
  const cases: [string, () => Request, boolean][] = [
    ["buffered", () => make(bytes("{}")), true],
    ["no body", () => make(null), true],
    ["a stream", () => make(ReadableStream.from([bytes("{}")])), false],
    ["buffered, asked for its stream", () => {
      const request = make(bytes("{}"));
      void request.body;
      return request;
    }, false],
  ];
  for (const [name, build, expected] of cases) {
    assert.equal(inMemory(build()), expected, name);
  }
  const read = make(bytes("{}"));
  await read.text();
  assert.equal(inMemory(read), false, "read");
});

Deno.test("Http1Request.takeBytes() gives an in-memory body at once, once, and refuses a streamed one", () => {
  const take = (request: Request) =>
    (request as unknown as { takeBytes(): Uint8Array }).takeBytes();
  const buffered = make(bytes('{"a":1}'));
  assert.deepEqual(take(buffered), bytes('{"a":1}'));
  assert.equal(buffered.bodyUsed, true);
  assert.throws(() => take(buffered), TypeError);
  assert.deepEqual(take(make(null)), new Uint8Array(0));
  assert.throws(
    () => take(make(ReadableStream.from([bytes("{}")]))),
    TypeError,
  );
});
