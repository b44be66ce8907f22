// Test support for several instances end to end: a PostgreSQL store, an XMPP server, three cli.ts instances and alice counting what she receives.

import { NS } from "../../src/xmpp/namespaces.ts";
import { C2sClient } from "../support/c2s_client.ts";
import {
  ReliableSender,
  type SenderStats,
} from "../support/reliable_sender.ts";
import { GatewayProcess } from "../support/instances.ts";
import type { Postgres } from "../support/postgres.ts";
import type { XmppServer } from "../support/xmpp_server.ts";

/** Three instances on one store, and alice. */
export interface Cluster extends AsyncDisposable {
  /** The instances. */
  readonly instances: readonly GatewayProcess[];
  /** The store's URL. */
  readonly store: string;
  /** alice, logged in; her received message bodies are in `received`. */
  readonly alice: C2sClient;
  /** Bodies of messages alice received (every copy counted once). */
  readonly received: Set<string>;
  /** alice's messages to the component, resent until receipted. */
  readonly sender: ReliableSender;
  /** The instance whose `/readyz` role is `role` (waits up to `timeoutMs`). */
  withRole(role: string, timeoutMs?: number): Promise<GatewayProcess>;
  /** Waits until alice has every body in `bodies`; returns those still missing after `timeoutMs`. */
  missing(bodies: Iterable<string>, timeoutMs?: number): Promise<string[]>;
}

/**
 * Webhook requests in flight per instance: a stanza posted when its
 * instance is killed is posted again, so the webhook may see at most this
 * many repeated event ids per kill.
 */
export const CALLBACK_CONCURRENCY = 8;

/** Starts `count` instances of `mode` on a fresh database, and alice. */
export async function startCluster(
  pg: Postgres,
  server: XmppServer,
  mode: "lease" | "all",
  options: { count?: number; leaseExpiry?: number; webhook?: string } = {},
): Promise<Cluster> {
  const webhookArgs = options.webhook === undefined ? [] : [
    "--callback-url",
    options.webhook,
    "--callback-mode",
    "reliable",
    "--callback-content-type",
    "json",
    "--callback-retry",
    "0s,500ms,1s,1s,2s,2s,2s,2s,2s,2s",
    "--callback-timeout",
    "5",
    "--callback-concurrency",
    String(CALLBACK_CONCURRENCY),
  ];
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
        args: ["--iq-timeout", "20", ...webhookArgs],
      })),
  );
  const alice = await C2sClient.connect({
    port: server.c2sPort,
    domain: server.host,
    username: "alice",
    password: server.users.alice,
  });
  const received = new Set<string>();
  const sender = new ReliableSender({ send: (stanza) => alice.send(stanza) });
  let reading = true;
  const reader = (async () => {
    while (reading) {
      const stanza = await alice.next((s) => s.is("message", NS.client), 500)
        .catch(() => undefined);
      if (!stanza || sender.handle(stanza)) continue;
      const body = stanza.getChildText("body");
      if (body && stanza.attr("type") !== "error") received.add(body);
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
    store,
    alice,
    received,
    sender,
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
      sender.close();
      await reader;
      await alice.close();
      await Promise.all(instances.map((i) => i.stop()));
    },
  };
}

/** One webhook request: its `webhook-id`, the message body it carried and when (`Date.now()`). */
export interface HookCall {
  readonly webhookId: string;
  readonly body: string;
  readonly at: number;
}

/** A webhook endpoint that answers 204 and records every call. */
export interface HookRecorder extends AsyncDisposable {
  /** The URL to configure. */
  readonly url: string;
  /** Every call, in arrival order. */
  readonly calls: readonly HookCall[];
}

/** Starts a webhook endpoint on a free loopback port. */
export function startHookRecorder(): HookRecorder {
  const calls: HookCall[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const text = await request.text();
      let body = "";
      try {
        body = String(JSON.parse(text).body ?? "");
      } catch {
        // the startup probe has no JSON body
      }
      const webhookId = request.headers.get("webhook-id");
      if (webhookId && body) calls.push({ webhookId, body, at: Date.now() });
      return new Response(null, { status: 204 });
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/hook`,
    calls,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/** What {@linkcode sendInbound} saw. */
export interface InboundRun {
  /** Ids (= bodies) still without receipt at the end. */
  readonly unreceipted: readonly string[];
  /** Bounces and resends. */
  readonly stats: SenderStats;
  /** When each message was first sent (`Date.now()`), by id. */
  readonly firstSentAt: ReadonlyMap<string, number>;
}

/**
 * alice sends `count` messages with ids and bodies `prefix-1`... to `to`,
 * paced over about `spreadMs`, each asking for an XEP-0184 receipt; the
 * cluster's sender sends a message again when it bounces or its receipt
 * is late. `during` runs alongside (it can await `sent()`). Resolves when
 * every message has its receipt or `timeoutMs` passed after the last send.
 */
export async function sendInbound(
  cluster: Cluster,
  options: {
    to: string;
    count: number;
    prefix: string;
    spreadMs: number;
    during?: (progress: { sent: () => number }) => Promise<void>;
    timeoutMs?: number;
  },
): Promise<InboundRun> {
  const { sender } = cluster;
  let sent = 0;
  const during = options.during?.({ sent: () => sent });
  const pause = options.spreadMs / options.count;
  for (let n = 1; n <= options.count; n++) {
    const id = `${options.prefix}-${n}`;
    sender.message(options.to, id, id);
    sent++;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  await during;
  await sender.settled(options.timeoutMs ?? 60_000);
  const mine = (id: string) => id.startsWith(`${options.prefix}-`);
  return {
    unreceipted: sender.unreceipted.filter(mine),
    stats: sender.stats,
    firstSentAt: new Map([...sender.firstSentAt].filter(([id]) => mine(id))),
  };
}

/**
 * Ms from `since` until the webhook got the first message first sent at or
 * after `since` (undefined: none).
 */
export function deliveryResumedAfter(
  calls: readonly HookCall[],
  firstSentAt: ReadonlyMap<string, number>,
  since: number,
): number | undefined {
  const after = calls.filter((c) => (firstSentAt.get(c.body) ?? -1) >= since);
  return after.length === 0
    ? undefined
    : Math.min(...after.map((c) => c.at)) - since;
}

/** Re-sent messages the running instances recognised (`xmpp_rest_inbound_duplicates_total`, summed). */
export async function duplicatesRecognised(
  instances: readonly GatewayProcess[],
): Promise<number> {
  let sum = 0;
  for (const instance of instances) {
    if (instance.pid === undefined) continue;
    const text = await (await fetch(`${instance.url}/metrics`)).text();
    sum += Number(
      /^xmpp_rest_inbound_duplicates_total (\d+)$/m.exec(text)?.[1],
    );
  }
  return sum;
}

/** Resolves when `condition()` holds; throws after `timeoutMs` naming `what`. */
export async function waitFor(
  condition: () => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What the webhook saw of the messages `prefix-1..count`. */
export interface InboundReport {
  /** Bodies that never reached the webhook. */
  readonly missing: readonly string[];
  /** Bodies that reached it as more than one event (stored twice). */
  readonly storedTwice: readonly string[];
  /** Requests that repeated an event id already delivered (at least once delivery). */
  readonly repeated: number;
  /** The repeated event ids with the times (`Date.now()`) of every request for each. */
  readonly repeatedIds: ReadonlyMap<string, readonly number[]>;
}

/** Reads the calls for the messages `prefix-1..count`. */
export function inboundReport(
  calls: readonly HookCall[],
  prefix: string,
  count: number,
): InboundReport {
  const idsByBody = new Map<string, Set<string>>();
  const seen = new Set<string>();
  let repeated = 0;
  const times = new Map<string, number[]>();
  for (const call of calls) {
    if (!call.body.startsWith(`${prefix}-`)) continue;
    const ids = idsByBody.get(call.body) ?? new Set();
    idsByBody.set(call.body, ids.add(call.webhookId));
    if (seen.has(call.webhookId)) repeated++;
    seen.add(call.webhookId);
    times.set(call.webhookId, [...times.get(call.webhookId) ?? [], call.at]);
  }
  const missing: string[] = [];
  for (let n = 1; n <= count; n++) {
    if (!idsByBody.has(`${prefix}-${n}`)) missing.push(`${prefix}-${n}`);
  }
  const storedTwice = [...idsByBody].filter(([, ids]) => ids.size > 1)
    .map(([body]) => body);
  const repeatedIds = new Map(
    [...times].filter(([, at]) => at.length > 1),
  );
  return { missing, storedTwice, repeated, repeatedIds };
}
