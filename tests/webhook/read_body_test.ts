import assert from "node:assert/strict";
import { readBody } from "../../src/webhook/read_body.ts";

function streamed(chunks: string[]): Response {
  const encoder = new TextEncoder();
  return new Response(
    new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
        controller.close();
      },
    }),
  );
}

Deno.test({
  name: "readBody() reads bodies up to the limit and refuses larger ones",
  permissions: "none",
  async fn() {
    const cases: [Response, number, { body: string; error?: string }][] = [
      [new Response(null), 10, { body: "" }],
      [new Response("hello"), 5, { body: "hello" }],
      [new Response("hello!"), 5, {
        body: "",
        error: "response body is larger than 5 bytes",
      }],
      [streamed(["abc", "def"]), 5, {
        body: "",
        error: "response body is larger than 5 bytes",
      }],
      [streamed(["ab", "c"]), 5, { body: "abc" }],
      // A declared length within the limit is read in one go.
      [new Response("héllo", { headers: { "content-length": "6" } }), 6, {
        body: "héllo",
      }],
    ];
    for (const [response, limit, expected] of cases) {
      assert.deepEqual(await readBody(response, limit), expected);
    }
  },
});

Deno.test({
  name: "readBody() decodes UTF-8 split across chunks",
  permissions: "none",
  async fn() {
    const bytes = new TextEncoder().encode("café");
    const response = new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(bytes.slice(0, 4));
          controller.enqueue(bytes.slice(4));
          controller.close();
        },
      }),
    );
    assert.deepEqual(await readBody(response, 100), { body: "café" });
  },
});
