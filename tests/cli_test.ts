// cli.ts as users run it: a subprocess with flags, env and a config file.

import assert from "node:assert/strict";
import { OPTIONS } from "../src/config/options.ts";
import { VERSION } from "../src/version.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;

function cli(args: string[], env: Record<string, string> = {}) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "--allow-read", CLI, ...args],
    env: { NO_COLOR: "1", ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

async function run(args: string[], env: Record<string, string> = {}) {
  const { code, stdout, stderr } = await cli(args, env).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, out: decode(stdout), err: decode(stderr) };
}

/** Reads a child's stdout until `pattern` matches; returns what was read. */
async function readUntil(
  stream: ReadableStream<Uint8Array>,
  pattern: RegExp,
): Promise<{ text: string; rest: ReadableStreamDefaultReader<string> }> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!pattern.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`output ended before ${pattern}:\n${text}`);
    text += value;
  }
  return { text, rest: reader };
}

Deno.test("cli --help lists every option with its default and exits 0", async () => {
  const { code, out } = await run(["--help"]);
  assert.equal(code, 0);
  for (const spec of OPTIONS) {
    assert.ok(out.includes(`--${spec.flag}`), spec.flag);
    assert.ok(out.includes(`default: ${spec.defaultText}`), spec.flag);
  }
  assert.match(out, /--dev/);
});

Deno.test("cli --version prints the version", async () => {
  const { code, out } = await run(["--version"]);
  assert.equal(code, 0);
  assert.equal(out.trim(), `xmpp-rest ${VERSION}`);
});

Deno.test("cli without configuration names what to set and points to deno task dev", async () => {
  const { code, err } = await run([]);
  assert.equal(code, 2);
  const lines = err.trim().split("\n");
  assert.equal(lines.length, 2, err);
  assert.match(
    lines[0],
    /^xmpp-rest: missing domain: set --domain, XMPP_REST_DOMAIN/,
  );
  assert.match(lines[1], /^xmpp-rest: missing secret: .*deno task dev/);
});

Deno.test("cli reports every configuration problem at once, from flags, env and file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/config.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({ component_domain: "gw.example", rest_bogus: 1 }),
    );
    const { code, err } = await run(
      ["--config", file, "--listen", "nowhere", "--nope"],
      { XMPP_REST_SECRET: "s", XMPP_REST_IQ_TIMEOUT: "soon" },
    );
    assert.equal(code, 2);
    const lines = err.trim().split("\n");
    for (
      const pattern of [
        /unknown option --nope/,
        /unknown key "rest_bogus" in .*config\.json/,
        /--listen: expected HOST:PORT, got "nowhere"/,
        /XMPP_REST_IQ_TIMEOUT: expected a positive number/,
      ]
    ) {
      assert.ok(lines.some((l) => pattern.test(l)), `${pattern}\n${err}`);
    }
    assert.equal(lines.length, 4, err);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli refuses a listen port that is in use with a clear message", async () => {
  using blocker = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (blocker.addr as Deno.NetAddr).port;
  const { code, err } = await run([
    "--domain",
    "gw.example",
    "--secret",
    "s",
    "--server",
    "127.0.0.1:1",
    "--listen",
    `127.0.0.1:${port}`,
    "--data-dir",
    ":memory:",
  ]);
  assert.equal(code, 1);
  assert.match(
    err,
    new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`),
  );
});

Deno.test("cli --dev prints a token and curl lines that work as documented, and stops on SIGTERM", async () => {
  const child = cli(["--dev", "--listen", "127.0.0.1:0", "--log-level", "warn"])
    .spawn();
  try {
    const { text, rest } = await readUntil(
      child.stdout,
      /\/rest\/version\/localhost\n/,
    );
    assert.match(text, /for trying and testing only/);
    const token = /token\s+(Bearer [0-9a-f]+)/.exec(text)?.[1];
    const url = /HTTP API\s+(http:\/\/127\.0\.0\.1:\d+)\/rest/.exec(text)?.[1];
    assert.ok(token && url, text);
    const curls = text.split("\n").filter((l) =>
      l.trimStart().startsWith("curl ")
    );
    assert.equal(curls.length, 3);
    // The three lines, replayed with fetch: a message (202), a ping (200 JSON), version.
    const headers = {
      Authorization: token,
      "Content-Type": "application/json",
    };
    const message = await fetch(`${url}/rest`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        kind: "message",
        type: "chat",
        to: "echo@localhost",
        body: "Hello",
      }),
    });
    assert.equal(message.status, 202);
    await message.body?.cancel();
    const ping = await fetch(`${url}/rest`, {
      method: "POST",
      headers: { ...headers, Accept: "application/json" },
      body: JSON.stringify({
        kind: "iq",
        type: "get",
        to: "localhost",
        ping: true,
      }),
    });
    assert.equal(ping.status, 200);
    assert.equal((await ping.json()).type, "result");
    const version = await fetch(`${url}/rest/version/localhost`, {
      headers: { Authorization: token, Accept: "application/json" },
    });
    assert.equal(version.status, 200);
    assert.equal((await version.json()).version.name, "xmpp-rest dev server");
    for (const line of curls) {
      assert.ok(line.includes(token) && line.includes(url), line);
    }
    // README "iq: waiting for the reply": its 504 example, as written.
    const readme = await Deno.readTextFile(
      new URL("../README.md", import.meta.url),
    );
    const example =
      /\$ curl -i (.*Prosody-Rest-Timeout: 1.*) \$URL(\S+)\n(HTTP\/1\.1 (\d+)[^\n]*)\n[^\n]*\n\n(\{[^\n]*\})/
        .exec(readme);
    assert.ok(example, "the README has the 504 example");
    const [, , path, , documented, body] = example;
    const slow = await fetch(`${url}${path}`, {
      headers: {
        Authorization: token,
        "Prosody-Rest-Timeout": "1",
        Accept: "application/json",
      },
    });
    assert.equal(slow.status, Number(documented));
    assert.equal(documented, "504");
    assert.deepEqual(await slow.json(), JSON.parse(body));
    child.kill("SIGTERM");
    const status = await child.status;
    assert.equal(status.code, 0);
    await rest.cancel();
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
    await child.stderr.cancel().catch(() => {});
  }
});
