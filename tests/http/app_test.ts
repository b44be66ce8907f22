import assert from "node:assert/strict";
import { createHttpApp } from "../../src/http/app.ts";
import type { Readiness } from "../../src/http/health.ts";
import { openApiDocument } from "../../src/http/openapi/mod.ts";
import { JSON_TYPE, SECRET, setup } from "./helpers.ts";

const TOKEN = "Bearer app-test-token-7f3a";

/** An app over the real REST handler; `restCalls` counts what reached it. */
function app(readiness: Readiness = { online: true, state: "online" }) {
  const { handler, port } = setup({ credentials: [TOKEN] });
  const seen = { restCalls: 0 };
  const http = createHttpApp({
    rest: (request) => {
      seen.restCalls++;
      return handler(request);
    },
    readiness: () => readiness,
  });
  return { http, port, seen };
}

const send = (
  method: string,
  path: string,
  init: { auth?: string; body?: string; type?: string } = {},
) => {
  const headers = new Headers();
  if (init.auth) headers.set("Authorization", init.auth);
  if (init.type) headers.set("Content-Type", init.type);
  return new Request(`http://gw.test${path}`, {
    method,
    headers,
    body: init.body,
  });
};

const dispatch: {
  method: string;
  path: string;
  auth?: string;
  status: number;
  type: string | null;
  rest: boolean;
}[] = [
  {
    method: "GET",
    path: "/healthz",
    status: 200,
    type: "application/health+json",
    rest: false,
  },
  {
    method: "HEAD",
    path: "/healthz",
    status: 200,
    type: "application/health+json",
    rest: false,
  },
  {
    method: "GET",
    path: "/healthz?verbose=1",
    status: 200,
    type: "application/health+json",
    rest: false,
  },
  { method: "POST", path: "/healthz", status: 405, type: null, rest: false },
  {
    method: "GET",
    path: "/readyz",
    status: 200,
    type: "application/health+json",
    rest: false,
  },
  {
    method: "GET",
    path: "/readyz",
    auth: "Bearer wrong",
    status: 200,
    type: "application/health+json",
    rest: false,
  },
  {
    method: "GET",
    path: "/rest/openapi.json",
    status: 200,
    type: "application/json",
    rest: false,
  },
  {
    method: "HEAD",
    path: "/rest/openapi.json",
    status: 200,
    type: "application/json",
    rest: false,
  },
  {
    method: "GET",
    path: "/rest/openapi.json",
    auth: "Bearer wrong",
    status: 200,
    type: "application/json",
    rest: false,
  },
  // Everything else is the REST handler's, 404s and auth included.
  {
    method: "POST",
    path: "/rest/openapi.json",
    status: 401,
    type: "application/xmpp+xml",
    rest: true,
  },
  {
    method: "PUT",
    path: "/rest/openapi.json",
    status: 404,
    type: "application/xmpp+xml",
    rest: true,
  },
  {
    method: "GET",
    path: "/healthz/",
    status: 404,
    type: "application/xmpp+xml",
    rest: true,
  },
  {
    method: "GET",
    path: "/",
    status: 404,
    type: "application/xmpp+xml",
    rest: true,
  },
  {
    method: "GET",
    path: "/rest/ping/example.org",
    status: 401,
    type: "application/xmpp+xml",
    rest: true,
  },
  {
    method: "GET",
    path: "/rest/openapi.yaml",
    auth: TOKEN,
    status: 400,
    type: "application/xmpp+xml",
    rest: true,
  },
];

for (const c of dispatch) {
  Deno.test({
    name: `createHttpApp(): ${c.method} ${c.path}${
      c.auth ? ` (${c.auth})` : ""
    } -> ${c.status}${c.rest ? " from the REST handler" : ""}`,
    permissions: "none",
    async fn() {
      const { http, seen } = app();
      const res = await http(send(c.method, c.path, { auth: c.auth }));
      await res.body?.cancel();
      assert.equal(res.status, c.status);
      assert.equal(res.headers.get("Content-Type"), c.type);
      assert.equal(seen.restCalls, c.rest ? 1 : 0);
    },
  });
}

Deno.test({
  name:
    "createHttpApp(): /readyz follows the component stream, REST sends meanwhile fail",
  permissions: "none",
  async fn() {
    const readiness = { online: false, state: "waiting-to-reconnect" };
    const { http, port } = app(readiness);
    port.online = false;
    const down = await http(send("GET", "/readyz"));
    assert.equal(down.status, 503);
    assert.equal(down.headers.get("Retry-After"), "5");
    assert.deepEqual(await down.json(), {
      status: "fail",
      output: "XMPP component stream is waiting-to-reconnect",
    });
    const message = JSON.stringify({ to: "a@example.org", body: "Hi" });
    const refused = await http(
      send("POST", "/rest", { auth: TOKEN, body: message, type: JSON_TYPE }),
    );
    assert.equal(refused.status, 503);
    await refused.body?.cancel();
    Object.assign(readiness, { online: true, state: "online" });
    port.online = true;
    const up = await http(send("GET", "/readyz"));
    assert.equal(up.status, 200);
    await up.body?.cancel();
    const sent = await http(
      send("POST", "/rest", { auth: TOKEN, body: message, type: JSON_TYPE }),
    );
    assert.equal(sent.status, 202);
    assert.equal(port.sent.length, 1);
  },
});

Deno.test({
  name:
    "createHttpApp(): the served document is the API description and reveals no configuration",
  permissions: "none",
  async fn() {
    const { http } = app();
    const res = await http(send("GET", "/rest/openapi.json"));
    assert.equal(res.headers.get("Cache-Control"), "public, max-age=300");
    const text = await res.text();
    assert.deepEqual(JSON.parse(text), openApiDocument());
    for (const secret of [SECRET, "app-test-token-7f3a"]) {
      assert.ok(!text.includes(secret), `document reveals ${secret}`);
    }
  },
});

Deno.test({
  name: "createHttpApp(): health bodies reveal nothing but the state",
  permissions: "none",
  async fn() {
    const { http } = app({ online: false, state: "closed" });
    for (const path of ["/healthz", "/readyz"]) {
      const body = await (await http(send("GET", path))).json();
      assert.deepEqual(
        Object.keys(body).sort(),
        path === "/healthz" ? ["status"] : ["output", "status"],
      );
    }
  },
});
