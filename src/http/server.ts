// The HTTP server shell: owns the listening socket and every connection (cap, header and idle timeouts, accept errors such as EMFILE); the own engines serve HTTP/1.1 (plain or TLS) and HTTP/2 (TLS, chosen by ALPN), or Deno's engine serves all with --http-engine deno.

import { type Logger, silentLogger } from "../logger.ts";
import { serveHttp1 } from "./http1_engine.ts";
import { serveHttp2 } from "./http2_engine.ts";
import {
  capAfterAcceptError,
  defaultMaxConnections,
  descriptorLimit,
  OVER_CAP,
  REFUSALS_WITH_ANSWER,
} from "./connection_cap.ts";
import { connectionEngine } from "./deno_engine.ts";
import {
  closeQuietly,
  type ConnectionClock,
  ServerConnection,
} from "./server_connection.ts";
import { episode } from "./episode.ts";

/** Defaults of {@linkcode HttpServerOptions}, in seconds (README "Security notes"). */
export const HTTP_SERVER_DEFAULTS = {
  /** Seconds a new connection has to deliver its first complete request head. */
  headerTimeout: 10,
  /** Seconds a request body may take to arrive (enforced by the body reader). */
  bodyTimeout: 30,
  /** Seconds a kept-alive connection may stay idle between requests. */
  idleTimeout: 75,
  /** The engines serving connections ({@linkcode HttpEngine}). */
  engine: "http1",
} as const;

/** Opens the listening socket; {@linkcode Deno.listen} by default (`Deno.listenTls` fits too). */
export type Listen = (
  address: { hostname: string; port: number },
) => Deno.Listener;

/**
 * Which engines serve connections: `http1`, the own engines (default: the
 * HTTP/1.1 one for plain connections and TLS ones choosing http/1.1, the
 * HTTP/2 one for TLS connections choosing h2 by ALPN; a few KiB per
 * connection), or `deno`, the one behind `Deno.serve` for all (for
 * comparison; it negotiates HTTP/2 by ALPN itself).
 */
export type HttpEngine = typeof HTTP_ENGINES[number];

/** The engines {@linkcode HttpEngine} names. */
export const HTTP_ENGINES = ["http1", "deno"] as const;

/** Options of {@linkcode serveHttp}. */
export interface HttpServerOptions {
  /** Address to listen on; port 0 picks a free one. */
  hostname: string;
  /** TCP port. */
  port: number;
  /**
   * Most open HTTP connections; more are answered 503 and closed at once.
   * Default from the descriptor limit ({@linkcode defaultMaxConnections}).
   * The first accept error lowers it to what the process could really open.
   */
  maxConnections?: number;
  /** Seconds a connection has for its first request head. Default 10. */
  headerTimeout?: number;
  /** Seconds an idle kept-alive connection stays open. Default 75. */
  idleTimeout?: number;
  /** Where episodes (cap reached, accept failing) are logged. Default: silent. */
  logger?: Logger;
  /** Opens the listener (tests, TLS). Default {@linkcode Deno.listen}. */
  listen?: Listen;
  /** Clock in milliseconds (tests). Default `performance.now`. */
  now?: () => number;
  /** The engines serving connections. Default `http1` (the own ones). */
  engine?: HttpEngine;
}

/** A running HTTP server. */
export interface HttpServer {
  /** The bound address. */
  readonly addr: Deno.NetAddr;
  /** Connections open right now. */
  readonly openConnections: number;
  /** The connection cap in force (an accept error may have lowered it). */
  readonly maxConnections: number;
  /** Stops accepting; in-flight requests finish, idle connections close. */
  shutdown(): Promise<void>;
  /** Stops accepting and closes every connection at once. */
  close(): Promise<void>;
}

/**
 * Serves `handler` on `hostname:port`. Connections beyond `maxConnections`
 * get a 503 and are closed without reaching the handler; a connection that
 * sends no complete request head within `headerTimeout`, or stays idle
 * longer than `idleTimeout` after a response, is closed; an accept error
 * (EMFILE, ENFILE, ENOBUFS) never stops the server: it waits and accepts
 * again. Each condition is logged once when it starts and once when it ends.
 *
 * @example
 * ```ts
 * const server = serveHttp({ hostname: "127.0.0.1", port: 0 }, () => Promise.resolve(new Response("ok")));
 * await server.shutdown();
 * ```
 */
export function serveHttp(
  options: HttpServerOptions,
  handler: (request: Request) => Promise<Response>,
): HttpServer {
  const engine = connectionEngine();
  const ownEngine = (options.engine ?? HTTP_SERVER_DEFAULTS.engine) === "http1";
  if (engine === undefined) {
    throw new Error(
      `Cannot start the HTTP server: this Deno (${Deno.version.deno}) lacks the per-connection HTTP engine`,
    );
  }
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => performance.now());
  let maxConnections = options.maxConnections ??
    defaultMaxConnections(descriptorLimit());
  const headerMs = 1000 *
    (options.headerTimeout ?? HTTP_SERVER_DEFAULTS.headerTimeout);
  const idleMs = 1000 *
    (options.idleTimeout ?? HTTP_SERVER_DEFAULTS.idleTimeout);
  const listen = options.listen ?? ((address) => Deno.listen(address));
  const listener = listen({ hostname: options.hostname, port: options.port });
  const connections = new Set<ServerConnection>();
  let closing = false;
  const capEpisode = episode(logger, "HTTP connection cap reached");
  const acceptEpisode = episode(logger, "HTTP accept failing");

  const onError = (error: unknown) => {
    logger.error("HTTP handler failed", { error: String(error) });
    return new Response("Internal error", { status: 500 });
  };

  const clock: ConnectionClock = { now, idleMs, open: connections };
  const open = (conn: Deno.Conn) => {
    const connection = new ServerConnection(clock, headerMs);
    connections.add(connection);
    if (!ownEngine) return denoEngine(connection, conn);
    const serve = { handler, onError, hooks: connection };
    if (!("handshake" in conn)) {
      connection.server = serveHttp1(conn, serve);
      return;
    }
    // TLS: the handshake (within the header timeout) says which protocol
    // the client chose by ALPN (RFC 7301); no ALPN means HTTP/1.1.
    const tls = conn as Deno.TlsConn;
    connection.pending = tls;
    tls.handshake().then((info) => {
      connection.pending = undefined;
      if (connection.killed) return closeQuietly(tls);
      connection.server = info.alpnProtocol === "h2"
        ? serveHttp2(tls, serve)
        : serveHttp1(tls, serve);
    }, () => {
      connection.pending = undefined;
      closeQuietly(tls);
      connection.closed();
    });
  };

  /** Deno's engine on one connection (`--http-engine deno`; TLS then negotiates h2 by itself). */
  const denoEngine = (connection: ServerConnection, conn: Deno.Conn) => {
    const abort = connection.abort = new AbortController();
    const done = () => connection.requestEnded();
    connection.server = engine(
      conn,
      abort.signal,
      (request, info) => {
        connection.requestStarted();
        info.completed.then(done, done);
        return handler(request);
      },
      onError,
      () => {},
    );
    const remove = () => connection.closed();
    connection.server.finished.then(remove, remove);
  };

  // A refused connection is closed at once; the first few of a burst get
  // a 503 first (each write holds its descriptor a moment longer).
  let refusing = 0;
  const refuse = (conn: Deno.Conn) => {
    capEpisode.touch(now(), { maxConnections });
    if (refusing >= REFUSALS_WITH_ANSWER) return closeQuietly(conn);
    refusing++;
    conn.write(OVER_CAP).catch(() => 0).finally(() => {
      refusing--;
      closeQuietly(conn);
    });
  };

  const acceptLoop = (async () => {
    let pauseMs = 10;
    while (!closing) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (closing || error instanceof Deno.errors.BadResource) break;
        // EMFILE and friends: the pending connection stays queued in the
        // kernel; try again shortly instead of giving up the socket, and
        // cap connections below what just failed, keeping a tenth (at
        // least 16) of them for the XMPP stream, webhooks and files.
        const fits = capAfterAcceptError(connections.size);
        if (fits < maxConnections) maxConnections = fits;
        acceptEpisode.touch(now(), { error: String(error), maxConnections });
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
        pauseMs = Math.min(pauseMs * 2, 500);
        continue;
      }
      pauseMs = 10;
      if (closing) {
        closeQuietly(conn);
        break;
      }
      if (connections.size >= maxConnections) refuse(conn);
      else open(conn);
    }
  })();

  // Closes connections past their deadline and ends quiet episodes; one
  // pass a second at most, so a request costs no timer of its own.
  const sweepMs = Math.max(50, Math.min(1000, headerMs / 4, idleMs / 4));
  // forEach, not for-of: this pass runs too rarely to be optimised, and
  // unoptimised for-of over a Set allocates a result object per entry
  // (40 bytes per held connection every second: README "Performance").
  let sweptAt = 0;
  const sweep = (connection: ServerConnection) => {
    if (connection.active > 0) connection.server?.watch?.();
    else if (sweptAt > connection.deadline) connection.kill();
  };
  const sweeper = setInterval(() => {
    sweptAt = now();
    connections.forEach(sweep);
    capEpisode.settle(sweptAt);
    acceptEpisode.settle(sweptAt);
  }, sweepMs);
  Deno.unrefTimer(sweeper);

  let stopping: Promise<void> | undefined;
  return {
    addr: listener.addr as Deno.NetAddr,
    get openConnections() {
      return connections.size;
    },
    get maxConnections() {
      return maxConnections;
    },
    close() {
      for (const connection of connections) connection.kill();
      return this.shutdown();
    },
    shutdown() {
      stopping ??= (async () => {
        closing = true;
        try {
          listener.close();
        } catch { /* already closed */ }
        await acceptLoop;
        clearInterval(sweeper);
        // Idle connections and half-sent request heads go now; requests
        // already in the handler finish and their connections close after.
        await Promise.all([...connections].map((c) => {
          if (c.active === 0) c.kill();
          return c.server?.shutdown().catch(() => {});
        }));
      })();
      return stopping;
    },
  };
}
