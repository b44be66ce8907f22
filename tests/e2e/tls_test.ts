// Native TLS (README "Performance", HTTPS and HTTP/2): a self-signed certificate made at test time, HTTP/2 negotiated by ALPN (RFC 7301), against a real Prosody and through the CLI.

import assert from "node:assert/strict";
import { prosodyTest } from "../support/prosody.ts";
import { PROSODY } from "../support/xmpp_server.ts";
import { startGatewayEnv, TEST_TOKEN } from "../support/gateway_env.ts";
import { freePorts } from "../support/server_process.ts";
import { selfSigned } from "../support/tls.ts";
import { SseReader } from "../support/sse_reader.ts";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";

/** curl's negotiated HTTP version, status and body for one request. */
async function curl(
  args: string[],
): Promise<{ version: string; status: number; body: string }> {
  const marker = "\n--curl--";
  const { stdout, stderr, success } = await new Deno.Command("curl", {
    args: [
      "-sS",
      "--max-time",
      "20",
      "-w",
      `${marker}%{http_version} %{http_code}`,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(success, new TextDecoder().decode(stderr));
  const text = new TextDecoder().decode(stdout);
  const at = text.lastIndexOf(marker);
  const [version, status] = text.slice(at + marker.length).split(" ");
  return { version, status: Number(status), body: text.slice(0, at) };
}

const ping = JSON.stringify({ kind: "iq", to: "localhost", ping: true });
const jsonHeaders = [
  ...["-H", `Authorization: ${TEST_TOKEN}`],
  ...["-H", "Content-Type: application/json"],
  ...["-H", "Accept: application/json"],
];

prosodyTest(
  "TLS: with a certificate the API speaks HTTPS, HTTP/2 by ALPN (many streams on one connection) and still HTTP/1.1",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "xmpp-rest-tls-" });
    try {
      const tls = await selfSigned(dir);
      await using server = await PROSODY.start();
      await using env = await startGatewayEnv(server, {
        tls: { cert: tls.cert, key: tls.key },
      });
      assert.match(env.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const base = ["--cacert", tls.certPath, ...jsonHeaders, "-d", ping];

      const h2 = await curl(["--http2", ...base, `${env.url}/rest`]);
      assert.deepEqual([h2.version, h2.status], ["2", 200]);
      assert.equal(JSON.parse(h2.body).type, "result");
      const h1 = await curl(["--http1.1", ...base, `${env.url}/rest`]);
      assert.deepEqual([h1.version, h1.status], ["1.1", 200]);

      // An HTTP/2-only client: every request is a stream of one connection.
      using client = Deno.createHttpClient({
        caCerts: [tls.cert],
        http1: false,
        http2: true,
      });
      const replies = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const res = await fetch(`${env.url}/rest`, {
            client,
            method: "POST",
            headers: {
              Authorization: TEST_TOKEN,
              "Content-Type": "application/json",
              Accept: "application/json",
            },
            body: ping,
          });
          return [res.status, (await res.json()).type];
        }),
      );
      assert.deepEqual(replies, Array(20).fill([200, "result"]));

      // Plain HTTP on the TLS port is refused, not served.
      const plain = await fetch(env.url.replace("https:", "http:") + "/healthz")
        .then((res) => res.body?.cancel(), (error: Error) => error);
      assert.ok(plain instanceof Error);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("TLS: cli.ts --tls-cert/--tls-key serve HTTP/2; a missing file is a clear error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "xmpp-rest-tls-cli-" });
  const cli = new URL("../../cli.ts", import.meta.url).pathname;
  const [port] = freePorts(1);
  const run = (extra: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        ...["run", "-A", cli, "--domain", "gw.localhost", "--secret", "s"],
        ...["--server", "127.0.0.1:1", "--listen", `127.0.0.1:${port}`],
        ...["--data-dir", ":memory:"], // nothing written to the working directory
        ...extra,
      ],
      stdout: "null",
      stderr: "piped",
    });
  try {
    const tls = await selfSigned(dir);
    const missing = await run([
      ...["--tls-cert", `${dir}/nope.pem`, "--tls-key", tls.keyPath],
    ]).output();
    assert.equal(missing.code, 1);
    assert.match(
      new TextDecoder().decode(missing.stderr),
      /cannot read --tls-cert .*nope\.pem/,
    );
    const child = run(["--tls-cert", tls.certPath, "--tls-key", tls.keyPath])
      .spawn();
    try {
      let answer;
      for (let i = 0; i < 100; i++) {
        answer = await curl([
          ...["--http2", "--cacert", tls.certPath, "--retry-connrefused"],
          ...["--retry", "3", `https://127.0.0.1:${port}/healthz`],
        ]).catch((error) => error);
        if (!(answer instanceof Error)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual([answer.version, answer.status], ["2", 200]);
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await child.stderr.cancel();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

prosodyTest(
  "HTTP/2 on the own engine: long-polls, SSE resumed with Last-Event-ID, pull, Idempotency-Key, auth, limits and request ids as over HTTP/1.1",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "xmpp-rest-h2-e2e-" });
    try {
      const tls = await selfSigned(dir);
      await using server = await PROSODY.start();
      await using env = await startGatewayEnv(server, {
        tls: { cert: tls.cert, key: tls.key },
        sizeLimit: 4096,
      });
      const alice = await env.party("alice");
      using client = Deno.createHttpClient({
        caCerts: [tls.cert],
        http1: false,
        http2: true,
      });
      const h2 = (path: string, init: RequestInit = {}) =>
        fetch(`${env.url}${path}`, {
          client,
          ...init,
          headers: {
            Authorization: TEST_TOKEN,
            Accept: "application/json",
            ...init.headers as Record<string, string>,
          },
        });
      const post = (body: unknown, headers: Record<string, string> = {}) =>
        h2("/rest", {
          method: "POST",
          headers: { "Content-Type": "application/json", ...headers },
          body: JSON.stringify(body),
        });

      // Long-polling iqs as concurrent streams of one connection.
      const pings = await Promise.all(
        Array.from(
          { length: 100 },
          () =>
            post({ kind: "iq", to: "localhost", ping: true }).then(async (
              r,
            ) => [r.status, (await r.json()).type]),
        ),
      );
      assert.deepEqual(pings, Array(100).fill([200, "result"]));

      // Auth, limits and request ids.
      const anonymous = await fetch(`${env.url}/rest`, {
        client,
        method: "POST",
        body: ping,
      });
      assert.equal(anonymous.status, 401);
      await anonymous.body?.cancel();
      const big = await post({
        kind: "message",
        to: "alice@localhost",
        body: "x".repeat(10_000),
      });
      assert.equal(big.status, 413);
      await big.body?.cancel();
      const tagged = await post({ kind: "iq", to: "localhost", ping: true }, {
        "X-Request-Id": "h2-test-1",
      });
      assert.equal(tagged.headers.get("x-request-id"), "h2-test-1");
      await tagged.body?.cancel();

      // Idempotency-Key: the second POST is a replay, one delivery.
      const message = {
        kind: "message",
        to: "alice@localhost/" + alice.jid.split("/")[1],
        body: "once",
      };
      const first = await post(message, { "Idempotency-Key": "h2-k1" });
      const again = await post(message, { "Idempotency-Key": "h2-k1" });
      assert.equal(first.status, again.status);
      assert.equal(again.headers.get("idempotent-replayed"), "true");
      await Promise.all([first.body?.cancel(), again.body?.cancel()]);

      // SSE over HTTP/2, resumed with Last-Event-ID; then the same events pulled.
      const open = async (headers: Record<string, string> = {}) => {
        const r = await h2("/rest/events", {
          headers: { Accept: "text/event-stream", ...headers },
        });
        assert.equal(r.status, 200);
        return new SseReader(r.body!);
      };
      const sse = await open();
      await sse.next(); // connected
      const say = (body: string) =>
        alice.send(
          el(
            "message",
            NS.client,
            { to: env.domain, type: "chat" },
            el("body", NS.client, {}, body),
          ),
        );
      for (let i = 1; i <= 5; i++) say(`m${i}`);
      const seen: { id: number; body: string }[] = [];
      for (let i = 0; i < 3; i++) {
        const block = await sse.nextEvent();
        seen.push({
          id: Number(block!.id),
          body: JSON.parse(block!.data).stanza.body,
        });
      }
      await sse.cancel();
      for (let i = 6; i <= 8; i++) say(`m${i}`);
      say("last");
      const resumed = await open({ "Last-Event-ID": String(seen[2].id) });
      for (;;) {
        const block = await resumed.nextEvent();
        const body = JSON.parse(block!.data).stanza.body;
        if (body === "last") break;
        seen.push({ id: Number(block!.id), body });
      }
      await resumed.cancel();
      assert.deepEqual(seen.map((s) => s.body), [
        "m1",
        "m2",
        "m3",
        "m4",
        "m5",
        "m6",
        "m7",
        "m8",
      ]);
      const pulled = await (await h2("/rest/updates?offset=-1")).json();
      assert.equal(pulled.events[0].stanza.body, "last");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
