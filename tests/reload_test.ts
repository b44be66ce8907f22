// Reload rules: which fields changed, and what a running gateway refuses to reload (README "Reloading the configuration").

import assert from "node:assert/strict";
import { changedFields, ReloadError } from "../src/reload.ts";
import { createGateway } from "../src/gateway.ts";

const CHANGES: [string, object, object, string[]][] = [
  ["nothing", { a: 1, b: [1] }, { a: 1, b: [1] }, []],
  ["a value", { a: 1, b: [1] }, { a: 2, b: [1] }, ["a"]],
  ["a list", { a: 1, b: [1] }, { a: 1, b: [1, 2] }, ["b"]],
  ["a field that appears", { a: 1 }, { a: 1, c: "x" }, ["c"]],
];
for (const [what, before, after, changed] of CHANGES) {
  Deno.test({
    name: `changedFields: ${what}`,
    permissions: "none",
    fn: () => assert.deepEqual(changedFields(before, after), changed),
  });
}

Deno.test("gateway.reload() refuses to turn webhooks on and keeps the old credentials; it applies new ones", async () => {
  await using gateway = await createGateway({
    domain: "rest.localhost",
    secret: "s",
    server: { hostname: "127.0.0.1", port: 1 }, // never connects
    listen: { hostname: "127.0.0.1", port: 0 },
    credentials: ["Bearer one"],
    dataDir: ":memory:",
    backoff: { baseMs: 60_000, capMs: 60_000 },
  });
  const status = async (token: string) => {
    const res = await gateway.handler(
      new Request(`${gateway.url}/rest/echo`, {
        method: "POST",
        headers: { Authorization: token, "Content-Type": "application/json" },
        body: JSON.stringify({ kind: "message", to: "a@b" }),
      }),
    );
    await res.body?.cancel();
    return res.status;
  };
  assert.equal(await status("Bearer one"), 200);
  assert.throws(
    () =>
      gateway.reload({
        credentials: ["Bearer two"],
        callbackUrl: "http://127.0.0.1:9/hook",
      }),
    ReloadError,
  );
  assert.equal(await status("Bearer one"), 200, "nothing changed");
  assert.equal(await status("Bearer two"), 403);
  gateway.reload({ credentials: ["Bearer two"], basicAuth: false });
  assert.equal(await status("Bearer one"), 403);
  assert.equal(await status("Bearer two"), 200);
});
