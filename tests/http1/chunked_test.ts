// RFC 9112 section 7.1: the chunked decoder at every split of its input, its refusals, and the encoder.

import assert from "node:assert/strict";
import {
  ChunkedDecoder,
  encodeChunk,
  LAST_CHUNK,
} from "../../src/http1/chunked.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

/** Feeds `pieces` one after the other; the content, the bytes used and the error, if any. */
function decodeAll(pieces: Uint8Array[]) {
  const decoder = new ChunkedDecoder();
  let content = "";
  let used = 0;
  for (const piece of pieces) {
    let rest = piece;
    for (;;) {
      const step = decoder.decode(rest);
      if (step.kind === "error") return { content, error: step.text };
      used += step.used;
      rest = rest.subarray(step.used);
      if (step.kind === "data") content += text(step.data);
      if (step.kind === "end") return { content, used, ended: true };
      if (step.kind === "more" || rest.byteLength === 0) break;
    }
  }
  return { content, used, ended: false };
}

const VALID: { name: string; body: string; content: string }[] = [
  { name: "one chunk", body: "5\r\nhello\r\n0\r\n\r\n", content: "hello" },
  {
    name: "several chunks, upper-case hex",
    body: "3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n",
    content: "abc0123456789",
  },
  {
    name: "chunk extensions",
    body: "3;name=value\r\nabc\r\n0;last\r\n\r\n",
    content: "abc",
  },
  {
    name: "trailer fields (discarded)",
    body: "2\r\nhi\r\n0\r\nX-Sum: 1\r\nX-More: 2\r\n\r\n",
    content: "hi",
  },
  { name: "no content", body: "0\r\n\r\n", content: "" },
];

for (const c of VALID) {
  Deno.test(`ChunkedDecoder decodes ${c.name} at every split of the bytes, leaving what follows`, () => {
    const body = bytes(c.body + "GET /next");
    const end = body.byteLength - "GET /next".length;
    for (let split = 0; split <= body.byteLength; split++) {
      const result = decodeAll([body.subarray(0, split), body.subarray(split)]);
      assert.equal(result.content, c.content, `split at ${split}`);
      assert.equal(result.ended, true, `split at ${split}`);
      assert.equal(result.used, end, `split at ${split}`);
    }
    // and one byte at a time
    const single = decodeAll([...body].map((b) => Uint8Array.of(b)));
    assert.equal(single.content, c.content);
  });
}

const INVALID: { name: string; body: string; error: RegExp }[] = [
  { name: "a non-hex size", body: "x\r\n", error: /invalid chunk size "x"/ },
  { name: "a signed size", body: "-1\r\n", error: /invalid chunk size/ },
  {
    name: "an overlong size",
    body: "fffffffffffffff\r\n",
    error: /invalid chunk size/,
  },
  {
    name: "data longer than its size",
    body: "2\r\nabc\r\n",
    error: /not followed by CRLF/,
  },
  { name: "a bare LF", body: "2\nab\r\n", error: /bare LF/ },
  {
    name: "a size line over the limit",
    body: `1;${"x".repeat(5000)}\r\n`,
    error: /too long/,
  },
];

for (const c of INVALID) {
  Deno.test(`ChunkedDecoder refuses ${c.name} at every split`, () => {
    const body = bytes(c.body);
    for (let split = 0; split <= body.byteLength; split += 97) {
      const result = decodeAll([body.subarray(0, split), body.subarray(split)]);
      assert.match(String(result.error), c.error, `split at ${split}`);
    }
  });
}

Deno.test("encodeChunk() frames data with its hex size; LAST_CHUNK ends the body; both decode back", () => {
  const data = bytes("x".repeat(300));
  const chunk = encodeChunk(data);
  assert.equal(text(chunk.subarray(0, 5)), "12c\r\n");
  assert.equal(text(chunk.subarray(chunk.byteLength - 2)), "\r\n");
  assert.equal(encodeChunk(new Uint8Array(0)).byteLength, 0);
  assert.equal(text(LAST_CHUNK), "0\r\n\r\n");
  const whole = new Uint8Array([
    ...chunk,
    ...encodeChunk(bytes("!")),
    ...LAST_CHUNK,
  ]);
  assert.equal(decodeAll([whole]).content, "x".repeat(300) + "!");
});
