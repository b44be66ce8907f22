// Test support for several instances end to end: a PostgreSQL store, an XMPP server, three cli.ts instances and alice counting what she receives.

import { NS } from "../../src/xmpp/namespaces.ts";
import { C2sClient } from "../support/c2s_client.ts";
import { GatewayProcess } from "../support/instances.ts";
import type { Postgres } from "../support/postgres.ts";
import type { XmppServer } from "../support/xmpp_server.ts";

/** Three instances on one store, and alice. */
export interface Cluster extends AsyncDisposable {
  /** The instances. */
  readonly instances: readonly GatewayProcess[];
  /** alice, logged in; her received message bodies are in `received`. */
  readonly alice: C2sClient;
  /** Bodies of messages alice received (every copy counted once). */
  readonly received: Set<string>;
  /** The instance whose `/readyz` role is `role` (waits up to `timeoutMs`). */
  withRole(role: string, timeoutMs?: number): Promise<GatewayProcess>;
  /** Waits until alice has every body in `bodies`; returns those still missing after `timeoutMs`. */
  missing(bodies: Iterable<string>, timeoutMs?: number): Promise<string[]>;
}

/** Starts `count` instances of `mode` on a fresh database, and alice. */
export async function startCluster(
  pg: Postgres,
  server: XmppServer,
  mode: "lease" | "all",
  options: { count?: number; leaseExpiry?: number } = {},
): Promise<Cluster> {
  const store = await pg.createDatabase(mode);
  const count = options.count ?? 3;
  const instances = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      GatewayProcess.start({
        server,
        store,
        id: `gw-${String.fromCharCode(97 + i)}`,
        streamMode: mode,
        leaseExpiry: options.leaseExpiry,
        // A lost iq reply shows as a 504 well within the load's own timeout.
        args: ["--iq-timeout", "20"],
      })),
  );
  const alice = await C2sClient.connect({
    port: server.c2sPort,
    domain: server.host,
    username: "alice",
    password: server.users.alice,
  });
  const received = new Set<string>();
  let reading = true;
  const reader = (async () => {
    while (reading) {
      const stanza = await alice.next(
        (s) => s.is("message", NS.client),
        500,
      ).catch(() => undefined);
      const body = stanza?.getChildText("body");
      if (body) received.add(body);
    }
  })();
  const withRole = async (role: string, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const instance of instances) {
        if (instance.pid === undefined) continue;
        const ready = await instance.ready().catch(() => undefined);
        if (ready?.status === 200 && ready.body.role === role) return instance;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`No instance became ${role} within ${timeoutMs} ms`);
  };
  return {
    instances,
    alice,
    received,
    withRole,
    async missing(bodies, timeoutMs = 20_000) {
      const wanted = [...bodies];
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (wanted.every((b) => received.has(b))) return [];
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return wanted.filter((b) => !received.has(b));
    },
    async [Symbol.asyncDispose]() {
      reading = false;
      await reader;
      await alice.close();
      await Promise.all(instances.map((i) => i.stop()));
    },
  };
}
