// XEP-0114 conformance against a real Prosody 0.12 (component port and c2s users on loopback).

import { C2sClient } from "../support/c2s_client.ts";
import { Prosody, prosodyTest } from "../support/prosody.ts";
import {
  type ComponentBackend,
  runConformance,
} from "../component/conformance_cases.ts";

/** A fresh Prosody with two components and users alice and bob. */
export async function prosodyBackend(): Promise<ComponentBackend> {
  const prosody = await Prosody.start();
  const domains = Object.keys(prosody.components) as [string, string];
  return {
    serverDomain: prosody.host,
    domains,
    options: (domain, overrides) => ({
      domain,
      secret: prosody.components[domain] ?? "unknown",
      server: prosody.componentAddress,
      ...overrides,
    }),
    party: (localpart) =>
      C2sClient.connect({
        port: prosody.c2sPort,
        domain: prosody.host,
        username: localpart,
        password: prosody.users[localpart],
      }),
    restart: () => prosody.restart(),
    [Symbol.asyncDispose]: () => prosody[Symbol.asyncDispose](),
  };
}

prosodyTest("component conformance over real Prosody", async (t) => {
  await using backend = await prosodyBackend();
  await runConformance(t, backend);
});
