// XEP-0114 conformance over TCP to the scripted fake server on 127.0.0.1:0.

import { FakeXmppServer } from "../support/fake_server.ts";
import {
  type ComponentBackend,
  defineConformanceSuite,
} from "./conformance_cases.ts";

/** The fake server over loopback TCP. */
export function fakeServerBackend(): Promise<ComponentBackend> {
  const domains = ["gw.localhost", "other.localhost"] as const;
  const secrets: Record<string, string> = {
    [domains[0]]: "secret-gw",
    [domains[1]]: "secret-other",
  };
  const server = FakeXmppServer.listen({ components: secrets });
  return Promise.resolve({
    serverDomain: server.serverDomain,
    domains,
    options: (domain, overrides) => ({
      domain,
      secret: secrets[domain] ?? "unknown",
      server: server.address,
      ...overrides,
    }),
    party: (localpart) =>
      Promise.resolve(server.party(`${localpart}@${server.serverDomain}/test`)),
    restart: () => server.restart(),
    [Symbol.asyncDispose]: () => server[Symbol.asyncDispose](),
  });
}

defineConformanceSuite("TCP to the fake server", fakeServerBackend);
