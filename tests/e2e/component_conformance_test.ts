// XEP-0114 conformance against every real server (Prosody 0.12, ejabberd 23.01): component port and c2s users on loopback; per-server answers in conformance_servers.ts.

import { C2sClient } from "../support/c2s_client.ts";
import {
  forEachServer,
  type ServerKind,
  type XmppServer,
} from "../support/xmpp_server.ts";
import {
  type ComponentBackend,
  defineConformanceSuite,
} from "../component/conformance_cases.ts";

/** The conformance back-end over a running server: its first two components and its users. */
export function serverBackend(server: XmppServer): ComponentBackend {
  const domains = Object.keys(server.components).slice(0, 2) as [
    string,
    string,
  ];
  return {
    serverDomain: server.host,
    server: server.kind,
    domains,
    options: (domain, overrides) => ({
      domain,
      secret: server.components[domain] ?? "unknown",
      server: server.componentAddress,
      ...overrides,
    }),
    party: (localpart) =>
      C2sClient.connect({
        port: server.c2sPort,
        domain: server.host,
        username: localpart,
        password: server.users[localpart],
      }),
    restart: () => server.restart(),
    [Symbol.asyncDispose]: () => server[Symbol.asyncDispose](),
  };
}

forEachServer("component conformance", (kind: ServerKind) => {
  defineConformanceSuite(
    `real ${kind.name}`,
    async () => serverBackend(await kind.start()),
  );
});
