// What is kept with several instances (README "What is kept, and for how long"): two cli.ts instances on one PostgreSQL store over Prosody, a pull consumer on each; events go only once both acknowledged them.

import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { C2sClient } from "../support/c2s_client.ts";
import { GatewayProcess } from "../support/instances.ts";
import { Postgres, postgresBinDir } from "../support/postgres.ts";
import { Prosody, prosodyTest } from "../support/prosody.ts";

interface Page {
  events: { id: number; stanza: { body?: string } }[];
  next_offset: number;
}

/** One pull; `timeout` 0 (the default) answers at once, as an acknowledgement does. */
async function pull(
  instance: GatewayProcess,
  consumer: string,
  offset?: number,
  timeout = 0,
): Promise<Page> {
  const at = offset === undefined ? "" : `&offset=${offset}`;
  const r = await instance.fetch(
    `/rest/updates?consumer=${consumer}&timeout=${timeout}${at}`,
    { headers: { Accept: "application/json" } },
  );
  assert.equal(r.status, 200, `${instance.id}: ${await r.clone().text()}`);
  return await r.json();
}

async function stored(instance: GatewayProcess): Promise<number> {
  const text = await (await fetch(`${instance.url}/metrics`)).text();
  return Number(/^xmpp_rest_events_stored (\S+)$/m.exec(text)?.[1]);
}

async function storedBecomes(instance: GatewayProcess, count: number) {
  const deadline = Date.now() + 15_000;
  let last = NaN;
  while ((last = await stored(instance)) !== count) {
    assert.ok(Date.now() < deadline, `events stored: ${last}, not ${count}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

prosodyTest(
  "two instances on one PostgreSQL store: a pull consumer on each, events go once both acknowledged them",
  async () => {
    if (!postgresBinDir() && !Deno.env.get("CI")) return; // postgres_test.ts reports the skip
    await using pg = await Postgres.start();
    await using prosody = await Prosody.start();
    const store = await pg.createDatabase("kept");
    await using a = await GatewayProcess.start({
      server: prosody,
      store,
      id: "kept-a",
      streamMode: "lease",
    });
    await using b = await GatewayProcess.start({
      server: prosody,
      store,
      id: "kept-b",
      streamMode: "lease",
    });
    await a.waitReady();
    await b.waitReady();
    await using alice = await C2sClient.connect({
      port: prosody.c2sPort,
      domain: prosody.host,
      username: "alice",
      password: prosody.users.alice,
    });
    // Each consumer makes itself known on its own instance.
    assert.deepEqual((await pull(a, "on-a")).events, []);
    assert.deepEqual((await pull(b, "on-b")).events, []);
    const domain = Object.keys(prosody.components)[0];
    const bodies = ["c1", "c2", "c3", "c4", "c5", "c6"];
    for (const body of bodies) {
      alice.send(
        el(
          "message",
          NS.client,
          { to: domain, type: "chat" },
          el("body", NS.client, {}, body),
        ),
      );
    }
    const seen = async (instance: GatewayProcess, consumer: string) => {
      const events: Page["events"] = [];
      let offset = 1;
      while (events.length < bodies.length) {
        const page = await pull(instance, consumer, offset, 10);
        assert.ok(page.events.length > 0, `${consumer} waited in vain`);
        events.push(...page.events);
        offset = page.next_offset;
      }
      return events;
    };
    const onA = await seen(a, "on-a");
    const onB = await seen(b, "on-b");
    assert.deepEqual(onA.map((e) => e.stanza.body), bodies);
    assert.deepEqual(onB, onA);
    const first = onA[0].id;

    // Everything acknowledged on a; half on b: only that half goes, and
    // whichever instance prunes, b's consumer still reads the rest.
    await pull(a, "on-a", first + 6);
    await pull(b, "on-b", first + 3);
    await storedBecomes(a, 3);
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(await stored(b), 3);
    const rest = await pull(a, "on-b", first + 3);
    assert.deepEqual(rest.events.map((e) => e.stanza.body), bodies.slice(3));

    await pull(b, "on-b", first + 6);
    await storedBecomes(a, 0);
  },
);
