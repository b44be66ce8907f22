import assert from "node:assert/strict";
import { Http2Connection } from "../../src/http2/connection.ts";
import type { Http2Limits, Http2Listener } from "../../src/http2/api.ts";
import { ERROR_CODES } from "../../src/http2/errors.ts";
import { settingsFrame } from "../../src/http2/frame.ts";
import {
  clientStart,
  data,
  encodeFrame,
  errorCode,
  FLAGS,
  FRAME_TYPES,
  frames,
  headers,
  join,
  requestFields,
  type SeenFrame,
} from "./_frames.ts";

/** Everything the connection told its listener, as short strings. */
function recorder(): { listener: Http2Listener; log: string[] } {
  const log: string[] = [];
  const listener: Http2Listener = {
    request: (s, r, end) =>
      log.push(`request ${s} ${r.method} ${r.path}${end ? " end" : ""}`),
    refused: (s, status) => log.push(`refused ${s} ${status}`),
    data: (s, bytes, end) =>
      log.push(
        `data ${s} ${new TextDecoder().decode(bytes)}${end ? " end" : ""}`,
      ),
    reset: (s, code) => log.push(`reset ${s} ${code}`),
    drained: (s) => log.push(`drained ${s}`),
  };
  return { listener, log };
}

/** Runs `input` into a fresh connection, split at `split`; the listener log and the frames sent (after our SETTINGS and WINDOW_UPDATE). */
function run(
  input: Uint8Array,
  split = input.byteLength,
  limits: Partial<Http2Limits> = {},
): { log: string[]; out: SeenFrame[]; h2: Http2Connection } {
  const { listener, log } = recorder();
  const h2 = new Http2Connection(listener, limits);
  h2.takeOutput();
  h2.receive(input.subarray(0, split));
  h2.receive(input.subarray(split));
  return { log, out: frames(h2.takeOutput() ?? new Uint8Array(0)), h2 };
}

const GET = headers(1, requestFields("GET", "/healthz"), true);
const SETTINGS_ACK = [FRAME_TYPES.SETTINGS, FLAGS.ACK, 0];
const kinds = (out: SeenFrame[]) => out.map((f) => [f.type, f.flags, f.stream]);

Deno.test("h2 connection: a request split at every byte reaches the listener once, the SETTINGS acknowledged", () => {
  const input = join(
    clientStart(),
    headers(
      1,
      requestFields("POST", "/rest", [["content-length", "5"]]),
      false,
    ),
    data(1, "he", false),
    data(1, "llo", true),
  );
  for (let split = 0; split <= input.byteLength; split++) {
    const { log, out } = run(input, split);
    assert.equal(log[0], "request 1 POST /rest", `split ${split}`);
    const body = log.slice(1).map((l) => l.replace(/^data 1 /, "")).join("");
    assert.equal(body, "hello end", `split ${split}`);
    assert.deepEqual(kinds(out), [SETTINGS_ACK]);
  }
});

Deno.test("h2 connection: a response is HEADERS then DATA with END_STREAM; the stream closes", () => {
  const { h2, log } = run(join(clientStart(), GET));
  assert.deepEqual(log, ["request 1 GET /healthz end"]);
  h2.takeOutput();
  h2.respond(1, [[":status", "200"], ["content-type", "text/plain"]], false);
  assert.equal(h2.sendData(1, new TextEncoder().encode("ok"), true), 0);
  const out = frames(h2.takeOutput()!);
  assert.deepEqual(kinds(out), [
    [FRAME_TYPES.HEADERS, FLAGS.END_HEADERS, 1],
    [FRAME_TYPES.DATA, FLAGS.END_STREAM, 1],
  ]);
  assert.equal(new TextDecoder().decode(out[1].payload), "ok");
  assert.equal(h2.openStreams, 0);
});

Deno.test("h2 connection: PING is answered with the same payload", () => {
  const ping = encodeFrame(
    FRAME_TYPES.PING,
    0,
    0,
    Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
  );
  const { out } = run(join(clientStart(), ping));
  assert.deepEqual(kinds(out), [SETTINGS_ACK, [
    FRAME_TYPES.PING,
    FLAGS.ACK,
    0,
  ]]);
  assert.deepEqual([...out[1].payload], [1, 2, 3, 4, 5, 6, 7, 8]);
});

Deno.test("h2 connection: DATA waits for the peer's window and goes on after WINDOW_UPDATE", () => {
  const { listener, log } = recorder();
  const h2 = new Http2Connection(listener);
  h2.receive(join(clientStart(), settingsFrame([[4, 10]]), GET));
  h2.takeOutput();
  h2.respond(1, [[":status", "200"]], false);
  assert.equal(h2.sendData(1, new Uint8Array(25), true), 15);
  let out = frames(h2.takeOutput()!);
  assert.deepEqual(out.map((f) => [f.type, f.flags, f.payload.byteLength]), [
    [FRAME_TYPES.HEADERS, FLAGS.END_HEADERS, 1],
    [FRAME_TYPES.DATA, 0, 10],
  ]);
  const update = new Uint8Array(4);
  update[3] = 15;
  h2.receive(encodeFrame(FRAME_TYPES.WINDOW_UPDATE, 0, 1, update));
  out = frames(h2.takeOutput()!);
  assert.deepEqual(out.map((f) => [f.type, f.flags, f.payload.byteLength]), [
    [FRAME_TYPES.DATA, FLAGS.END_STREAM, 15],
  ]);
  assert.deepEqual(log, ["request 1 GET /healthz end"]);
});

Deno.test("h2 connection: a stream drained of its queue tells the producer", () => {
  const { listener, log } = recorder();
  const h2 = new Http2Connection(listener);
  h2.receive(join(clientStart(), GET));
  h2.respond(1, [[":status", "200"]], false);
  h2.sendData(1, new Uint8Array(3), false);
  assert.deepEqual(log, ["request 1 GET /healthz end", "drained 1"]);
});

const big = (n: number) => [["x-big", "a".repeat(n)]] as [string, string][];

/** Inputs after the preface that must end with one RST_STREAM or GOAWAY code. */
const ERRORS: {
  name: string;
  input: Uint8Array;
  frame: number;
  code: number;
  limits?: Partial<Http2Limits>;
}[] = [
  {
    name: "a bad connection preface",
    input: new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
    frame: FRAME_TYPES.GOAWAY,
    code: ERROR_CODES.PROTOCOL_ERROR,
  },
  {
    name: "a first frame other than SETTINGS",
    input: join(clientStart().subarray(0, 24), GET),
    frame: FRAME_TYPES.GOAWAY,
    code: ERROR_CODES.PROTOCOL_ERROR,
  },
  {
    name: "a header block over twice the list limit (not decoded)",
    input: join(
      clientStart(),
      headers(1, requestFields("GET", "/", big(9000)), true),
    ),
    frame: FRAME_TYPES.GOAWAY,
    code: ERROR_CODES.COMPRESSION_ERROR,
    limits: { maxHeaderListSize: 4096 },
  },
  {
    name: "an undecodable header block",
    input: join(
      clientStart(),
      encodeFrame(FRAME_TYPES.HEADERS, 5, 1, Uint8Array.of(0x80)),
    ),
    frame: FRAME_TYPES.GOAWAY,
    code: ERROR_CODES.COMPRESSION_ERROR,
  },
  {
    name: "a header block interrupted by another frame",
    input: join(
      clientStart(),
      encodeFrame(
        FRAME_TYPES.HEADERS,
        FLAGS.END_STREAM,
        1,
        Uint8Array.of(0x82),
      ),
      encodeFrame(FRAME_TYPES.PING, 0, 0, new Uint8Array(8)),
    ),
    frame: FRAME_TYPES.GOAWAY,
    code: ERROR_CODES.PROTOCOL_ERROR,
  },
  {
    name: "a request on an even stream",
    input: join(clientStart(), headers(2, requestFields("GET", "/"), true)),
    frame: FRAME_TYPES.GOAWAY,
    code: ERROR_CODES.PROTOCOL_ERROR,
  },
  {
    name: "a PING of 7 bytes",
    input: join(
      clientStart(),
      encodeFrame(FRAME_TYPES.PING, 0, 0, new Uint8Array(7)),
    ),
    frame: FRAME_TYPES.GOAWAY,
    code: ERROR_CODES.FRAME_SIZE_ERROR,
  },
  {
    name: "a WINDOW_UPDATE overflowing the connection window",
    input: join(
      clientStart(),
      encodeFrame(
        FRAME_TYPES.WINDOW_UPDATE,
        0,
        0,
        Uint8Array.of(0x7f, 0xff, 0xff, 0xff),
      ),
    ),
    frame: FRAME_TYPES.GOAWAY,
    code: ERROR_CODES.FLOW_CONTROL_ERROR,
  },
  {
    name: "an upper-case field name",
    input: join(
      clientStart(),
      headers(1, requestFields("GET", "/", [["X-Up", "1"]]), true),
    ),
    frame: FRAME_TYPES.RST_STREAM,
    code: ERROR_CODES.PROTOCOL_ERROR,
  },
  {
    name: "a request without :path",
    input: join(
      clientStart(),
      headers(1, [[":method", "GET"], [":scheme", "https"]], true),
    ),
    frame: FRAME_TYPES.RST_STREAM,
    code: ERROR_CODES.PROTOCOL_ERROR,
  },
  {
    name: "a connection-specific field",
    input: join(
      clientStart(),
      headers(1, requestFields("GET", "/", [["connection", "close"]]), true),
    ),
    frame: FRAME_TYPES.RST_STREAM,
    code: ERROR_CODES.PROTOCOL_ERROR,
  },
  {
    name: "DATA longer than content-length",
    input: join(
      clientStart(),
      headers(1, requestFields("POST", "/", [["content-length", "2"]]), false),
      data(1, "abc", true),
    ),
    frame: FRAME_TYPES.RST_STREAM,
    code: ERROR_CODES.PROTOCOL_ERROR,
  },
  {
    name: "DATA beyond the stream window",
    input: join(
      clientStart(),
      headers(1, requestFields("POST", "/"), false),
      data(1, "a".repeat(16384), false),
      data(1, "a".repeat(16384), false),
      data(1, "a".repeat(16384), false),
      data(1, "a".repeat(16384), false),
    ),
    frame: FRAME_TYPES.RST_STREAM,
    code: ERROR_CODES.FLOW_CONTROL_ERROR,
  },
  {
    name: "a stream beyond the concurrent limit",
    input: join(
      clientStart(),
      headers(1, requestFields("GET", "/"), true),
      headers(3, requestFields("GET", "/"), true),
    ),
    frame: FRAME_TYPES.RST_STREAM,
    code: ERROR_CODES.REFUSED_STREAM,
    limits: { maxConcurrentStreams: 1 },
  },
  {
    name: "DATA after END_STREAM",
    input: join(clientStart(), GET, data(1, "x", false)),
    frame: FRAME_TYPES.RST_STREAM,
    code: ERROR_CODES.STREAM_CLOSED,
  },
];

for (const c of ERRORS) {
  Deno.test(`h2 connection: ${c.name} gets ${c.frame === FRAME_TYPES.GOAWAY ? "GOAWAY" : "RST_STREAM"} ${c.code}`, () => {
    const input = c.name.includes("preface") ? c.input : c.input;
    const { out, h2 } = run(input, input.byteLength, c.limits);
    const last = out.at(-1)!;
    assert.equal(last.type, c.frame);
    assert.equal(errorCode(last), c.code);
    assert.equal(h2.closed, c.frame === FRAME_TYPES.GOAWAY);
  });
}

Deno.test("h2 connection: a header list over the limit (but decodable) is refused with 431", () => {
  const { log } = run(
    join(clientStart(), headers(1, requestFields("GET", "/", big(5000)), true)),
    undefined,
    { maxHeaderListSize: 4096 },
  );
  assert.deepEqual(log, ["refused 1 431"]);
});

Deno.test("h2 connection: a header block over CONTINUATION frames; the client's RST_STREAM reaches the listener", () => {
  const block = headers(1, requestFields("POST", "/rest"), false).subarray(9);
  const input = join(
    clientStart(),
    encodeFrame(FRAME_TYPES.HEADERS, 0, 1, block.subarray(0, 3)),
    encodeFrame(FRAME_TYPES.CONTINUATION, 0, 1, block.subarray(3, 7)),
    encodeFrame(
      FRAME_TYPES.CONTINUATION,
      FLAGS.END_HEADERS,
      1,
      block.subarray(7),
    ),
    encodeFrame(FRAME_TYPES.RST_STREAM, 0, 1, Uint8Array.of(0, 0, 0, 8)),
  );
  for (let split = 0; split <= input.byteLength; split += 7) {
    assert.deepEqual(run(input, split).log, [
      "request 1 POST /rest",
      "reset 1 CANCEL",
    ]);
  }
});

Deno.test("h2 connection: GOAWAY from us refuses new streams and closes once the open ones end", () => {
  const { listener } = recorder();
  const h2 = new Http2Connection(listener);
  h2.receive(join(clientStart(), GET));
  h2.goaway();
  h2.receive(headers(3, requestFields("GET", "/"), true));
  const out = frames(h2.takeOutput()!);
  assert.deepEqual(errorCode(out.at(-1)!), ERROR_CODES.REFUSED_STREAM);
  assert.equal(h2.closed, false);
  h2.respond(1, [[":status", "204"]], true);
  assert.equal(h2.closed, true);
});

Deno.test("h2 connection: a SETTINGS change of INITIAL_WINDOW_SIZE moves open streams' windows; MAX_FRAME_SIZE sizes DATA", () => {
  const { listener } = recorder();
  const h2 = new Http2Connection(listener);
  h2.receive(join(clientStart(), settingsFrame([[4, 0]]), GET));
  h2.takeOutput();
  h2.respond(1, [[":status", "200"]], false);
  h2.sendData(1, new Uint8Array(40_000), true);
  assert.deepEqual(frames(h2.takeOutput()!).map((f) => f.type), [
    FRAME_TYPES.HEADERS,
  ]);
  // A window of 0 grows to 65,535; frames may now be 20,000 bytes.
  h2.receive(settingsFrame([[4, 65535], [5, 20000]]));
  const sizes = frames(h2.takeOutput()!).filter((f) =>
    f.type === FRAME_TYPES.DATA
  )
    .map((f) => [f.payload.byteLength, f.flags]);
  assert.deepEqual(sizes, [[20000, 0], [20000, FLAGS.END_STREAM]]);
});

Deno.test("h2 connection: a response head longer than a frame goes out as HEADERS and CONTINUATION", () => {
  const { listener } = recorder();
  const h2 = new Http2Connection(listener);
  h2.receive(join(clientStart(), GET));
  h2.takeOutput();
  h2.respond(1, [[":status", "200"], ["x-long", "v".repeat(40_000)]], true);
  assert.deepEqual(kinds(frames(h2.takeOutput()!)), [
    [FRAME_TYPES.HEADERS, FLAGS.END_STREAM, 1],
    [FRAME_TYPES.CONTINUATION, 0, 1],
    [FRAME_TYPES.CONTINUATION, FLAGS.END_HEADERS, 1],
  ]);
});

Deno.test("h2 connection: padded DATA and HEADERS with priority are unwrapped; padding is given back to the window", () => {
  const block = headers(1, requestFields("POST", "/p"), false).subarray(9);
  const priority = Uint8Array.of(0, 0, 0, 0, 16);
  const input = join(
    clientStart(),
    encodeFrame(
      FRAME_TYPES.HEADERS,
      FLAGS.END_HEADERS | FLAGS.PRIORITY | FLAGS.PADDED,
      1,
      join(Uint8Array.of(3), priority, block, new Uint8Array(3)),
    ),
    encodeFrame(
      FRAME_TYPES.DATA,
      FLAGS.END_STREAM | FLAGS.PADDED,
      1,
      join(Uint8Array.of(2), new TextEncoder().encode("hi"), new Uint8Array(2)),
    ),
  );
  assert.deepEqual(run(input).log, ["request 1 POST /p", "data 1 hi end"]);
});

Deno.test("h2 connection: DATA waits in its stream while the frames not yet written exceed the high-water mark", () => {
  const { listener } = recorder();
  const h2 = new Http2Connection(listener, { outputHighWater: 1000 });
  h2.receive(join(clientStart(), settingsFrame([[4, 1 << 20]]), GET));
  h2.receive(
    encodeFrame(FRAME_TYPES.WINDOW_UPDATE, 0, 0, Uint8Array.of(0, 0x10, 0, 0)),
  );
  h2.takeOutput();
  h2.respond(1, [[":status", "200"]], false);
  // Nothing taken (the socket is not writing): one frame goes out, the rest waits.
  assert.ok(h2.sendData(1, new Uint8Array(100_000), false) > 80_000);
  assert.ok(h2.outputBytes < 20_000);
  h2.takeOutput();
  h2.flush();
  assert.ok(h2.unsent(1) < 80_000);
});
