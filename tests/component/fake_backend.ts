// The scripted fake XEP-0114 server as a conformance back-end, over loopback TCP or an in-memory pipe.

import { FakeXmppServer } from "../support/fake_server.ts";
import type { ComponentBackend } from "./conformance_cases.ts";

/** How the component reaches the fake server. */
export type FakeTransport = "tcp" | "memory";

/** The fake server with two component domains, reached over `transport`. */
export function fakeBackend(
  transport: FakeTransport,
): Promise<ComponentBackend> {
  const domains = ["gw.localhost", "other.localhost"] as const;
  const secrets: Record<string, string> = {
    [domains[0]]: "secret-gw",
    [domains[1]]: "secret-other",
  };
  const server = transport === "tcp"
    ? FakeXmppServer.listen({ components: secrets })
    : FakeXmppServer.memory({ components: secrets });
  const reach = transport === "tcp"
    ? { server: server.address }
    : { server: "fake.invalid:5347", dial: server.dial };
  return Promise.resolve({
    serverDomain: server.serverDomain,
    domains,
    options: (domain, overrides) => ({
      domain,
      secret: secrets[domain] ?? "unknown",
      ...reach,
      ...overrides,
    }),
    party: (localpart) =>
      Promise.resolve(server.party(`${localpart}@${server.serverDomain}/test`)),
    restart: () => server.restart(),
    [Symbol.asyncDispose]: () => server[Symbol.asyncDispose](),
  });
}
