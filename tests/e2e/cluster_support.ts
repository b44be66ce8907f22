// Test support for several instances end to end: a PostgreSQL store, an XMPP server, three cli.ts instances and alice counting what she receives.

import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { C2sClient } from "../support/c2s_client.ts";
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
  let reading = true;
  const reader = (async () => {
    while (reading) {
      const stanza = await alice.next(
        (s) => s.is("message", NS.client) && s.attr("type") !== "error",
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
    store,
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

/** One webhook request: its `webhook-id` and the message body it carried. */
export interface HookCall {
  readonly webhookId: string;
  readonly body: string;
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
      if (webhookId && body) calls.push({ webhookId, body });
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

/**
 * alice sends `count` messages with bodies `prefix-1`... to `to`, paced
 * over about `spreadMs`, and sends again (half a second later) each one
 * that comes back as an error (no component stream was connected at that
 * moment), until `done()` says so or `timeoutMs` passed. Resolves with how
 * many were sent again and when each was first sent (`Date.now()`).
 */
export async function sendInbound(
  alice: C2sClient,
  options: {
    to: string;
    count: number;
    prefix: string;
    spreadMs: number;
    during?: () => Promise<void>;
    done: () => boolean;
    timeoutMs?: number;
  },
): Promise<{ resent: number; sentAt: ReadonlyMap<string, number> }> {
  const sentAt = new Map<string, number>();
  const message = (n: number) =>
    el(
      "message",
      NS.client,
      { to: options.to, type: "chat", id: `${options.prefix}-${n}` },
      el("body", NS.client, {}, `${options.prefix}-${n}`),
    );
  let resent = 0;
  let sending = true;
  const bounced = (async () => {
    while (sending) {
      const error = await alice.next(
        (s) =>
          s.is("message", NS.client) && s.attr("type") === "error" &&
          (s.attr("id") ?? "").startsWith(`${options.prefix}-`),
        200,
      ).catch(() => undefined);
      if (!error) continue;
      const n = Number(error.attr("id")!.slice(options.prefix.length + 1));
      resent++;
      setTimeout(() => alice.send(message(n)), 500);
    }
  })();
  const during = options.during?.();
  const pause = options.spreadMs / options.count;
  for (let n = 1; n <= options.count; n++) {
    sentAt.set(`${options.prefix}-${n}`, Date.now());
    alice.send(message(n));
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  await during;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!options.done() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  sending = false;
  await bounced;
  await new Promise((resolve) => setTimeout(resolve, 600)); // pending resends
  return { resent, sentAt };
}

/** What the webhook saw of the messages `prefix-1..count`. */
export interface InboundReport {
  /** Bodies that never reached the webhook. */
  readonly missing: readonly string[];
  /** Bodies that reached it as more than one event (stored twice). */
  readonly storedTwice: readonly string[];
  /** Requests that repeated an event id already delivered (at least once delivery). */
  readonly repeated: number;
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
  for (const call of calls) {
    if (!call.body.startsWith(`${prefix}-`)) continue;
    const ids = idsByBody.get(call.body) ?? new Set();
    idsByBody.set(call.body, ids.add(call.webhookId));
    if (seen.has(call.webhookId)) repeated++;
    seen.add(call.webhookId);
  }
  const missing: string[] = [];
  for (let n = 1; n <= count; n++) {
    if (!idsByBody.has(`${prefix}-${n}`)) missing.push(`${prefix}-${n}`);
  }
  const storedTwice = [...idsByBody].filter(([, ids]) => ids.size > 1)
    .map(([body]) => body);
  return { missing, storedTwice, repeated };
}
