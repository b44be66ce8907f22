import assert from "node:assert/strict";
import { type CappedRead, readCapped } from "../../src/wire/read.ts";

const encoder = new TextEncoder();

function streamed(chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

function text(read: CappedRead): string | undefined {
  return read.ok ? new TextDecoder().decode(read.bytes) : undefined;
}

const TOO_LARGE = (limit: number) => ({
  ok: false,
  reason: "too-large",
  limit,
});

Deno.test({
  name: "readCapped() reads bodies up to the limit and refuses larger ones",
  permissions: "none",
  async fn() {
    const cases: [string, Response, number, string | object][] = [
      ["no body", new Response(null), 10, ""],
      ["exactly the limit", new Response("hello"), 5, "hello"],
      ["one byte over", new Response("hello!"), 5, TOO_LARGE(5)],
      [
        "streamed over",
        new Response(streamed(["abc", "def"])),
        5,
        TOO_LARGE(5),
      ],
      ["streamed under", new Response(streamed(["ab", "c"])), 5, "abc"],
      // A declared length within the limit is read in one go.
      [
        "declared within",
        new Response("héllo", { headers: { "content-length": "6" } }),
        6,
        "héllo",
      ],
      [
        "declared over, not read",
        new Response("hi", { headers: { "content-length": "600" } }),
        6,
        TOO_LARGE(6),
      ],
    ];
    for (const [name, response, limit, expected] of cases) {
      const read = await readCapped(response, limit);
      if (typeof expected === "string") {
        assert.equal(text(read), expected, name);
      } else assert.deepEqual(read, expected, name);
    }
  },
});

Deno.test({
  name:
    "readCapped() reads requests as well as responses, UTF-8 split across chunks intact",
  permissions: "none",
  async fn() {
    const bytes = encoder.encode("café");
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 4));
        controller.enqueue(bytes.slice(4));
        controller.close();
      },
    });
    const request = new Request("http://x/", { method: "POST", body });
    assert.equal(text(await readCapped(request, 100)), "café");
    const big = new Request("http://x/", {
      method: "POST",
      body: streamed(["x".repeat(64), "y".repeat(64)]),
    });
    assert.deepEqual(await readCapped(big, 100), TOO_LARGE(100));
  },
});
