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
    "readCapped() reads a body already in memory without its stream or a timer",
  permissions: "none",
  async fn() {
    const inMemory = (text: string) => ({
      headers: new Headers(),
      bodyInMemory: true,
      get body(): ReadableStream<Uint8Array> {
        throw new Error("the stream was asked for");
      },
      bytes: () => Promise.resolve(encoder.encode(text)),
    });
    const cases: [string, string, number, string | object][] = [
      ["within", "hello", 5, "hello"],
      ["empty", "", 5, ""],
      ["over", "hello!", 5, TOO_LARGE(5)],
    ];
    for (const [name, body, limit, expected] of cases) {
      // A timeout would need a timer: none is left behind (the test's sanitizer).
      const read = await readCapped(inMemory(body), limit, 30_000);
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

/** A body that sends `first` and then nothing until `finish()` (or forever). */
function stalled(first: string) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      c.enqueue(encoder.encode(first));
    },
  });
  return {
    response: new Response(body),
    finish(rest: string) {
      controller.enqueue(encoder.encode(rest));
      controller.close();
    },
    fail() {
      controller.error(new Error("reset"));
    },
  };
}

Deno.test({
  name:
    "readCapped() with a timeout: reads begun together share one timer; each times out or completes on its own, no timer is left",
  permissions: "none",
  async fn() {
    const slow = stalled("a");
    const late = stalled("b");
    const quick = stalled("c");
    const reads = [slow, late, quick].map((s) =>
      readCapped(s.response, 100, 50)
    );
    quick.finish("d");
    assert.equal(text(await reads[2]), "cd");
    const started = performance.now();
    assert.deepEqual(await reads[0], {
      ok: false,
      reason: "timeout",
      timeoutMs: 50,
    });
    assert.deepEqual(await reads[1], {
      ok: false,
      reason: "timeout",
      timeoutMs: 50,
    });
    assert.ok(performance.now() - started < 1_000);
    // A failure after the deadline reaches nobody (and is not unhandled).
    slow.fail();
    late.finish("e");
    // Reads that all complete clear their timer (the sanitizer checks).
    const done = [stalled("x"), stalled("y")];
    const both = done.map((s) => readCapped(s.response, 100, 60_000));
    for (const s of done) s.finish("!");
    assert.deepEqual((await Promise.all(both)).map(text), ["x!", "y!"]);
  },
});

Deno.test({
  name:
    "readCapped() with a timeout: a read begun later gets its own full timeout",
  permissions: "none",
  async fn() {
    const first = stalled("a");
    const firstRead = readCapped(first.response, 100, 500);
    await new Promise((r) => setTimeout(r, 250));
    const second = stalled("b");
    const secondRead = readCapped(second.response, 100, 500);
    assert.equal((await firstRead).ok, false);
    // The first timed out at about 500 ms; the second has until about 750.
    second.finish("c");
    assert.equal(text(await secondRead), "bc");
    first.fail();
  },
});

Deno.test({
  name:
    "readCapped() takes an in-memory body at once (no promise) and still applies the limit",
  permissions: "none",
  async fn() {
    const inMemory = (body: string) => {
      const bytes = encoder.encode(body);
      return {
        headers: new Headers(),
        body: null,
        bodyInMemory: true,
        bytes: () => Promise.reject(new Error("not used")),
        takeBytes: () => bytes,
      };
    };
    const cases: [string, string, number, string | object][] = [
      ["within the limit", "hello", 10, "hello"],
      ["at the limit", "hello", 5, "hello"],
      ["over the limit", "hello!", 5, TOO_LARGE(5)],
    ];
    for (const [name, body, limit, expected] of cases) {
      const read = readCapped(inMemory(body), limit);
      assert.ok(!(read instanceof Promise), name);
      const got = read as CappedRead;
      assert.deepEqual(got.ok ? text(got) : got, expected, name);
    }
    // Without takeBytes, an in-memory body is still read (through bytes()).
    const viaBytes = await readCapped({
      headers: new Headers(),
      body: null,
      bodyInMemory: true,
      bytes: () => Promise.resolve(encoder.encode("hi")),
    }, 5);
    assert.equal(text(viaBytes), "hi");
  },
});
