// The HTTP server shell: owns the listening socket and every connection (cap, header and idle timeouts, accept errors such as EMFILE); the own engines serve HTTP/1.1 (plain or TLS) and HTTP/2 (TLS, chosen by ALPN), or Deno's engine serves all with --http-engine deno.

import { type Logger, silentLogger } from "../logger.ts";
import { serveHttp1 } from "./http1_engine.ts";
import { serveHttp2 } from "./http2_engine.ts";
import type { Http1Hooks } from "./http1_types.ts";

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

/** Descriptors kept free for the XMPP stream, webhooks and files, at least. */
const DESCRIPTOR_RESERVE = 64;

/**
 * The default connection cap for a descriptor limit: the limit minus a
 * reserve (a tenth, at least 64) for everything else the process opens;
 * 1,000 when the limit is unknown.
 */
export function defaultMaxConnections(descriptorLimit?: number): number {
  if (descriptorLimit === undefined || !Number.isFinite(descriptorLimit)) {
    return 1000;
  }
  const reserve = Math.max(DESCRIPTOR_RESERVE, Math.ceil(descriptorLimit / 10));
  return Math.max(16, descriptorLimit - reserve);
}

/**
 * The soft `RLIMIT_NOFILE` of this process from Linux `/proc/self/limits`,
 * when readable (Deno allows it only with `--allow-all`).
 */
export function descriptorLimit(): number | undefined {
  try {
    const limits = Deno.readTextFileSync("/proc/self/limits");
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    if (!match || match[1] === "unlimited") return undefined;
    return Number(match[1]);
  } catch {
    return undefined;
  }
}

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

/** Deno's own per-connection HTTP engine (hyper), the one `Deno.serve` runs on each accepted socket. */
type ServeOnConnection = (
  conn: Deno.Conn,
  signal: AbortSignal,
  handler: (request: Request, info: Deno.ServeHandlerInfo) => Promise<Response>,
  onError: (error: unknown) => Response,
  onListen: () => void,
) => { finished: Promise<void>; shutdown(): Promise<void> };

/**
 * The engine behind `Deno.serve`, per connection. Deno 2.9 does not export
 * it publicly; `Deno.serve` itself offers no connection cap, no header or
 * idle timeout, and stops listening for good on an accept error (EMFILE).
 */
export function connectionEngine(): ServeOnConnection | undefined {
  const internal = (Deno as unknown as Record<symbol, unknown>)[
    (Deno as unknown as { internal: symbol }).internal
  ] as { serveHttpOnConnection?: ServeOnConnection } | undefined;
  return typeof internal?.serveHttpOnConnection === "function"
    ? internal.serveHttpOnConnection
    : undefined;
}

/** Clock, idle timeout and the set of open connections, shared by every connection of a server. */
interface Clock {
  now(): number;
  readonly idleMs: number;
  readonly open: Set<Connection>;
}

/** One accepted connection: its deadline and the engine serving it. */
class Connection implements Http1Hooks {
  /** Requests whose response is not completely sent. */
  active = 0;
  /** When an idle connection gets closed (clock milliseconds). */
  deadline: number;
  /** A TLS connection still in its handshake (no engine yet). */
  pending?: Deno.Conn;
  /** Set once killed (a handshake finishing later closes at once). */
  killed = false;
  /** Closes a connection of Deno's engine (the own engine has `close`). */
  abort?: AbortController;
  /** The engine serving this connection. */
  server?: {
    finished: Promise<void>;
    shutdown(): Promise<void>;
    /** Closes at once (own engine). */
    close?(): void;
    /** Notices a client leaving while its request waits (own engine). */
    watch?(): void;
  };
  readonly #clock: Clock;

  constructor(clock: Clock, headerMs: number) {
    this.#clock = clock;
    this.deadline = clock.now() + headerMs;
  }

  requestStarted(): void {
    this.active++;
  }

  requestEnded(): void {
    if (--this.active === 0) {
      this.deadline = this.#clock.now() + this.#clock.idleMs;
    }
  }

  /** The own engine closed the connection. */
  closed(): void {
    this.#clock.open.delete(this);
  }

  /** Closes the connection at once. */
  kill(): void {
    this.killed = true;
    if (this.pending) {
      closeQuietly(this.pending);
      this.pending = undefined;
      this.closed();
    } else if (this.abort) this.abort.abort();
    else this.server?.close?.();
  }
}

/** Most refused connections answered 503 at a time; the rest are closed without a word. */
const REFUSALS_WITH_ANSWER = 16;

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch { /* already closed */ }
}

/** The answer to a connection over the cap: written in one go, then closed. */
const OVER_CAP = new TextEncoder().encode(
  "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n" +
    "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 27\r\n\r\n" +
    "Too many open connections\r\n",
);

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
  const connections = new Set<Connection>();
  let closing = false;
  const capEpisode = episode(logger, "HTTP connection cap reached");
  const acceptEpisode = episode(logger, "HTTP accept failing");

  const onError = (error: unknown) => {
    logger.error("HTTP handler failed", { error: String(error) });
    return new Response("Internal error", { status: 500 });
  };

  const clock: Clock = { now, idleMs, open: connections };
  const open = (conn: Deno.Conn) => {
    const connection = new Connection(clock, headerMs);
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
  const denoEngine = (connection: Connection, conn: Deno.Conn) => {
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
        const open = connections.size;
        const fits = Math.max(16, open - Math.max(16, Math.ceil(open / 10)));
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
  const sweep = (connection: Connection) => {
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

/** Quiet time after which an episode counts as over. */
const EPISODE_QUIET_MS = 5000;

/**
 * A condition logged once when it starts and once when it has been quiet
 * for 5 s (with how often it happened), never once per connection.
 */
function episode(logger: Logger, message: string) {
  let count = 0;
  let since: number | undefined;
  let last = 0;
  return {
    touch(t: number, extra = {}) {
      count++;
      last = t;
      if (since !== undefined) return;
      since = t;
      logger.warn(message, extra);
    },
    settle(t: number) {
      if (since === undefined || t - last < EPISODE_QUIET_MS) return;
      logger.info(`${message}: over`, {
        count,
        seconds: Math.round((last - since) / 1000),
      });
      since = undefined;
      count = 0;
    },
  };
}
