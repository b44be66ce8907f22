// Deno's own per-connection HTTP engine (hyper), the one `Deno.serve` runs on each accepted socket; served with --http-engine deno.

/** The per-connection engine's signature: serves `handler` on `conn` until `signal` aborts. */
export type ServeOnConnection = (
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
