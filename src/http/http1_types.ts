// The own HTTP/1.1 engine's contract with the connection's owner (src/http/server.ts), and the request URL rule of RFC 9112 section 3.3.

import type { RequestHead } from "../http1/head.ts";

/** What the engine tells the connection's owner about its requests (deadlines live there). */
export interface Http1Hooks {
  /** A request reached the handler: no idle deadline until it ends. */
  requestStarted(): void;
  /** Its response is completely written, or was given up. */
  requestEnded(): void;
  /** The connection is closed (cheaper than waiting on `finished`). */
  closed?(): void;
}

/** Options of {@linkcode serveHttp1}. */
export interface Http1Options {
  /** Aborting it closes the connection at once (so does {@linkcode Http1Connection.close}). */
  readonly signal?: AbortSignal;
  /** Answers one request. */
  readonly handler: (request: Request) => Promise<Response>;
  /** The response when the handler throws. */
  readonly onError: (error: unknown) => Response;
  /** Request start and end, for deadlines. */
  readonly hooks?: Http1Hooks;
}

/** A connection being served. */
export interface Http1Connection {
  /** Settles when the connection is closed. */
  readonly finished: Promise<void>;
  /** Ends the connection after the request in progress (at once when idle). */
  shutdown(): Promise<void>;
  /** Closes the connection at once. */
  close(): void;
  /**
   * Keeps one small read pending while a request waits (long-poll, SSE),
   * so that the peer leaving is noticed; the connection's owner calls it
   * for requests that did not finish at once (no timer per request here).
   */
  watch(): void;
}

/** The URL of a request: the absolute-form target, or the origin-form one on `Host` (RFC 9112 section 3.3), `https` on a TLS connection. */
export function requestUrl(head: RequestHead, conn: Deno.Conn): string {
  const scheme = "handshake" in conn ? "https" : "http";
  if (head.target[0] !== "/") {
    return head.target === "*"
      ? `${scheme}://${hostOf(head, conn)}/`
      : head.target;
  }
  return `${scheme}://${hostOf(head, conn)}${head.target}`;
}

function hostOf(head: RequestHead, conn: Deno.Conn): string {
  if (head.host !== undefined && head.host !== "") return head.host;
  const addr = conn.localAddr as Deno.NetAddr;
  return addr.hostname.includes(":")
    ? `[${addr.hostname}]:${addr.port}`
    : `${addr.hostname}:${addr.port}`;
}
