// XEP-0114 conformance against a real Prosody 0.12 (component port and c2s users on loopback).

import { C2sClient } from "../support/c2s_client.ts";
import { Prosody, prosodyInstalled } from "../support/prosody.ts";
import {
  type ComponentBackend,
  defineConformanceSuite,
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

if (prosodyInstalled()) {
  defineConformanceSuite("real Prosody", prosodyBackend);
} else if (Deno.env.get("CI")) {
  Deno.test("component conformance over real Prosody", () => {
    throw new Error("Prosody not installed (CI must install it: see .ci/run)");
  });
} else {
  // deno-lint-ignore no-console
  console.warn("NOTICE: prosody is not installed; skipping the Prosody tests");
  Deno.test({
    name:
      "component conformance over real Prosody (skipped: prosody not installed)",
    ignore: true,
    fn: () => {},
  });
}
