// SIGHUP against a real Prosody with cli.ts as a subprocess: credentials and webhook settings reload without dropping the stream; a reload that fails validation keeps the old settings and logs why.

import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { Prosody, prosodyTest } from "../support/prosody.ts";
import { C2sClient } from "../support/c2s_client.ts";
import { freePorts } from "../support/server_process.ts";
import { WebhookStub } from "./webhook_stub.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;
const WAIT_MS = 20_000;

async function until<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Collects the JSON log lines of a child's stderr. */
function logLines(
  stream: ReadableStream<Uint8Array>,
): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  void (async () => {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      rest += chunk;
      const parts = rest.split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        try {
          lines.push(JSON.parse(line));
        } catch {
          lines.push({ msg: line });
        }
      }
    }
  })();
  return lines;
}

prosodyTest(
  "reload: SIGHUP applies new credentials and webhook settings from the config file without dropping the stream; a bad file keeps the old ones",
  async () => {
    await using prosody = await Prosody.start();
    const [domain] = Object.keys(prosody.components);
    await using hook1 = new WebhookStub();
    await using hook2 = new WebhookStub();
    const dir = await Deno.makeTempDir({ prefix: "xmpp-rest-reload-" });
    const configPath = `${dir}/xmpp-rest.json`;
    const [port] = freePorts(1);
    const url = `http://127.0.0.1:${port}`;
    const base = {
      component_domain: domain,
      component_secret: prosody.components[domain],
      component_server: prosody.componentAddress,
      http_listen: `127.0.0.1:${port}`,
      data_dir: ":memory:",
      log_format: "json",
    };
    const writeConfig = (extra: Record<string, unknown>) =>
      Deno.writeTextFile(configPath, JSON.stringify({ ...base, ...extra }));
    await writeConfig({
      rest_credentials: ["Bearer old-token"],
      rest_callback_url: hook1.url(),
    });
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "--config", configPath],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const log = logLines(child.stderr);
    await using alice = await C2sClient.connect({
      port: prosody.c2sPort,
      domain: prosody.host,
      username: "alice",
      password: prosody.users.alice,
    });
    const post = (token: string, body: unknown) =>
      fetch(`${url}/rest`, {
        method: "POST",
        headers: { Authorization: token, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      }).then(async (r) => (await r.body?.cancel(), r.status));
    const message = (id: string) => ({
      kind: "message",
      id,
      to: `alice@${prosody.host}`,
      body: id,
    });
    const fromAlice = (id: string) =>
      alice.send(
        el(
          "message",
          NS.client,
          { to: `bot@${domain}`, id },
          el("body", NS.client, {}, id),
        ),
      );
    const reloaded = async (msg: string, count: number) =>
      await until(`log line "${msg}" #${count}`, () => {
        const found = log.filter((l) => l.msg === msg);
        return found.length >= count ? found[count - 1] : undefined;
      });
    try {
      await until("the gateway to be ready", () =>
        fetch(`${url}/readyz`).then(
          async (r) => (await r.body?.cancel(), r.ok || undefined),
          () => undefined,
        ));
      assert.equal(await post("Bearer old-token", message("before")), 202);
      fromAlice("hook-1");
      const first = await hook1.waitFor((r) => r.body.includes("hook-1"));
      assert.match(first.headers.get("X-Request-Id") ?? "", /^[0-9a-f-]{36}$/);

      // New credentials (scoped to messages), a new webhook URL, and a
      // setting that needs a restart.
      await writeConfig({
        rest_credentials: [{
          credential: "Bearer new-token",
          kinds: ["message"],
        }],
        rest_callback_url: hook2.url(),
        log_level: "debug",
      });
      child.kill("SIGHUP");
      const ok = await reloaded("configuration reloaded", 1);
      assert.deepEqual(ok.changed, ["credentials", "callbackUrl"]);
      const later = await reloaded(
        "changed settings take effect after a restart",
        1,
      );
      assert.deepEqual(later.settings, ["logLevel"]);
      assert.equal(await post("Bearer old-token", message("old")), 403);
      assert.equal(await post("Bearer new-token", message("new")), 202);
      const ping = await fetch(`${url}/rest/ping/${prosody.host}`, {
        headers: { Authorization: "Bearer new-token" },
      });
      assert.equal(
        ping.status,
        403,
        "the new credential is scoped to messages",
      );
      await ping.body?.cancel();
      fromAlice("hook-2");
      await hook2.waitFor((r) => r.body.includes("hook-2"));
      assert.ok(
        !hook1.requests.some((r) => r.body.includes("hook-2")),
        "the old webhook gets nothing new",
      );

      // A file that does not validate changes nothing.
      await writeConfig({
        rest_credentials: ["Bearer third-token"],
        rest_callback_url: "ftp://nowhere.example",
      });
      child.kill("SIGHUP");
      const failed = await reloaded(
        "configuration reload failed; keeping the current settings",
        1,
      );
      assert.match(String(failed.reason), /rest_callback_url.*ftp/);
      assert.equal(await post("Bearer third-token", message("third")), 403);
      assert.equal(await post("Bearer new-token", message("still")), 202);

      // The stream was never dropped.
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics, /^xmpp_rest_component_reconnects_total 0$/m);
      assert.match(metrics, /^xmpp_rest_component_up 1$/m);
      const onlines = log.filter((l) => String(l.msg).includes("online"));
      assert.equal(onlines.length, 1, JSON.stringify(onlines));
      assert.ok(
        !JSON.stringify(log).includes("new-token"),
        "credentials are never logged",
      );
      child.kill("SIGTERM");
      assert.equal((await child.status).code, 0);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
);
