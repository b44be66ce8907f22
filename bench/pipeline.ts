// The gateway's own JavaScript cost per request, without sockets or other processes: the gateway as cli.ts configures it (default settings), its HTTP/1.1 engine fed by in-memory connections, an in-memory XMPP server answering at once.
// Run: deno run -A bench/pipeline.ts [ping|message] [--requests 100000] [--rounds 5] [--connections 64] [--profile FILE] 2>/dev/null
// --profile: a V8 CPU profile of the rounds (sampled every 100 µs; open it in
// Chrome's DevTools, or summarise it by function).
// What it leaves out is what the other benches add: the kernel (socket reads
// and writes), the event loop waiting for them, and other processes. So it is
// steady where bench/e2e.ts and bench/ab.ts are noisy, and it is the figure
// to compare two versions of the code with (run each checkout's copy, one
// after the other, a few times). CPU µs per request is this process's user +
// system time from /proc (V8's GC threads included) over the requests.
// deno-lint-ignore-file no-console

import { loadConfig } from "../src/config/load.ts";
import { createGateway } from "../src/gateway.ts";
import type { ComponentSocket } from "../src/component/connection.ts";
import { serveHttp1 } from "../src/http/http1_engine.ts";
import { createLogger } from "../src/logger.ts";
import { cpuUs } from "./process.ts";
import { Session } from "node:inspector";

const arg = (name: string, fallback: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i === -1 ? fallback : Deno.args[i + 1];
};
const SCENARIO = Deno.args[0] === "message" ? "message" : "ping";
const REQUESTS = Number(arg("requests", "100000"));
const ROUNDS = Number(arg("rounds", "5"));
const CONNECTIONS = Number(arg("connections", "64"));
const PROFILE = arg("profile", "");
const DOMAIN = "rest.localhost";
const TOKEN = "Bearer pipeline-bench";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes for a read waiting on `queue`, or a promise for the next ones. */
class ByteQueue {
  #chunks: Uint8Array[] = [];
  #waiting?: { buffer: Uint8Array; resolve: (n: number | null) => void };

  push(bytes: Uint8Array): void {
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      waiting.resolve(this.#copy(bytes, waiting.buffer));
    } else this.#chunks.push(bytes);
  }

  read(buffer: Uint8Array): Promise<number | null> {
    const next = this.#chunks.shift();
    if (next !== undefined) return Promise.resolve(this.#copy(next, buffer));
    return new Promise((resolve) => this.#waiting = { buffer, resolve });
  }

  #copy(bytes: Uint8Array, buffer: Uint8Array): number {
    if (bytes.byteLength > buffer.byteLength) {
      this.#chunks.unshift(bytes.subarray(buffer.byteLength));
      bytes = bytes.subarray(0, buffer.byteLength);
    }
    buffer.set(bytes);
    return bytes.byteLength;
  }
}

/**
 * An XEP-0114 server in memory: accepts the handshake without checking it,
 * answers every iq get with an empty result, drops everything else.
 */
function memoryServer(): ComponentSocket {
  const toGateway = new ByteQueue();
  const reply = (text: string) => toGateway.push(encoder.encode(text));
  const IQ_GET = /<iq\b[^>]*?\btype=(["'])get\1[^>]*>/g;
  const ATTRS = {
    id: /\bid=(["'])(.*?)\1/,
    to: /\bto=(["'])(.*?)\1/,
    from: /\bfrom=(["'])(.*?)\1/,
  };
  const attr = (tag: string, name: keyof typeof ATTRS) =>
    ATTRS[name].exec(tag)?.[2] ?? "";
  return {
    readable: new ReadableStream(),
    writable: new WritableStream(),
    read: (buffer) => toGateway.read(buffer),
    write(bytes) {
      const text = decoder.decode(bytes);
      if (text.includes("<stream:stream")) {
        reply(
          `<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:component:accept' from='${DOMAIN}' id='pipeline'>`,
        );
      }
      if (text.includes("<handshake>")) reply("<handshake/>");
      let answers = "";
      for (const [tag] of text.matchAll(IQ_GET)) {
        answers += `<iq type='result' id='${attr(tag, "id")}' from='${
          attr(tag, "to")
        }' to='${attr(tag, "from")}'/>`;
      }
      if (answers !== "") reply(answers);
      return Promise.resolve(bytes.byteLength);
    },
    close() {},
  };
}

/** A client connection in memory: each response written sends the request again. */
class LoopConn {
  readonly localAddr = { transport: "tcp", hostname: "127.0.0.1", port: 5380 };
  readonly remoteAddr = {
    transport: "tcp",
    hostname: "127.0.0.1",
    port: 40000,
  };
  #incoming = new ByteQueue();
  #request: Uint8Array;
  #onResponse: (conn: LoopConn, bytes: Uint8Array) => void;

  constructor(
    request: Uint8Array,
    onResponse: (conn: LoopConn, bytes: Uint8Array) => void,
  ) {
    this.#request = request;
    this.#onResponse = onResponse;
  }

  send(): void {
    this.#incoming.push(this.#request);
  }

  read(buffer: Uint8Array): Promise<number | null> {
    return this.#incoming.read(buffer);
  }

  write(bytes: Uint8Array): Promise<number> {
    this.#onResponse(this, bytes);
    return Promise.resolve(bytes.byteLength);
  }

  close(): void {}
}

const result = loadConfig({
  args: [
    "--domain",
    DOMAIN,
    "--secret",
    "s3cret",
    "--server",
    "127.0.0.1:5347",
    "--listen",
    "127.0.0.1:0",
    "--credentials",
    TOKEN,
    // As bench/e2e.ts starts it: with a webhook (never called here).
    "--callback-url",
    "http://127.0.0.1:9/hook/{kind}",
    "--data-dir",
    ":memory:",
  ],
  env: {},
  readTextFile: Deno.readTextFileSync,
});
if (!result.ok) throw new Error(result.errors.join("\n"));
const config = result.config;
// As cli.ts logs: to stderr, batched (send it to /dev/null).
const logger = createLogger({
  level: config.logLevel,
  format: config.logFormat,
});
const gateway = await createGateway({
  ...config,
  logger,
  dial: () => Promise.resolve(memoryServer()),
});
await gateway.component.waitOnline();

const body = SCENARIO === "ping"
  ? `{"kind":"iq","type":"get","to":"localhost","ping":true}`
  : `{"kind":"message","type":"chat","to":"someone@localhost","body":"Hello"}`;
// The request wrk sends in bench/e2e.ts.
const request = encoder.encode(
  `POST /rest HTTP/1.1\r\nHost: 127.0.0.1:5380\r\nAuthorization: ${TOKEN}\r\n` +
    `Content-Type: application/json\r\nAccept: application/json\r\n` +
    `Content-Length: ${encoder.encode(body).byteLength}\r\n\r\n${body}`,
);
const expected = SCENARIO === "ping" ? "HTTP/1.1 200 " : "HTTP/1.1 202 ";

/** Sends `total` requests over the connections, each again once answered. */
function run(total: number): Promise<void> {
  let sent = 0;
  let answered = 0;
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  const onResponse = (conn: LoopConn, bytes: Uint8Array) => {
    if (decoder.decode(bytes.subarray(0, 13)) !== expected) {
      reject(new Error(`unexpected response: ${decoder.decode(bytes)}`));
      return;
    }
    if (++answered === total) resolve();
    else if (sent < total) {
      sent++;
      conn.send();
    }
  };
  const conns = Array.from(
    { length: CONNECTIONS },
    () => new LoopConn(request, onResponse),
  );
  const signal = new AbortController();
  for (const conn of conns) {
    serveHttp1(conn as unknown as Deno.Conn, {
      handler: gateway.handler,
      onError: () => new Response("error", { status: 500 }),
      signal: signal.signal,
    });
    if (sent < total) {
      sent++;
      conn.send();
    }
  }
  return promise.finally(() => signal.abort());
}

await run(Math.min(REQUESTS, 20_000)); // warm-up: the code optimised
const session = PROFILE === "" ? undefined : new Session();
const post = (method: string, params: Record<string, unknown> = {}) =>
  new Promise<unknown>((resolve, reject) =>
    session!.post(
      method,
      params,
      (error: Error | null, value?: unknown) =>
        error ? reject(error) : resolve(value),
    )
  );
if (session !== undefined) {
  session.connect();
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 100 });
  await post("Profiler.start");
}
const figures: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const cpu = cpuUs(Deno.pid);
  await run(REQUESTS);
  const perRequest = (cpuUs(Deno.pid) - cpu) / REQUESTS;
  figures.push(perRequest);
  console.log(`round ${round}: ${perRequest.toFixed(2)} µs CPU/req`);
}
if (session !== undefined) {
  const { profile } = await post("Profiler.stop") as { profile: unknown };
  await Deno.writeTextFile(PROFILE, JSON.stringify(profile));
  session.disconnect();
}
figures.sort((a, b) => a - b);
console.log(
  `${SCENARIO}: median ${
    figures[Math.floor(figures.length / 2)].toFixed(2)
  } µs CPU/req over ${ROUNDS} rounds of ${REQUESTS} requests, ${CONNECTIONS} connections`,
);
await gateway.stop({ graceMs: 0 });
