// A lazily built Fetch `Request` (WHATWG Fetch section 5.4) for the own HTTP/1.1 engine: headers, body stream and signal are made only when a handler asks for them.

/** What the engine knows about a request when it hands it over. */
export interface Http1RequestInit {
  /** The method as sent. */
  readonly method: string;
  /** The absolute URL. */
  readonly url: string;
  /** Field lines, names lower-cased. */
  readonly headers: readonly (readonly [string, string])[];
  /** The whole body when it was buffered with the head, else a stream, else null. */
  readonly body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | null;
  /**
   * The engine's watch on the client, asked only when the signal is made:
   * until then the engine need not keep the request (a waiting request is
   * then kept by its handler alone). Without it, the engine calls `abort`.
   */
  readonly client?: ClientWatch;
}

/** Where a request learns that its client went away (see {@linkcode Http1RequestInit.client}). */
export interface ClientWatch {
  /** The reason when the client is gone already; else `request.abort` is called when it goes. */
  watch(request: Http1Request): unknown;
}

/**
 * The client of one exchange, as the engine keeps it: whether it went
 * away, and the request to abort then, known only once the request's
 * signal was made.
 */
export class ExchangeClient implements ClientWatch {
  #reason: unknown;
  #request?: Http1Request;

  /** See {@linkcode ClientWatch.watch}. */
  watch(request: Http1Request): unknown {
    if (this.#reason === undefined) this.#request = request;
    return this.#reason;
  }

  /** The client went away: a watching request is aborted (once). */
  leave(reason: unknown): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#request?.abort(reason);
    this.#request = undefined;
  }
}

import { PUSH_CAPABLE } from "./push.ts";
import { Http1Headers } from "./http1_headers.ts";

const decoder = new TextDecoder();

/**
 * A `Request` whose parts are built on first use: a handler that reads
 * three headers and the body text pays for a `Headers` object and one
 * decode, not for Deno's full request (URL parsing, header list, body
 * stream, signal). `instanceof Request` holds; anything beyond the common
 * members (`clone()`, `formData()`, `cache`, ...) builds the real
 * `Request` and answers from it.
 */
export class Http1Request {
  readonly #method: string;
  readonly #url: string;
  /** The parsed field lines until `headers` is asked for (then dropped). */
  #pairs?: readonly (readonly [string, string])[];
  #headers?: Http1Headers;
  #bytes?: Uint8Array<ArrayBuffer> | null;
  #stream?: ReadableStream<Uint8Array> | null;
  #used = false;
  #real?: Request;
  #abort?: AbortController;
  #gone?: unknown;
  #client?: ClientWatch;

  /** Wraps what the engine parsed. */
  constructor(init: Http1RequestInit) {
    this.#method = init.method;
    this.#url = init.url;
    this.#pairs = init.headers;
    this.#client = init.client;
    const body = init.body;
    if (body === null || body instanceof Uint8Array) this.#bytes = body;
    else this.#stream = body;
  }

  /** The request method. */
  get method(): string {
    return this.#method;
  }

  /** The absolute URL. */
  get url(): string {
    return this.#url;
  }

  /** The header fields (a `Headers` over the parsed lines, made on first use). */
  get headers(): Headers {
    if (this.#headers === undefined) {
      this.#headers = new Http1Headers(this.#pairs!);
      this.#pairs = undefined;
    }
    return this.#headers as unknown as Headers;
  }

  /** Aborts when the client goes away (made on first use). */
  get signal(): AbortSignal {
    if (this.#abort === undefined) {
      this.#abort = new AbortController();
      this.#gone ??= this.#client?.watch(this);
      this.#client = undefined;
      if (this.#gone !== undefined) this.#abort.abort(this.#gone);
    }
    return this.#abort.signal;
  }

  /** The engine's side: the client went away. */
  abort(reason: unknown): void {
    this.#gone = reason;
    this.#abort?.abort(reason);
  }

  /** The body as a stream (made on first use), or null. */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream === undefined) {
      const bytes = this.#bytes;
      this.#stream = bytes === null || bytes === undefined
        ? null
        : new ReadableStream({
          type: "bytes",
          // Enqueued on the first read only (enqueueing transfers the
          // buffer): until then `bytes()` may still take the bytes as they are.
          pull(controller) {
            controller.enqueue(bytes);
            controller.close();
          },
        }, { highWaterMark: 0 });
    }
    return this.#stream;
  }

  /** True when the whole body is in memory, not yet read (see `BodySource` in src/wire/read.ts). */
  get bodyInMemory(): boolean {
    return this.#stream === undefined && !this.#used;
  }

  /** True once the body was read. */
  get bodyUsed(): boolean {
    return this.#used || (this.#stream?.locked ?? false);
  }

  /** The whole body at once when it is in memory (see {@linkcode bodyInMemory}); else it throws. */
  takeBytes(): Uint8Array<ArrayBuffer> {
    if (!this.bodyInMemory) {
      throw new TypeError("The body is not in memory: read it with bytes()");
    }
    this.#used = true;
    const bytes = this.#bytes ?? new Uint8Array(0);
    this.#bytes = null; // read once: not kept while the request waits
    return bytes;
  }

  /** The whole body. */
  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    if (this.bodyUsed) throw new TypeError("Body already consumed");
    this.#used = true;
    const stream = this.#stream;
    if (
      stream === undefined || stream === null ||
      (this.#bytes instanceof Uint8Array && !stream.locked)
    ) {
      // Buffered bytes, even when `body` made a stream of them (a check
      // for a body does): the stream is dropped unread, not kept while
      // the request waits.
      const bytes = this.#bytes ?? new Uint8Array(0);
      this.#bytes = null; // read once: not kept while the request waits
      if (stream !== null && stream !== undefined) this.#stream = null;
      return bytes;
    }
    return await new Response(stream).bytes();
  }

  /** The whole body as an ArrayBuffer. */
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.byteOffset === 0 &&
        bytes.byteLength === bytes.buffer.byteLength
      ? bytes.buffer
      : bytes.slice().buffer;
  }

  /** The body decoded as UTF-8. */
  async text(): Promise<string> {
    return decoder.decode(await this.bytes());
  }

  /** The body parsed as JSON. */
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  /** The body as a Blob. */
  async blob(): Promise<Blob> {
    return new Blob([await this.bytes()], {
      type: this.headers.get("content-type") ?? "",
    });
  }

  /** The body as form data (through the real `Request`). */
  formData(): Promise<FormData> {
    return this.toRequest().formData();
  }

  /** A copy (the real `Request`'s). */
  clone(): Request {
    return this.toRequest().clone();
  }

  /** The real `Request`, built once; the body moves into it. */
  toRequest(): Request {
    if (this.#real) return this.#real;
    const body = this.bodyUsed ? null : (this.#stream ?? this.#bytes ?? null);
    this.#used = true;
    this.#real = new Request(this.url, {
      method: this.method,
      headers: (this.headers as unknown as Http1Headers).toHeaders(),
      body,
      signal: this.signal,
    });
    return this.#real;
  }
}

// Members of Request this class does not define are answered by the real
// one; the prototype chain makes `instanceof Request` hold.
for (const name of Object.getOwnPropertyNames(Request.prototype)) {
  if (name === "constructor" || name in Http1Request.prototype) continue;
  const descriptor = Object.getOwnPropertyDescriptor(Request.prototype, name)!;
  Object.defineProperty(Http1Request.prototype, name, {
    configurable: true,
    get(this: Http1Request) {
      const real = this.toRequest();
      const value = descriptor.get
        ? descriptor.get.call(real)
        : descriptor.value;
      return typeof value === "function" ? value.bind(real) : value;
    },
  });
}
Object.setPrototypeOf(Http1Request.prototype, Request.prototype);
// This engine writes push bodies (src/http/push.ts).
Object.defineProperty(Http1Request.prototype, PUSH_CAPABLE, { value: true });
