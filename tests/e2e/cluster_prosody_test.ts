// Several instances on Prosody (README "Running several instances"): one holds the stream under a lease, standbys pass stanzas through the outbox; the holder is SIGKILLed and PostgreSQL restarted under load.

import assert from "node:assert/strict";
import { Prosody, prosodyTest } from "../support/prosody.ts";
import { Postgres, postgresBinDir } from "../support/postgres.ts";
import {
  inboundReport,
  sendInbound,
  startCluster,
  startHookRecorder,
} from "./cluster_support.ts";
import { recoveredAfter, startLoad } from "./cluster_load.ts";

const LEASE_EXPIRY_S = 3;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

prosodyTest(
  "three instances on Prosody: lease, outbox, failover",
  async (t) => {
    if (!postgresBinDir() && !Deno.env.get("CI")) return; // postgres_test.ts reports the skip
    await using pg = await Postgres.start();
    await using prosody = await Prosody.start();
    await using hook = startHookRecorder();
    await using cluster = await startCluster(pg, prosody, "lease", {
      leaseExpiry: LEASE_EXPIRY_S,
      webhook: hook.url,
    });
    const { instances, alice } = cluster;

    await t.step(
      "one instance holds the stream, the others stand by",
      async () => {
        await cluster.withRole("holder");
        for (const instance of instances) await instance.waitReady();
        const roles = await Promise.all(
          instances.map(async (i) => (await i.ready()).body.role),
        );
        assert.deepEqual(
          roles.filter((r) => r === "holder").length,
          1,
          roles.join(),
        );
        assert.deepEqual(
          roles.filter((r) => r === "standby").length,
          2,
          roles.join(),
        );
        for (const [i, instance] of instances.entries()) {
          const metrics = await (await fetch(`${instance.url}/metrics`)).text();
          assert.match(
            metrics,
            new RegExp(
              `^xmpp_rest_instance_role\\{role="${roles[i]}"\\} 1$`,
              "m",
            ),
            `${instance.id} metrics name its role ${roles[i]}`,
          );
        }
      },
    );

    await t.step(
      "a standby's message and iq go through the holder",
      async () => {
        const standby = await cluster.withRole("standby");
        const sent = await standby.fetch("/rest", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({
            kind: "message",
            type: "chat",
            to: alice.jid,
            body: "via standby",
          }),
        });
        assert.ok(sent.ok, `HTTP ${sent.status} ${await sent.text()}`);
        assert.deepEqual(await cluster.missing(["via standby"]), []);
        const ping = await standby.fetch("/rest", {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
          },
          body: JSON.stringify({
            kind: "iq",
            type: "get",
            to: prosody.host,
            id: "standby-ping",
            ping: true,
          }),
        });
        const reply = await ping.json();
        assert.equal(ping.status, 200, JSON.stringify(reply));
        assert.equal(reply.id, "standby-ping");
        assert.equal(reply.type, "result");
      },
    );

    await t.step(
      "SIGKILL of the holder under load: every answer 2xx or 503 with Retry-After, nothing accepted lost",
      async () => {
        const holder = await cluster.withRole("holder");
        const load = startLoad({
          instances,
          recipient: alice.jid,
          pingTo: prosody.host,
        });
        await sleep(1_000);
        load.killed(holder.id);
        const killedAt = performance.now();
        await holder.kill();
        const next = await cluster.withRole("holder", 20_000);
        assert.notEqual(next.id, holder.id);
        await sleep(1_000);
        const report = await load.stop();
        assert.deepEqual(report.violations, []);
        const recovered = recoveredAfter(report.outcomes, killedAt);
        assert.ok(recovered !== undefined, "iq pings succeed again");
        // deno-lint-ignore no-console
        console.log(
          `Prosody failover: sends succeed again ${
            Math.round(recovered)
          } ms after SIGKILL of the holder (lease ${LEASE_EXPIRY_S} s); ${report.accepted.size} messages accepted, ${report.iqOk} iq pings answered, ${report.unavailable} 503, ${report.cut} cut with the killed instance`,
        );
        assert.ok(
          report.accepted.size > 20,
          `${report.accepted.size} accepted`,
        );
        assert.deepEqual(await cluster.missing(report.accepted), []);
        await holder.start();
        await holder.waitReady("standby");
      },
    );

    await t.step(
      "inbound: 500 messages while a standby is killed and restarted reach the reliable webhook, each stored once",
      async () => {
        const standby = await cluster.withRole("standby");
        const domain = Object.keys(prosody.components)[0];
        const complete = () =>
          inboundReport(hook.calls, "in", 500).missing.length === 0;
        const { resent } = await sendInbound(alice, {
          to: domain,
          count: 500,
          prefix: "in",
          spreadMs: 5_000,
          done: complete,
          during: async () => {
            await sleep(1_500);
            await standby.kill();
            await sleep(1_000);
            await standby.start();
          },
        });
        const report = inboundReport(hook.calls, "in", 500);
        // deno-lint-ignore no-console
        console.log(
          `Prosody inbound: ${hook.calls.length} webhook requests for 500 messages, ${report.repeated} repeated an event id (in flight at the kill), ${resent} bounced`,
        );
        assert.deepEqual(report.missing, []);
        assert.deepEqual(report.storedTwice, []);
        assert.equal(resent, 0, "the holder kept the stream");
        assert.ok(report.repeated <= 32, `${report.repeated} repeated`);
      },
    );

    await t.step(
      "PostgreSQL restarted under load: instances reconnect, nothing accepted lost",
      async () => {
        const load = startLoad({
          instances,
          recipient: alice.jid,
          pingTo: prosody.host,
        });
        await sleep(1_000);
        await pg.restart();
        await sleep(2_000);
        await cluster.withRole("holder", 20_000);
        for (const instance of instances) await instance.waitReady();
        await sleep(1_000);
        const report = await load.stop();
        assert.deepEqual(report.violations, []);
        assert.ok(
          report.accepted.size > 20,
          `${report.accepted.size} accepted`,
        );
        assert.deepEqual(await cluster.missing(report.accepted), []);
        // After the restart, a standby's sends go through the holder again.
        const standby = await cluster.withRole("standby");
        const sent = await standby.fetch("/rest", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({
            kind: "message",
            type: "chat",
            to: alice.jid,
            body: "after restart",
          }),
        });
        assert.ok(sent.ok, `HTTP ${sent.status}`);
        assert.deepEqual(await cluster.missing(["after restart"]), []);
      },
    );
  },
);
