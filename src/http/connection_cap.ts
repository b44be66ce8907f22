// The HTTP server's connection cap: how many connections the descriptor limit allows, how an accept error (EMFILE) lowers it, and the answer to a connection over it (RFC 9110 section 15.6.4, 503 with Retry-After).

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

/**
 * The cap after an accept error with `open` connections held: below what
 * just failed, keeping a tenth (at least 16) of them for the XMPP stream,
 * webhooks and files; never below 16.
 */
export function capAfterAcceptError(open: number): number {
  return Math.max(16, open - Math.max(16, Math.ceil(open / 10)));
}

/** Most refused connections answered 503 at a time; the rest are closed without a word. */
export const REFUSALS_WITH_ANSWER = 16;

/** The answer to a connection over the cap: written in one go, then closed. */
export const OVER_CAP: Uint8Array = new TextEncoder().encode(
  "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n" +
    "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 27\r\n\r\n" +
    "Too many open connections\r\n",
);
