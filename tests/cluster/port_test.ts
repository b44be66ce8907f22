// ClusterPort: the local stream when online, else the shared outbox while another instance is online, else 503; iq replies matched wherever they arrive.

import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { StreamDownError } from "../../src/xmpp/port.ts";
import { IqTracker } from "../../src/component/iq_tracker.ts";
import { ClusterPort } from "../../src/cluster/port.ts";
import type { Coordination } from "../../src/cluster/coordination.ts";
import { StoreError } from "../../src/store/types.ts";
import { FakePort } from "../support/fake_port.ts";

const DOMAIN = "rest.example.net";

function setup(options: { others?: boolean; failing?: boolean } = {}) {
  const local = new FakePort(DOMAIN);
  const queued: string[] = [];
  let holder: string | undefined = "gw-a";
  const coordination = {
    enqueue(stanza: string) {
      if (options.failing) {
        return Promise.reject(new StoreError("postgres", "connection refused"));
      }
      queued.push(stanza);
      return Promise.resolve();
    },
  } as unknown as Coordination;
  const tracker = new IqTracker(DOMAIN);
  const port = new ClusterPort({
    local,
    coordination,
    othersOnline: () => options.others ?? true,
    holder: () => holder,
    tracker,
    newId: () => "generated",
  });
  return {
    local,
    queued,
    tracker,
    port,
    setHolder: (h: string | undefined) => holder = h,
  };
}

const message = el(
  "message",
  NS.client,
  { to: "a@example.net" },
  el("body", NS.client, {}, "hi"),
);
const ping = el(
  "iq",
  NS.client,
  { type: "get", to: "example.net", id: "p1" },
  el("ping", "urn:xmpp:ping"),
);

Deno.test("ClusterPort sends on the local stream while it is online", async () => {
  const { local, queued, port } = setup();
  await port.send(message);
  assert.deepEqual(local.sent, [message]);
  assert.deepEqual(queued, []);
});

Deno.test("ClusterPort queues in the outbox, with the domain as from, when only another instance is online", async () => {
  const { local, queued, port } = setup();
  local.online = false;
  assert.equal(port.online, true);
  await port.send(message);
  assert.deepEqual(queued, [
    `<message to="a@example.net" from="${DOMAIN}"><body>hi</body></message>`,
  ]);
});

Deno.test("ClusterPort throws StreamDownError when no instance is online", async () => {
  const { local, port } = setup({ others: false });
  local.online = false;
  assert.equal(port.online, false);
  await assert.rejects(() => port.send(message), StreamDownError);
  await assert.rejects(
    () => port.sendIq(ping, { timeoutMs: 1_000 }),
    StreamDownError,
  );
});

Deno.test("ClusterPort turns a store failure of the outbox into StreamDownError (503)", async () => {
  const { local, port } = setup({ failing: true });
  local.online = false;
  await assert.rejects(
    () => port.send(message),
    (error) =>
      error instanceof StreamDownError &&
      /connection refused/.test(error.message),
  );
});

Deno.test("ClusterPort resolves an outbox iq with a reply handed to its tracker", async () => {
  const { local, queued, tracker, port } = setup();
  local.online = false;
  const reply = port.sendIq(ping, { timeoutMs: 5_000 });
  await Promise.resolve();
  assert.equal(queued.length, 1);
  const result = el("iq", NS.client, {
    type: "result",
    id: "p1",
    from: "example.net",
  });
  assert.equal(tracker.resolve(result), true);
  assert.equal(await reply, result);
});

Deno.test("ClusterPort gives an iq without id a generated one", async () => {
  const { local, queued, port } = setup();
  local.online = false;
  const reply = port.sendIq(
    el("iq", NS.client, { type: "get", to: "example.net" }),
    { timeoutMs: 50 },
  );
  await assert.rejects(() => reply);
  assert.match(queued[0], /id="generated"/);
});

Deno.test("ClusterPort fails an outbox iq with 503 when the holder it was queued for goes away", async () => {
  const { local, port } = setup();
  local.online = false;
  const reply = port.sendIq(ping, { timeoutMs: 5_000 });
  await Promise.resolve();
  port.holderIs("gw-a");
  port.holderIs("gw-b");
  await assert.rejects(
    () => reply,
    (error) => error instanceof StreamDownError && /gw-a/.test(error.message),
  );
});

Deno.test("ClusterPort fails waiting iqs with 503 when an instance with its own stream goes away", async () => {
  const { port } = setup();
  const reply = port.sendIq(ping, { timeoutMs: 5_000 });
  await Promise.resolve();
  port.peersLost(["gw-c"]);
  await assert.rejects(
    () => reply,
    (error) => error instanceof StreamDownError && /gw-c/.test(error.message),
  );
});
