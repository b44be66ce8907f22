// The whole gateway over real sockets against the embedded dev server: HTTP in, XEP-0114 out, webhook back.

import assert from "node:assert/strict";
import { startDevServer } from "../src/devserver/server.ts";
import { createGateway } from "../src/gateway.ts";
import { parseXml } from "../src/xml/parser.ts";
import { createLogger, type Logger } from "../src/logger.ts";

const DOMAIN = "gw.localhost";
const SECRET = "gw-secret";
const TOKEN = "Bearer test-token";

interface Hook {
  url: string;
  received: { path: string; type: string | null; body: string }[];
  next: Promise<void>;
  answer: (req: Request, body: string) => Response | Promise<Response>;
  [Symbol.asyncDispose](): Promise<void>;
}

function startWebhook(): Hook {
  let signal = Promise.withResolvers<void>();
  const hook: Hook = {
    url: "",
    received: [],
    get next() {
      return signal.promise;
    },
    answer: () => new Response(null, { status: 204 }),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const body = await req.text();
      if (req.method === "POST") {
        hook.received.push({
          path: new URL(req.url).pathname,
          type: req.headers.get("Content-Type"),
          body,
        });
        signal.resolve();
        signal = Promise.withResolvers<void>();
      }
      return await hook.answer(req, body);
    },
  );
  hook.url = `http://127.0.0.1:${
    (server.addr as Deno.NetAddr).port
  }/hook/{kind}`;
  return hook;
}

async function setup(hook?: Hook, logger?: Logger) {
  const dev = await startDevServer({ components: { [DOMAIN]: SECRET } });
  const gateway = await createGateway({
    logger,
    domain: DOMAIN,
    secret: SECRET,
    server: { hostname: dev.hostname, port: dev.port },
    listen: { hostname: "127.0.0.1", port: 0 },
    credentials: [TOKEN],
    callbackUrl: hook?.url,
    dataDir: ":memory:",
    iqTimeout: 5,
  });
  await gateway.component.waitOnline();
  return {
    dev,
    gateway,
    async [Symbol.asyncDispose]() {
      await gateway.stop();
      await dev.close();
    },
  };
}

function post(url: string, body: unknown, accept = "application/json") {
  return fetch(url, {
    method: "POST",
    headers: {
      Authorization: TOKEN,
      "Content-Type": "application/json",
      Accept: accept,
    },
    body: JSON.stringify(body),
  });
}

Deno.test("gateway: an iq ping over HTTP gets the server's result in the response", async () => {
  await using env = await setup();
  const res = await post(`${env.gateway.url}/rest`, {
    kind: "iq",
    type: "get",
    to: "localhost",
    id: "p1",
    ping: true,
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    kind: "iq",
    type: "result",
    id: "p1",
    from: "localhost",
    to: DOMAIN,
  });
});

Deno.test("gateway: GET shortcuts and XML replies work over real sockets", async () => {
  await using env = await setup();
  const res = await fetch(`${env.gateway.url}/rest/version/localhost`, {
    headers: { Authorization: TOKEN },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("Content-Type"), "application/xmpp+xml");
  const reply = parseXml(await res.text(), {
    defaultNamespace: "jabber:client",
  });
  assert.equal(reply.attr("type"), "result");
  assert.equal(
    reply.getChild("query", "jabber:iq:version")?.getChildText("name"),
    "xmpp-rest dev server",
  );
});

Deno.test("gateway: an iq to an unknown entity is 200 with the error stanza", async () => {
  await using env = await setup();
  const res = await post(`${env.gateway.url}/rest`, {
    kind: "iq",
    to: "nobody@localhost",
    id: "q",
    version: {},
  });
  assert.equal(res.status, 200);
  const json = await res.json();
  assert.equal(json.type, "error");
  assert.equal(json.error.condition, "service-unavailable");
});

Deno.test("gateway: a message is 202 and its echo reaches the webhook", async () => {
  await using hook = startWebhook();
  await using env = await setup(hook);
  const arrived = hook.next;
  const res = await post(`${env.gateway.url}/rest`, {
    kind: "message",
    type: "chat",
    to: "echo@localhost",
    id: "m1",
    body: "Hello <world> & all",
  });
  assert.equal(res.status, 202);
  assert.equal(await res.text(), "");
  await arrived;
  const [delivery] = hook.received;
  assert.equal(delivery.path, "/hook/message");
  assert.equal(delivery.type, "application/xmpp+xml");
  const echoed = parseXml(delivery.body, { defaultNamespace: "jabber:client" });
  assert.equal(echoed.attr("from"), "echo@localhost");
  assert.equal(echoed.attr("to"), DOMAIN);
  assert.equal(echoed.getChildText("body"), "Hello <world> & all");
});

Deno.test("gateway: the webhook's JSON answer to an iq becomes the result the sender gets", async () => {
  await using hook = startWebhook();
  hook.answer = () =>
    Response.json({ version: { name: "bot", version: "1.0" } });
  await using env = await setup(hook);
  // The gateway sends an iq to its own domain: the server routes it back to
  // the component, the webhook answers, and the reply comes back as the
  // HTTP response.
  const res = await post(`${env.gateway.url}/rest`, {
    kind: "iq",
    type: "get",
    to: `bot@${DOMAIN}`,
    from: `client@${DOMAIN}`,
    id: "v1",
    version: {},
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    kind: "iq",
    type: "result",
    id: "v1",
    from: `bot@${DOMAIN}`,
    to: `client@${DOMAIN}`,
    version: { name: "bot", version: "1.0" },
  });
  assert.equal(hook.received.length, 1);
});

Deno.test("gateway: requests get 503 with Retry-After while the stream is down", async () => {
  await using env = await setup();
  await env.dev.close();
  while (env.gateway.component.online) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const res = await post(`${env.gateway.url}/rest`, {
    kind: "message",
    to: "echo@localhost",
    body: "x",
  });
  assert.equal(res.status, 503);
  assert.ok(res.headers.get("Retry-After"));
  assert.equal((await res.json()).error.condition, "service-unavailable");
});

Deno.test("gateway: wrong credentials are refused before anything is sent", async () => {
  await using env = await setup();
  const res = await fetch(`${env.gateway.url}/rest`, {
    method: "POST",
    headers: {
      Authorization: "Bearer nope",
      "Content-Type": "application/json",
    },
    body: "{}",
  });
  assert.equal(res.status, 403);
  await res.body?.cancel();
  const missing = await fetch(`${env.gateway.url}/rest`, { method: "POST" });
  assert.equal(missing.status, 401);
  assert.match(
    missing.headers.get("WWW-Authenticate") ?? "",
    /Bearer realm="gw.localhost\/rest"/,
  );
  await missing.body?.cancel();
});

/** Starts a webhook that holds iq deliveries until `release` resolves. */
function holdingWebhook(hook: Hook) {
  const reached = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  hook.answer = async (req) => {
    if (req.method !== "POST") return new Response(null, { status: 204 }); // the startup probe
    reached.resolve();
    await release.promise;
    return new Response(null, { status: 204 });
  };
  return { reached: reached.promise, release: () => release.resolve() };
}

const heldIq = {
  kind: "iq",
  to: `held@${DOMAIN}`,
  from: `c@${DOMAIN}`,
  id: "h1",
  ping: true,
};

Deno.test("gateway: stop() lets an in-flight iq finish within the grace period, then stops listening", async () => {
  await using hook = startWebhook();
  const held = holdingWebhook(hook);
  await using env = await setup(hook);
  const pending = post(`${env.gateway.url}/rest`, heldIq);
  await held.reached;
  const stopping = env.gateway.stop({ graceMs: 10_000 });
  held.release();
  const response = await pending;
  assert.equal(response.status, 200);
  assert.equal((await response.json()).type, "result");
  await stopping;
  const after = await fetch(`${env.gateway.url}/rest/ping/localhost`, {
    headers: { Authorization: TOKEN },
  }).then((r) => r.status, (e) => e.name);
  assert.equal(after, "TypeError"); // connection refused: no longer listening
});

Deno.test("gateway: stop() answers an iq still waiting after the grace period with 503", async () => {
  await using hook = startWebhook();
  const held = holdingWebhook(hook);
  await using env = await setup(hook);
  const pending = post(`${env.gateway.url}/rest`, heldIq);
  await held.reached;
  await env.gateway.stop({ graceMs: 20 });
  const response = await pending;
  assert.equal(response.status, 503);
  assert.equal((await response.json()).error.condition, "service-unavailable");
  held.release();
});

Deno.test("gateway: /readyz follows the stream state; /healthz and the OpenAPI document need no credentials", async () => {
  await using env = await setup();
  const ready = await fetch(`${env.gateway.url}/readyz`);
  assert.equal(ready.status, 200);
  assert.equal(ready.headers.get("Content-Type"), "application/health+json");
  assert.deepEqual(await ready.json(), { status: "pass" });
  const live = await fetch(`${env.gateway.url}/healthz`);
  assert.equal(live.status, 200);
  await live.body?.cancel();
  const doc = await fetch(`${env.gateway.url}/rest/openapi.json`);
  assert.equal(doc.status, 200);
  assert.equal((await doc.json()).openapi, "3.1.0");
  await env.dev.close();
  while (env.gateway.component.online) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const down = await fetch(`${env.gateway.url}/readyz`);
  assert.equal(down.status, 503);
  const body = await down.json();
  assert.equal(body.status, "fail");
  assert.ok(!JSON.stringify(body).includes(SECRET));
});

Deno.test("gateway: a taken listen port throws AddrInUse and leaves nothing running", async () => {
  using blocker = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const dev = await startDevServer({ components: { [DOMAIN]: SECRET } });
  try {
    await assert.rejects(
      createGateway({
        domain: DOMAIN,
        secret: SECRET,
        server: { hostname: dev.hostname, port: dev.port },
        listen: blocker.addr as Deno.NetAddr,
        dataDir: ":memory:",
      }),
      Deno.errors.AddrInUse,
    );
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(dev.connected(), []); // the component never dialled
  } finally {
    await dev.close();
  }
});

Deno.test("gateway: one JSON log line per HTTP request and per webhook delivery, without credentials", async () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    format: "json",
    write: (line) => lines.push(JSON.parse(line)),
  });
  await using hook = startWebhook();
  await using env = await setup(hook, logger);
  const arrived = hook.next;
  const res = await post(`${env.gateway.url}/rest`, {
    kind: "message",
    to: "echo@localhost",
    id: "log-1",
    body: "secret body text",
  });
  assert.equal(res.status, 202);
  await arrived;
  while (!lines.some((l) => l.msg === "webhook delivery")) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const access = lines.find((l) => l.msg === "http request");
  assert.match(String(access?.requestId), /^[0-9a-f-]{36}$/);
  assert.deepEqual(
    { ...access, time: undefined, ms: undefined, requestId: undefined },
    {
      time: undefined,
      ms: undefined,
      requestId: undefined,
      level: "info",
      msg: "http request",
      method: "POST",
      path: "/rest",
      status: 202,
      kind: "message",
      id: "log-1",
      to: "echo@localhost",
    },
  );
  const delivery = lines.find((l) => l.msg === "webhook delivery")!;
  assert.equal(delivery.kind, "message");
  assert.equal(delivery.id, "echo-log-1");
  assert.equal(delivery.outcome, "answered");
  assert.equal(delivery.status, 204);
  const all = JSON.stringify(lines);
  for (const secret of [TOKEN, SECRET, "test-token", "secret body text"]) {
    assert.ok(!all.includes(secret), `log mentions ${secret}`);
  }
});
