// Test support: a gateway connected to a real XMPP server, with c2s users as the other party.

import {
  createGateway,
  type Gateway,
  type GatewayOptions,
} from "../../src/gateway.ts";
import { parseHostPort } from "../../src/address.ts";
import { C2sClient } from "./c2s_client.ts";
import type { XmppServer } from "./xmpp_server.ts";

/** The bearer token every test gateway accepts. */
export const TEST_TOKEN = "Bearer e2e-token";

/** A gateway on a free loopback port, connected to `server` as its first component. */
export interface GatewayEnv extends AsyncDisposable {
  /** The server. */
  readonly server: XmppServer;
  /** The running gateway (online). */
  readonly gateway: Gateway;
  /** The gateway's component domain. */
  readonly domain: string;
  /** Base URL of the HTTP API. */
  readonly url: string;
  /** Logs a user of the server in (closed with the env). */
  party(localpart: string): Promise<C2sClient>;
  /** `fetch` against the API with the test token (path relative to the base URL). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * Starts a gateway for the server's first component domain (or `domain`),
 * waits until it is online, and cleans everything up on dispose.
 */
export async function startGatewayEnv(
  server: XmppServer,
  options: Partial<GatewayOptions> = {},
): Promise<GatewayEnv> {
  const domain = options.domain ?? Object.keys(server.components)[0];
  const gateway = await createGateway({
    secret: server.components[domain],
    server: parseHostPort(server.componentAddress),
    listen: { hostname: "127.0.0.1", port: 0 },
    credentials: [TEST_TOKEN],
    backoff: { baseMs: 20, capMs: 200 },
    dataDir: ":memory:", // tests never write into the working directory
    ...options,
    domain,
  });
  const parties: C2sClient[] = [];
  try {
    await gateway.component.waitOnline({ signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    await gateway.stop({ graceMs: 0 });
    throw error;
  }
  return {
    server,
    gateway,
    domain,
    url: gateway.url,
    async party(localpart) {
      const client = await C2sClient.connect({
        port: server.c2sPort,
        domain: server.host,
        username: localpart,
        password: server.users[localpart],
      });
      parties.push(client);
      return client;
    },
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has("Authorization")) {
        headers.set("Authorization", TEST_TOKEN);
      }
      return fetch(gateway.url + path, { ...init, headers });
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(parties.map((p) => p.close()));
      await gateway.stop({ graceMs: 1_000 });
    },
  };
}
