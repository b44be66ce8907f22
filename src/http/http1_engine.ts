// The own HTTP/1.1 engine (RFC 9112) for one accepted plain connection: keep-alive, pipelining in order, 100-continue, bodies by length or chunked, streamed responses; the codec is src/http1/, the read side http1_reader.ts.

import type { RequestHead } from "../http1/head.ts";
import { plainResponse } from "../http1/response.ts";
import { NO_BODY } from "./http1_body.ts";
import { pushHead, writeResponse } from "./http1_write.ts";
import { type PushConnection, PushWriter } from "./http1_push.ts";
import { pushSourceOf } from "./push.ts";
import {
  ExchangeClient,
  Http1Request,
  type Http1RequestInit,
} from "./http1_request.ts";
import { Http1Reader } from "./http1_reader.ts";
import {
  type Http1Connection,
  type Http1Hooks,
  type Http1Options,
  requestUrl,
} from "./http1_types.ts";

export { INITIAL_READ_BUFFER } from "./http1_buffers.ts";

const encoder = new TextEncoder();
const noHooks: Http1Hooks = { requestStarted() {}, requestEnded() {} };

/**
 * Serves HTTP/1.1 on `conn` until the peer closes it, a request asks to
 * close, the signal aborts or {@linkcode Http1Connection.shutdown} is
 * called. Requests are answered one after the other in arrival order
 * (pipelined ones wait in the read buffer). Once the owner calls `watch`
 * for a request that waits, a client that goes away is noticed: the
 * request's signal aborts and a streamed body is cancelled.
 *
 * @example
 * ```ts
 * const conn = await listener.accept();
 * serveHttp1(conn, { signal, handler, onError: () => new Response("oops", { status: 500 }) });
 * ```
 */
export function serveHttp1(
  conn: Deno.Conn,
  options: Http1Options,
): Http1Connection {
  return new Connection(conn, options);
}

class Connection extends Http1Reader
  implements Http1Connection, PushConnection {
  #options: Http1Options;
  #hooks: Http1Hooks;
  #closing = false;
  #busy = false;
  #watching = false;
  /** A push body is being written: no read watches it (a write notices a gone client). */
  #pushing = false;
  /** The push body being written, told when the connection closes. */
  #push?: PushWriter;
  /** Called when the peer goes away during a request. */
  #onGone?: () => void;

  /** Made only when someone waits for the end (shutdown). */
  #finished?: PromiseWithResolvers<void>;
  #signal?: AbortSignal;

  constructor(conn: Deno.Conn, options: Http1Options) {
    super(conn);
    this.#options = options;
    this.#hooks = options.hooks ?? noHooks;
    if (options.signal) {
      this.#signal = options.signal;
      options.signal.addEventListener("abort", this, { once: true });
      if (options.signal.aborted) this.#close();
    }
    void this.#run();
  }

  get finished(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return (this.#finished ??= Promise.withResolvers<void>()).promise;
  }

  /** The signal aborted (an EventListener object: no closure per connection). */
  handleEvent(): void {
    this.#close();
  }

  shutdown(): Promise<void> {
    this.#closing = true;
    if (!this.#busy) this.#close();
    return this.finished;
  }

  close(): void {
    this.#close();
  }

  #close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.conn.close();
    } catch { /* already closed */ }
    this.#signal?.removeEventListener("abort", this);
    this.#onGone?.();
    this.#push?.cancel();
    this.#finished?.resolve();
    this.#hooks.closed?.();
  }

  /**
   * Serves requests until the connection ends or a push body parks it:
   * then no frame waits for the body, which resumes the loop when it ends.
   */
  async #run(): Promise<void> {
    try {
      while (!this.closed && !this.#closing) {
        let head = await this.readHead(() => this.#closing);
        if (head === undefined) break;
        if (!head.ok) {
          await this.#send(
            encoder.encode(plainResponse(head.status, head.text)),
          );
          break;
        }
        const exchange = this.#exchange(head.head);
        head = undefined; // not kept while a long-poll waits
        const next = await exchange;
        if (next === "parked") return; // the push body resumes the loop
        if (next !== true) break;
        this.resetIdleBuffer();
      }
    } catch {
      // a failed write or read: the connection is done
    }
    this.#close();
  }

  watch(): void {
    if (
      this.#watching || !this.#busy || this.#pushing || this.eof ||
      this.closed
    ) return;
    this.#startWatching();
  }

  // Apart from watch(): a function holding a closure allocates its context
  // on every call, and watch() is called every second for every held
  // connection (README "Performance").
  #startWatching(): void {
    this.shrinkWhileWaiting();
    if (this.end === this.buffer.byteLength && this.start === 0) return;
    this.#watching = true;
    this.fill().then((more) => {
      this.#watching = false;
      if (!more) this.#onGone?.();
      else this.watch();
    });
  }

  /** One request and its response; false when the connection must close after it. */
  async #exchange(parsed: RequestHead): Promise<boolean | "parked"> {
    let body = this.requestBody(parsed);
    const keepAlive = parsed.keepAlive;
    const isHead = parsed.method === "HEAD";
    this.#busy = true;
    this.#hooks.requestStarted();
    let gone = false;
    let parked = false;
    let cancelBody: (() => void) | undefined;
    // The request is not kept here (only by its handler, see #answer): it
    // registers with `client` once its signal is made.
    const client = new ExchangeClient();
    this.#onGone = () => {
      gone = true;
      client.leave(new Error("The client closed the connection"));
      cancelBody?.();
      this.#close();
    };
    const answer = this.#answer({
      method: parsed.method,
      url: requestUrl(parsed, this.conn),
      headers: parsed.headers,
      body: body.value,
      client,
    });
    parsed = undefined as unknown as RequestHead; // not kept while it waits
    if (body.value instanceof Uint8Array) body = NO_BODY; // the request owns it
    try {
      let response: Response;
      try {
        response = await answer;
      } catch (error) {
        response = this.#options.onError(error);
      }
      const failure = body.failure();
      if (gone || this.closed || failure !== undefined) {
        await response.body?.cancel().catch(() => {});
        // A malformed body is the client's fault, whatever the handler made of it.
        if (failure !== undefined && !gone) {
          await this.#send(encoder.encode(plainResponse(400, failure)));
        }
        return false;
      }
      const keep = keepAlive && !this.#closing && body.complete();
      const push = pushSourceOf(response);
      if (push !== undefined && !isHead) {
        // Held with nothing of the request phase (README "Performance":
        // memory per SSE client): no request, closure or read buffer, and
        // no pending read (a client that left is noticed by a failing
        // write: the source's next bytes, an SSE heartbeat at the latest).
        this.#onGone = undefined;
        this.#pushing = true;
        this.releaseBuffer();
        parked = true;
        const writer = new PushWriter(
          push,
          pushHead(response, !keep),
          this,
          !keep,
        );
        if (this.#pushing) this.#push = writer; // else it ended at once
        return "parked";
      }
      const target = {
        head: isHead,
        close: !keep,
        write: (bytes: Uint8Array) => this.#send(bytes),
        onCancel: (cancel: () => void) => cancelBody = cancel,
      };
      return await writeResponse(response, target) && keep && !this.closed;
    } finally {
      if (!parked) this.#ended();
    }
  }

  /** The handler's response to the request of `init` (the error response when it throws at once). */
  #answer(init: Http1RequestInit): Promise<Response> | Response {
    try {
      return this.#options.handler(
        new Http1Request(init) as unknown as Request,
      );
    } catch (error) {
      return this.#options.onError(error);
    }
  }

  #ended(): void {
    this.#onGone = undefined;
    this.#busy = false;
    this.#hooks.requestEnded();
  }

  /** A parked push body ended: serve on (`keep`), or close. */
  pushEnded(keep: boolean): void {
    this.#pushing = false;
    this.#push = undefined;
    this.#ended();
    if (keep && !this.closed && !this.#closing) void this.#run();
    else this.#close();
  }

  /** Writes all of `bytes`; false (and the connection closed) when that failed. */
  send(bytes: Uint8Array): Promise<boolean> {
    return this.#send(bytes);
  }

  /** One socket write of a push body (its writer closes the connection when it fails). */
  write(bytes: Uint8Array): Promise<number> {
    return this.conn.write(bytes);
  }

  #send(bytes: Uint8Array): Promise<boolean> {
    // The whole of it in one socket write nearly always: then the write's
    // promise step is the only one.
    let written: Promise<number>;
    try {
      written = this.conn.write(bytes);
    } catch {
      this.#close();
      return Promise.resolve(false);
    }
    return written.then(
      (n) => n >= bytes.byteLength || this.#sendRest(bytes, n),
      () => {
        this.#close();
        return false;
      },
    );
  }

  /** Writes `bytes` from `at` on. */
  async #sendRest(bytes: Uint8Array, at: number): Promise<boolean> {
    try {
      while (at < bytes.byteLength) {
        at += await this.conn.write(bytes.subarray(at));
      }
      return true;
    } catch {
      this.#close();
      return false;
    }
  }
}
