// The own HTTP/2 engine (RFC 9113) for one TLS connection that chose h2 by ALPN: a short read loop and write loop around the pure codec in src/http2/, streams served concurrently, each with the same request and response objects as the HTTP/1.1 engine.

import { Http2Connection } from "../http2/connection.ts";
import type { Http2Limits, Http2Listener } from "../http2/api.ts";
import type { ErrorName } from "../http2/errors.ts";
import type { RequestFields } from "../http2/request_fields.ts";
import { httpDate } from "../http1/response.ts";
import { Http1Request } from "./http1_request.ts";
import type {
  Http1Connection,
  Http1Hooks,
  Http1Options,
} from "./http1_types.ts";
import { type Http2Exchange, respondHttp2 } from "./http2_respond.ts";
import { concatBytes } from "../wire/read.ts";

/** Bytes of each connection's read buffer (one TLS record fits). */
const READ_BUFFER = 16 * 1024;
/** Frames waiting for the socket beyond which the connection stops reading (a client that does not read). */
const OUTPUT_LIMIT = 256 * 1024;

const encoder = new TextEncoder();
const noHooks: Http1Hooks = { requestStarted() {}, requestEnded() {} };

/** Options of {@linkcode serveHttp2}: those of the HTTP/1.1 engine, and the codec's limits. */
export interface Http2Options extends Http1Options {
  /** Limits advertised in SETTINGS (defaults: src/http2/connection.ts). */
  readonly limits?: Partial<Http2Limits>;
}

/**
 * Serves HTTP/2 on `conn` (the connection preface is expected first)
 * until the peer closes it or sends GOAWAY, a connection error, the
 * signal aborting or {@linkcode Http1Connection.shutdown}. Every stream
 * is a request handed to the handler at once; a client's RST_STREAM
 * aborts its request's signal and ends its push body.
 *
 * @example
 * ```ts
 * const conn = await listener.accept(); // Deno.listenTls, ALPN "h2"
 * serveHttp2(conn, { handler, onError: () => new Response("oops", { status: 500 }) });
 * ```
 */
export function serveHttp2(
  conn: Deno.Conn,
  options: Http2Options,
): Http1Connection {
  return new Connection(conn, options);
}

class Connection implements Http1Connection, Http2Listener {
  readonly #conn: Deno.Conn;
  readonly #options: Http2Options;
  readonly #hooks: Http1Hooks;
  readonly #h2: Http2Connection;
  readonly #exchanges = new Map<number, Http2Exchange>();
  /** Streams whose headers came in the current read: served once it is processed. */
  #arrived: [number, RequestFields, Http2Exchange][] = [];
  /** The write loop in progress; it runs until the codec has no output left. */
  #writer?: Promise<void>;
  #closed = false;
  #closing = false;
  #readPaused?: PromiseWithResolvers<void>;
  #finished?: PromiseWithResolvers<void>;
  readonly #base: string;
  #lastUrl = "";

  constructor(conn: Deno.Conn, options: Http2Options) {
    this.#conn = conn;
    this.#options = options;
    this.#hooks = options.hooks ?? noHooks;
    const addr = conn.localAddr as Deno.NetAddr;
    this.#base = addr.hostname.includes(":")
      ? `[${addr.hostname}]:${addr.port}`
      : `${addr.hostname}:${addr.port}`;
    this.#h2 = new Http2Connection(this, options.limits);
    if (options.signal) {
      options.signal.addEventListener("abort", () => this.close(), {
        once: true,
      });
    }
    this.#flushOutput();
    void this.#run();
  }

  get finished(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return (this.#finished ??= Promise.withResolvers<void>()).promise;
  }

  shutdown(): Promise<void> {
    this.#closing = true;
    this.#h2.goaway();
    this.#flushOutput();
    return this.finished;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    for (const [id] of this.#exchanges) this.reset(id, "CANCEL");
    this.#readPaused?.resolve();
    this.#finished?.resolve();
    this.#hooks.closed?.();
  }

  /** HTTP/2 always reads: a client leaving is noticed without help. */
  watch(): void {}

  async #run(): Promise<void> {
    const buffer = new Uint8Array(READ_BUFFER);
    try {
      while (!this.#closed) {
        if (this.#h2.outputBytes > OUTPUT_LIMIT) {
          this.#readPaused = Promise.withResolvers<void>();
          await this.#readPaused.promise;
          this.#readPaused = undefined;
          continue;
        }
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        this.#h2.receive(buffer.subarray(0, n));
        this.#serveArrived();
        this.#flushOutput();
        if (this.#h2.closed) break; // GOAWAY, and no stream left
      }
    } catch {
      // a failed read: the connection is done
    }
    await this.#flushOutput(); // a GOAWAY goes out before the close
    this.close();
  }

  /** Writes what the codec produced, one write at a time, until nothing is left. */
  #flushOutput(): Promise<void> {
    if (this.#writer !== undefined) return this.#writer;
    if (this.#closed) return Promise.resolve();
    const out = this.#h2.takeOutput();
    if (out === undefined) return Promise.resolve();
    return this.#writer = this.#write(out);
  }

  /** Writes `first` and whatever the codec produced meanwhile; the write loop of the connection. */
  async #write(first: Uint8Array): Promise<void> {
    let out: Uint8Array | undefined = first;
    try {
      while (out !== undefined) {
        let at = 0;
        while (at < out.byteLength) {
          at += await this.#conn.write(at === 0 ? out : out.subarray(at));
        }
        this.#h2.flush();
        if (this.#readPaused && this.#h2.outputBytes <= OUTPUT_LIMIT) {
          this.#readPaused.resolve();
        }
        out = this.#h2.takeOutput();
      }
    } catch {
      this.close();
    }
    this.#writer = undefined; // no await since the last takeOutput: nothing missed
    if (this.#h2.closed && !this.#closed) this.close();
  }

  // Http2Listener: called by the codec while it processes a read.

  request(stream: number, fields: RequestFields, endStream: boolean): void {
    const exchange: Http2Exchange = {
      isHead: fields.method === "HEAD",
      ended: endStream,
      gone: false,
    };
    if (!endStream) exchange.chunks = [];
    this.#exchanges.set(stream, exchange);
    this.#arrived.push([stream, fields, exchange]);
  }

  refused(stream: number, status: number, text: string): void {
    this.#h2.respond(stream, [[":status", String(status)], [
      "content-type",
      "text/plain; charset=utf-8",
    ], ["date", httpDate()]], false);
    this.#h2.sendData(stream, encoder.encode(text), true);
  }

  data(stream: number, bytes: Uint8Array, endStream: boolean): void {
    const exchange = this.#exchanges.get(stream);
    if (exchange === undefined || exchange.chunks === undefined) {
      this.#h2.consumed(stream, bytes.byteLength);
      return;
    }
    if (bytes.byteLength > 0) exchange.chunks.push(bytes);
    if (endStream) exchange.ended = true;
    exchange.wake?.();
  }

  reset(stream: number, _code: ErrorName): void {
    const exchange = this.#exchanges.get(stream);
    if (exchange === undefined || exchange.gone) return;
    exchange.gone = true;
    exchange.request?.abort(new Error("The client reset the stream"));
    exchange.wake?.();
    exchange.onDrain?.();
    exchange.push?.closed();
  }

  drained(stream: number): void {
    const exchange = this.#exchanges.get(stream);
    exchange?.onDrain?.();
    exchange?.push?.drained();
  }

  /** Hands the requests of the last read to the handler, each with its body as far as it came. */
  #serveArrived(): void {
    const arrived = this.#arrived;
    if (arrived.length === 0) return;
    this.#arrived = [];
    for (const [stream, fields, exchange] of arrived) {
      if (exchange.gone) {
        this.#exchanges.delete(stream);
        continue;
      }
      let body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | null =
        null;
      if (exchange.chunks !== undefined) {
        if (exchange.ended) {
          body = concatBytes(exchange.chunks);
          this.#h2.consumed(stream, body.byteLength);
          exchange.chunks = undefined;
        } else body = this.#bodyStream(stream, exchange);
      }
      exchange.request = new Http1Request({
        method: fields.method,
        url: this.#url(fields),
        headers: fields.fields,
        body,
      });
      this.#serve(stream, exchange);
    }
  }

  /** The request URL; the same one as the previous request's is shared (long-polls repeat theirs). */
  #url(fields: RequestFields): string {
    const authority = fields.authority === "" ? this.#base : fields.authority;
    const url = `${fields.scheme}://${authority}${fields.path}`;
    if (url === this.#lastUrl) return this.#lastUrl;
    return this.#lastUrl = url;
  }

  /** A body still arriving: read as the handler pulls, each chunk giving window back. */
  #bodyStream(
    stream: number,
    exchange: Http2Exchange,
  ): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        for (;;) {
          const chunk = exchange.chunks?.shift();
          if (chunk !== undefined) {
            this.#h2.consumed(stream, chunk.byteLength);
            this.#flushOutput();
            controller.enqueue(chunk);
            return;
          }
          if (exchange.ended) {
            exchange.chunks = undefined;
            controller.close();
            return;
          }
          if (exchange.gone) {
            controller.error(
              new TypeError(
                "The client reset the stream before the body ended",
              ),
            );
            return;
          }
          await new Promise<void>((resolve) => exchange.wake = resolve);
          exchange.wake = undefined;
        }
      },
      cancel: () => {
        exchange.chunks = undefined;
      },
    }, { highWaterMark: 0 });
  }

  /**
   * Runs the handler. No async frame waits for it: while a long-poll
   * waits, the stream costs its exchange and two small callbacks.
   */
  #serve(stream: number, exchange: Http2Exchange): void {
    this.#hooks.requestStarted();
    let pending: Promise<Response>;
    try {
      pending = this.#options.handler(exchange.request as unknown as Request);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (response) => this.#answer(stream, exchange, response),
      (error) => this.#answer(stream, exchange, this.#options.onError(error)),
    );
  }

  /** Writes the handler's response, then forgets the stream. */
  /** Writes the handler's response, then forgets the stream; no frame waits while a push body is held. */
  #answer(stream: number, exchange: Http2Exchange, response: Response): void {
    const done = () => this.#ended(stream, exchange);
    try {
      if (exchange.gone || this.#closed) {
        response.body?.cancel().catch(() => {});
        return done();
      }
      respondHttp2(response, {
        h2: this.#h2,
        stream,
        exchange,
        flush: () => void this.#flushOutput(),
        closed: () => this.#closed,
      }).catch(() => this.#h2.cancel(stream, "INTERNAL_ERROR")).finally(done);
    } catch { // nothing thrown here may become an unhandled rejection
      this.#h2.cancel(stream, "INTERNAL_ERROR");
      done();
    }
  }

  #ended(stream: number, exchange: Http2Exchange): void {
    this.#exchanges.delete(stream);
    exchange.request = undefined;
    this.#hooks.requestEnded();
    this.#flushOutput();
    if (this.#closing && this.#exchanges.size === 0) this.close();
  }
}
