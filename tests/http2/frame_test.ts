import assert from "node:assert/strict";
import {
  encodeFrame,
  FRAME_TYPES,
  FrameReader,
  goawayFrame,
  readUint32,
  rstStreamFrame,
  settingsFrame,
  windowUpdateFrame,
} from "../../src/http2/frame.ts";
import { Http2Error } from "../../src/http2/errors.ts";
import { join } from "./_frames.ts";

const CASES: {
  name: string;
  bytes: Uint8Array;
  expect: [number, number, number, number][];
}[] = [
  {
    name: "a PING",
    bytes: encodeFrame(FRAME_TYPES.PING, 0, 0, new Uint8Array(8).fill(7)),
    expect: [[FRAME_TYPES.PING, 0, 0, 8]],
  },
  {
    name: "SETTINGS then DATA on a high stream id",
    bytes: join(
      settingsFrame([[3, 100], [4, 1 << 20]]),
      encodeFrame(FRAME_TYPES.DATA, 1, 0x7ffffff1, new Uint8Array(300)),
    ),
    expect: [[FRAME_TYPES.SETTINGS, 0, 0, 12], [
      FRAME_TYPES.DATA,
      1,
      0x7ffffff1,
      300,
    ]],
  },
  {
    name: "GOAWAY, RST_STREAM, WINDOW_UPDATE and an empty frame",
    bytes: join(
      goawayFrame(5, 1, "bad"),
      rstStreamFrame(3, 8),
      windowUpdateFrame(0, 1000),
      encodeFrame(FRAME_TYPES.SETTINGS, 1, 0),
    ),
    expect: [
      [FRAME_TYPES.GOAWAY, 0, 0, 11],
      [FRAME_TYPES.RST_STREAM, 0, 3, 4],
      [FRAME_TYPES.WINDOW_UPDATE, 0, 0, 4],
      [FRAME_TYPES.SETTINGS, 1, 0, 0],
    ],
  },
];

for (const c of CASES) {
  Deno.test(`frames: ${c.name}, split at every byte`, () => {
    for (let split = 0; split <= c.bytes.byteLength; split++) {
      const reader = new FrameReader();
      const seen: [number, number, number, number][] = [];
      const payloads: Uint8Array[] = [];
      for (
        const part of [c.bytes.subarray(0, split), c.bytes.subarray(split)]
      ) {
        reader.push(part);
        for (let f = reader.next(); f !== undefined; f = reader.next()) {
          seen.push([f.type, f.flags, f.stream, f.payload.byteLength]);
          payloads.push(f.payload.slice());
        }
      }
      assert.deepEqual(seen, c.expect, `split at ${split}`);
      assert.equal(reader.buffered, 0);
    }
  });
}

Deno.test("frames: a byte at a time; the reserved bit of the stream id is ignored", () => {
  const bytes = encodeFrame(FRAME_TYPES.HEADERS, 4, 1, Uint8Array.of(0x82));
  bytes[5] |= 0x80;
  const reader = new FrameReader();
  let frame;
  for (const byte of bytes) {
    reader.push(Uint8Array.of(byte));
    frame ??= reader.next();
  }
  assert.equal(frame?.stream, 1);
  assert.deepEqual([...frame!.payload], [0x82]);
});

Deno.test("frames: longer than SETTINGS_MAX_FRAME_SIZE is a FRAME_SIZE_ERROR of the connection", () => {
  const reader = new FrameReader(16384);
  reader.push(
    encodeFrame(FRAME_TYPES.DATA, 0, 1, new Uint8Array(16385)).subarray(0, 9),
  );
  assert.throws(
    () => reader.next(),
    (e: unknown) =>
      e instanceof Http2Error && e.code === "FRAME_SIZE_ERROR" &&
      e.stream === undefined,
  );
});

Deno.test("frames: GOAWAY and RST_STREAM carry their codes", () => {
  const goaway = goawayFrame(7, 0xb, "calm");
  assert.equal(readUint32(goaway, 9), 7);
  assert.equal(readUint32(goaway, 13), 0xb);
  assert.equal(new TextDecoder().decode(goaway.subarray(17)), "calm");
  assert.equal(readUint32(rstStreamFrame(9, 7), 9), 7);
});
