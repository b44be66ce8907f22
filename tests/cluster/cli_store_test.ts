// cli.ts with --store: an unreachable database stops the start with exit status 1 and a message that names the problem but not the password.

import assert from "node:assert/strict";
import { freePorts } from "../support/server_process.ts";

Deno.test("cli --store with an unreachable PostgreSQL exits 1 naming the problem, not the password", async () => {
  const [closed, listen] = freePorts(2);
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      new URL("../../cli.ts", import.meta.url).pathname,
      ...["--domain", "gw.localhost", "--secret", "s"],
      ...["--listen", `127.0.0.1:${listen}`],
      ...["--store", `postgres://gw:hunter2@127.0.0.1:${closed}/xmpp`],
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(stderr);
  assert.equal(code, 1, text);
  assert.match(text, /Cannot open the event store: .*ECONNREFUSED/);
  assert.doesNotMatch(text, /hunter2/);
});
