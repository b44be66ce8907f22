// A tiny loopback XMPP server that accepts XEP-0114 component connections, for trying xmpp-rest and for tests.

import { type Logger, silentLogger } from "../logger.ts";
import { ServerConnection } from "./connection.ts";
import {
  ECHO_LOCALPART,
  echoEntity,
  Router,
  SLOW_LOCALPART,
  slowEntity,
} from "./router.ts";

/** Name the dev server reports (XEP-0092, disco#info identity). */
const DEV_SERVER_NAME = "xmpp-rest dev server";

/** Options of {@linkcode startDevServer}. */
export interface DevServerOptions {
  /** Component domains and their secrets. */
  components: Readonly<Record<string, string>>;
  /** The server's own domain. Default `localhost`. */
  domain?: string;
  /** Listen address. Default `127.0.0.1`, port 0 (any free port). */
  hostname?: string;
  /** Listen port. Default 0. */
  port?: number;
  /** Version reported over XEP-0092. */
  version?: string;
  /** Logger. */
  logger?: Logger;
}

/** A running dev server. */
export interface DevServer extends AsyncDisposable {
  /** The address it listens on. */
  readonly hostname: string;
  /** The port it listens on. */
  readonly port: number;
  /** Its own domain. */
  readonly domain: string;
  /** Domains of the components connected now. */
  connected(): string[];
  /** Closes every connection and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts the development server. It is for trying and testing only: no
 * TLS, no users, no persistence.
 *
 * @example
 * ```ts
 * await using server = await startDevServer({ components: { "rest.localhost": "dev" } });
 * console.log(server.port);
 * ```
 */
export function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const domain = options.domain ?? "localhost";
  const logger = options.logger ?? silentLogger;
  const listener = Deno.listen({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
  });
  const online = new Map<string, ServerConnection>();
  const all = new Set<ServerConnection>();
  const router = new Router({
    domain,
    software: { name: DEV_SERVER_NAME, version: options.version ?? "dev" },
    component: (d) => {
      const connection = online.get(d);
      return connection && ((stanza) => connection.send(stanza));
    },
    components: () => [...online.keys()],
  });
  const echo = `${ECHO_LOCALPART}@${domain}`;
  router.add(echoEntity(echo, (stanza) => router.route(stanza)));
  const slow = slowEntity(
    `${SLOW_LOCALPART}@${domain}`,
    (stanza) => router.route(stanza),
  );
  router.add(slow);

  const accepting = (async () => {
    for await (const conn of listener) {
      conn.setNoDelay(true);
      const connection = new ServerConnection(conn, {
        secrets: options.components,
        isTaken: (d) => online.get(d)?.online === true,
        onOnline: (c) => {
          online.set(c.domain!, c);
          logger.info("dev server: component online", { domain: c.domain });
        },
        onStanza: (_, stanza) => router.route(stanza),
        onClosed: (c) => {
          all.delete(c);
          if (online.get(c.domain ?? "") === c) online.delete(c.domain!);
        },
      });
      all.add(connection);
    }
  })().catch(() => {});

  const addr = listener.addr as Deno.NetAddr;
  const server: DevServer = {
    hostname: addr.hostname,
    port: addr.port,
    domain,
    connected: () => [...online.keys()],
    async close() {
      slow.close();
      try {
        listener.close();
      } catch { /* already closed */ }
      await accepting;
      for (const c of all) c.shutdown();
      await Promise.all([...all].map((c) => c.done));
    },
    [Symbol.asyncDispose]() {
      return server.close();
    },
  };
  return Promise.resolve(server);
}
