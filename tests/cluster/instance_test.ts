// One instance among several (mode `all`, as on ejabberd): its heartbeat row exists before its stream connects, it beats again when its stream comes up, and waiting iqs fail with 503 when a peer may have taken their reply with it.

import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { StreamDownError } from "../../src/xmpp/port.ts";
import type { ComponentClient } from "../../src/component/api.ts";
import type {
  ClusterView,
  Coordination,
  Peer,
} from "../../src/cluster/coordination.ts";
import { createInstance } from "../../src/cluster/instance.ts";
import { FakePort } from "../support/fake_port.ts";

const DOMAIN = "rest.example.net";

/** A component stream that records when it was started and can be brought online by the test. */
class FakeComponent extends FakePort {
  listeners = new Set<(state: { name: string }) => void>();
  state = { name: "closed" };
  constructor(private readonly events: string[]) {
    super(DOMAIN);
    this.online = false;
  }
  start() {
    this.events.push("connect");
  }
  stop() {
    return Promise.resolve();
  }
  onStateChange(listener: (state: { name: string }) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  comeOnline() {
    this.online = true;
    this.#enter("online");
  }
  goOffline() {
    this.online = false;
    this.#enter("connecting");
  }
  #enter(name: string) {
    this.state = { name };
    for (const listener of this.listeners) listener(this.state);
  }
}

/** Coordination whose heartbeat reports the peers the test sets, recording each beat. */
function fakeCoordination(events: string[], peers: () => Peer[]) {
  const beats: boolean[] = [];
  const coordination = {
    heartbeat({ online }: { online: boolean }): Promise<ClusterView> {
      events.push(`heartbeat online=${online}`);
      beats.push(online);
      const now = peers();
      return Promise.resolve({
        holdsLease: false,
        othersOnline: now.filter((p) => p.online).length,
        peers: now,
      });
    },
    subscribe: () => Promise.resolve(() => Promise.resolve()),
    claimOutbox: () => Promise.resolve([]),
    finishOutbox: () => Promise.resolve(),
    readHandover: () => Promise.resolve([]),
    pruneHandover: () => Promise.resolve(),
  } as unknown as Coordination;
  return { coordination, beats };
}

const ping = el(
  "iq",
  NS.client,
  { type: "get", to: "example.net", id: "p1" },
  el("ping", "urn:xmpp:ping"),
);

async function started(peers: () => Peer[]) {
  const events: string[] = [];
  const component = new FakeComponent(events);
  const { coordination, beats } = fakeCoordination(events, peers);
  const instance = createInstance({
    instanceId: "gw-b",
    mode: "all",
    coordination,
    component: component as unknown as ComponentClient,
    renewMs: 60_000,
  });
  await instance.start();
  return { instance, component, events, beats };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

Deno.test("instance (mode all): the heartbeat row is written before the stream connects", async () => {
  const { instance, events } = await started(() => []);
  try {
    assert.deepEqual(events, ["heartbeat online=false", "connect"]);
  } finally {
    await instance.stop();
  }
});

Deno.test("instance (mode all): it beats again as soon as its stream comes online", async () => {
  const { instance, component, beats } = await started(() => []);
  try {
    component.comeOnline();
    await settle();
    assert.deepEqual(beats, [false, true]);
  } finally {
    await instance.stop();
  }
});

Deno.test("instance (mode all): a peer gone before it reported its stream online fails waiting iqs with 503", async () => {
  let peers: Peer[] = [{ id: "gw-a", incarnation: "1", online: false }];
  const { instance, component } = await started(() => peers);
  try {
    component.comeOnline();
    await settle();
    const reply = instance.port.sendIq(ping, { timeoutMs: 2_000 });
    await settle();
    peers = [];
    component.goOffline(); // a state change runs a heartbeat at once
    await assert.rejects(
      () => reply,
      (error) => error instanceof StreamDownError && /gw-a/.test(error.message),
    );
  } finally {
    await instance.stop();
  }
});
