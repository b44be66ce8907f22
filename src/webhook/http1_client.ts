// README "Receiving (webhooks)": a pooled keep-alive HTTP/1.1 client (RFC 9112) for http: webhook URLs over Deno.connect, with the codec of src/http1/; https: and proxied setups go to the fallback (fetch).

import { requestHead } from "../http1/client_head.ts";
import type { WebhookRequest } from "./request.ts";
import type {
  ExchangeOptions,
  WebhookResponse,
  WebhookTransport,
} from "./transport.ts";
import {
  type ClientSocket,
  ClosedBeforeResponse,
  exchange,
  isReset,
  Pooled,
  writeAll,
} from "./http1_exchange.ts";

export type { ClientSocket } from "./http1_exchange.ts";

/** Options of {@linkcode createHttp1Client}. */
export interface Http1ClientOptions {
  /** Where requests it does not take go (https:, a proxy configured). */
  readonly fallback: WebhookTransport;
  /** Opens a connection. Default `Deno.connect` with Nagle off. */
  readonly dial?: (hostname: string, port: number) => Promise<ClientSocket>;
  /** Idle connections are closed after this many ms. Default 30 000. */
  readonly idleTimeoutMs?: number;
  /** Idle connections kept per origin. Default 64. */
  readonly maxIdlePerOrigin?: number;
  /** Reads an environment variable (proxy settings). Default `Deno.env.get`. */
  readonly env?: (name: string) => string | undefined;
}

/** The client: a transport that must be closed. */
export interface Http1Client extends WebhookTransport {
  /** Idle connections kept open. */
  readonly idle: number;
  /** Closes every idle connection; connections in use close when done. */
  close(): Promise<void>;
}

/** Variables that make `fetch` use a proxy: then every request goes to the fallback. */
const PROXY_VARIABLES = ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];

interface Origin {
  readonly key: string;
  readonly hostname: string;
  readonly port: number;
  /** The `Host` field value. */
  readonly host: string;
  /** The request target (path and query). */
  readonly target: string;
}

/** A reused connection failed before any byte of the response: it was closed while idle; send again on a new one. */
class StaleConnection extends Error {}

const encoder = new TextEncoder();
const NON_ASCII = /[^\x20-\x7e\r\n\t]/;

const dialTcp = async (hostname: string, port: number) => {
  const conn = await Deno.connect({ hostname, port, transport: "tcp" });
  conn.setNoDelay(true);
  return conn;
};

function defaultEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no env permission: fetch cannot see a proxy either
  }
}

/**
 * Creates the client. Connections are kept per origin and reused (LIFO);
 * an idle one keeps a read open, so a server closing it is noticed at once
 * and it is dropped; a request that still meets a reused connection closed
 * before any response byte is sent once more on a new connection. A
 * response that is not fully read (too large, aborted, malformed) closes
 * its connection. Redirects are not followed.
 *
 * @example
 * ```ts
 * const client = createHttp1Client({ fallback: fetchTransport(fetch) });
 * await client.post(request, { signal: AbortSignal.timeout(5000), maxBodyBytes: 1 << 20 });
 * await client.close();
 * ```
 */
export function createHttp1Client(options: Http1ClientOptions): Http1Client {
  const { fallback } = options;
  const dial = options.dial ?? dialTcp;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const maxIdle = options.maxIdlePerOrigin ?? 64;
  const env = options.env ?? defaultEnv;
  const proxied = PROXY_VARIABLES.some((name) => (env(name) ?? "") !== "");
  const idle = new Map<string, Pooled[]>();
  const origins = new Map<string, Origin | null>();
  let idleCount = 0;
  let sweeper: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  function originOf(url: string): Origin | null {
    let origin = origins.get(url);
    if (origin !== undefined) return origin;
    const parsed = new URL(url);
    origin = parsed.protocol !== "http:" || proxied ? null : {
      key: parsed.host,
      hostname: parsed.hostname.replace(/^\[|\]$/g, ""),
      port: parsed.port === "" ? 80 : Number(parsed.port),
      host: parsed.host,
      target: parsed.pathname + parsed.search,
    };
    if (origins.size >= 1000) origins.clear();
    origins.set(url, origin);
    return origin;
  }

  function take(key: string): Pooled | undefined {
    const list = idle.get(key);
    while (list && list.length > 0) {
      const pooled = list.pop()!;
      idleCount--;
      pooled.idle = false;
      if (!pooled.closed) return pooled;
    }
    return undefined;
  }

  function evict(key: string, pooled: Pooled): void {
    pooled.close();
    if (!pooled.idle) return;
    pooled.idle = false;
    const list = idle.get(key);
    const i = list?.indexOf(pooled) ?? -1;
    if (i !== -1) {
      list!.splice(i, 1);
      idleCount--;
    }
  }

  function release(key: string, pooled: Pooled): void {
    let list = idle.get(key);
    if (closed || pooled.closed || (list?.length ?? 0) >= maxIdle) {
      return pooled.close();
    }
    if (!list) idle.set(key, list = []);
    pooled.idle = true;
    pooled.idleSince = performance.now();
    const pending = pooled.socket.read(pooled.buffer);
    pooled.pending = pending;
    // Anything arriving while idle (a close, stray bytes) ends the connection.
    const onIdleEnd = () => {
      if (pooled.idle && pooled.pending === pending) evict(key, pooled);
    };
    pending.then(onIdleEnd, onIdleEnd);
    list.push(pooled);
    idleCount++;
    sweeper ??= startSweeper();
  }

  function startSweeper(): ReturnType<typeof setInterval> {
    const id = setInterval(() => {
      const oldest = performance.now() - idleTimeoutMs;
      for (const [key, list] of idle) {
        for (const pooled of [...list]) {
          if (pooled.idleSince < oldest) evict(key, pooled);
        }
      }
      if (idleCount === 0) {
        clearInterval(id);
        sweeper = undefined;
      }
    }, Math.max(1000, idleTimeoutMs / 2));
    Deno.unrefTimer(Number(id));
    return id;
  }

  async function once(
    origin: Origin,
    bytes: Uint8Array,
    options: ExchangeOptions,
    reuse: boolean,
  ): Promise<WebhookResponse> {
    const pooled = (reuse ? take(origin.key) : undefined) ??
      new Pooled(
        await abortable(dial(origin.hostname, origin.port), options.signal),
      );
    const reused = pooled.idleSince !== 0;
    const onAbort = () => pooled.close();
    options.signal.addEventListener("abort", onAbort, { once: true });
    try {
      if (options.signal.aborted) throw options.signal.reason;
      await writeAll(pooled.socket, bytes).catch((error) => {
        throw isReset(error) ? new ClosedBeforeResponse() : error;
      });
      const { response, reusable } = await exchange(
        pooled,
        "POST",
        options.maxBodyBytes,
      );
      if (reusable) release(origin.key, pooled);
      else pooled.close();
      return response;
    } catch (error) {
      pooled.close();
      if (options.signal.aborted) throw options.signal.reason;
      if (reused && error instanceof ClosedBeforeResponse) {
        throw new StaleConnection();
      }
      throw error;
    } finally {
      options.signal.removeEventListener("abort", onAbort);
    }
  }

  return {
    get idle() {
      return idleCount;
    },
    async post(request: WebhookRequest, options: ExchangeOptions) {
      const origin = closed ? null : originOf(request.url);
      const body = encoder.encode(request.body);
      const head = origin &&
        requestHead(
          "POST",
          origin.target,
          origin.host,
          request.fields ?? request.headers,
          body.byteLength,
        );
      if (origin === null || NON_ASCII.test(head!)) {
        return fallback.post(request, options);
      }
      const bytes = new Uint8Array(head!.length + body.byteLength);
      encoder.encodeInto(head!, bytes);
      bytes.set(body, head!.length);
      try {
        return await once(origin, bytes, options, true);
      } catch (error) {
        if (!(error instanceof StaleConnection)) throw error;
        return await once(origin, bytes, options, false);
      }
    },
    async close() {
      closed = true;
      if (sweeper !== undefined) clearInterval(sweeper);
      sweeper = undefined;
      const reads: Promise<unknown>[] = [];
      for (const [key, list] of idle) {
        for (const pooled of [...list]) {
          if (pooled.pending) reads.push(pooled.pending.catch(() => {}));
          evict(key, pooled);
        }
      }
      idle.clear();
      await Promise.all(reads);
    },
  };
}

/** The dialled socket, or the signal's reason as soon as it aborts (a late socket is closed). */
function abortable(
  dialled: Promise<ClientSocket>,
  signal: AbortSignal,
): Promise<ClientSocket> {
  if (signal.aborted) {
    dialled.then((socket) => socket.close(), () => {});
    return Promise.reject(signal.reason);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    dialled.then((socket) => {
      signal.removeEventListener("abort", onAbort);
      if (signal.aborted) socket.close();
      else resolve(socket);
    }, (error) => {
      signal.removeEventListener("abort", onAbort);
      reject(error);
    });
  });
}
