// XEP-0114 conformance over an in-memory pipe to the fake server (no sockets).

import { FakeXmppServer } from "../support/fake_server.ts";
import {
  type ComponentBackend,
  defineConformanceSuite,
} from "./conformance_cases.ts";

/** The fake server reached through in-memory pipes. */
export function memoryBackend(): Promise<ComponentBackend> {
  const domains = ["gw.localhost", "other.localhost"] as const;
  const secrets: Record<string, string> = {
    [domains[0]]: "secret-gw",
    [domains[1]]: "secret-other",
  };
  const server = FakeXmppServer.memory({ components: secrets });
  return Promise.resolve({
    serverDomain: server.serverDomain,
    domains,
    options: (domain, overrides) => ({
      domain,
      secret: secrets[domain] ?? "unknown",
      server: "fake.invalid:5347",
      dial: server.dial,
      ...overrides,
    }),
    party: (localpart) =>
      Promise.resolve(server.party(`${localpart}@${server.serverDomain}/test`)),
    restart: () => server.restart(),
    [Symbol.asyncDispose]: () => server[Symbol.asyncDispose](),
  });
}

defineConformanceSuite("an in-memory pipe", memoryBackend);
