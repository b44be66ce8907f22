// Webhook round trips for bench/e2e.ts and bench/profile.ts: a webhook server and a c2s client keeping messages in flight to a bot, both from bench/webhook.ts.

import type { XmppServer } from "../tests/support/xmpp_server.ts";
import { type LoadResult, splitLines } from "./load.ts";
import { cpuUs } from "./process.ts";

/**
 * A c2s client (bench/webhook.ts) keeping 64 messages in flight to
 * `bot@domain`; the CPU of `pid` (gateway, bare component or the XMPP
 * server itself) and of the XMPP server `serverPid` is read over the
 * client's measured window.
 */
export async function roundTrips(
  server: XmppServer,
  domain: string,
  pid: number,
  seconds: number,
  serverPid = NaN,
): Promise<LoadResult & { cpuUs: number; serverCpuUs: number }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./webhook.ts", import.meta.url).pathname,
      ...["--role", "client", "--mark", "1", "--to", `bot@${domain}`],
      ...["--c2s", String(server.c2sPort), "--host", server.host],
      ...["--user", "bob", "--password", server.users.bob],
      ...["--window", "64", "--warmup", "1", "--seconds", String(seconds)],
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = splitLines(child.stdout);
  let before = NaN, serverBefore = NaN;
  let result: { replies: number; errors: number; p50: number; p99: number };
  for (;;) {
    const next = await lines.next();
    if (next.done) throw new Error("The round-trip client exited early");
    const line = JSON.parse(next.value);
    if (line.begin) {
      before = cpuUs(pid);
      serverBefore = cpuUs(serverPid);
    } else {
      const used = cpuUs(pid) - before;
      const serverUsed = cpuUs(serverPid) - serverBefore;
      result = line;
      await child.status;
      return {
        requests: result.replies,
        errors: result.errors,
        seconds,
        p50: result.p50,
        p99: result.p99,
        cpuUs: used / result.replies,
        serverCpuUs: serverUsed / result.replies,
      };
    }
  }
}

/** A webhook server (bench/webhook.ts) answering `{"body":"ok"}`. */
export async function startWebhook(): Promise<
  { port: number } & AsyncDisposable
> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./webhook.ts", import.meta.url).pathname,
      ...["--role", "webhook"],
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = splitLines(child.stdout);
  const first = await lines.next();
  if (first.done) throw new Error("The webhook exited early");
  const drained = (async () => {
    for await (const _ of lines) { /* drain */ }
  })();
  return {
    port: JSON.parse(first.value).port,
    async [Symbol.asyncDispose]() {
      await child.stdin.close();
      await drained;
      await child.status;
    },
  };
}
