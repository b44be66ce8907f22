// A scripted XEP-0114 server for tests: accepts component streams over TCP (127.0.0.1:0) or in-memory pipes.

import type { ComponentSocket, Dial } from "../../src/component/connection.ts";
import type { XmlElement } from "../../src/xml/element.ts";
import { XmlSyntaxError } from "../../src/xml/errors.ts";
import { XmlStreamParser } from "../../src/xml/parser.ts";
import { escapeAttr, escapeText, serialize } from "../../src/xml/serialize.ts";
import type { StreamErrorCondition } from "../../src/xmpp/conditions.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { isStanza } from "../../src/xmpp/stanza.ts";
import { memoryPipe } from "./pipe.ts";
import { type FakeParty, FakeRouter } from "./fake_router.ts";

export { FakeParty } from "./fake_router.ts";

/** Options of {@linkcode FakeXmppServer}. */
export interface FakeServerOptions {
  /** Component domains and their secrets. */
  components: Readonly<Record<string, string>>;
  /** The server's own domain (answers ping, version, disco#info). Default `localhost`. */
  serverDomain?: string;
}

/**
 * Decides the outcome of a handshake: return a condition to reject it with
 * that stream error, or undefined for the normal digest check.
 */
export type HandshakeHook = (
  domain: string,
  digestOk: boolean,
) => StreamErrorCondition | undefined;

const encoder = new TextEncoder();

/** One component stream as the server sees it. */
export class FakeConnection {
  /** The domain the component asked for (`to` of its header). */
  domain: string | undefined;
  /** True once the handshake succeeded. */
  authenticated = false;
  /** True once the component sent `</stream:stream>`. */
  closedByComponent = false;
  /** The handshake digest the component sent. */
  digest: string | undefined;
  /** Stanzas received from the component, in order. */
  readonly received: XmlElement[] = [];
  /** Resolves when the socket is closed. */
  readonly done: Promise<void>;
  #socket: ComponentSocket;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lastWrite: Promise<void> = Promise.resolve();
  #open = true;

  constructor(
    socket: ComponentSocket,
    run: (c: FakeConnection) => Promise<void>,
  ) {
    this.#socket = socket;
    this.#writer = socket.writable.getWriter();
    this.done = run(this).catch(() => {}).finally(() => this.drop());
  }

  /** The socket's readable side (for the server loop). */
  get readable(): ReadableStream<Uint8Array> {
    return this.#socket.readable;
  }

  /** False once the socket is closed. */
  get open(): boolean {
    return this.#open;
  }

  /** Writes raw text (ignored once closed). */
  writeRaw(text: string): void {
    if (!this.#open) return;
    this.#lastWrite = this.#writer.write(encoder.encode(text)).catch(() =>
      this.drop()
    );
  }

  /** Sends a stanza to the component. */
  send(stanza: XmlElement): void {
    this.writeRaw(serialize(stanza, { parentNs: NS.client }));
  }

  /** Sends a stream error, closes the stream and the socket. */
  streamError(condition: StreamErrorCondition, text?: string): void {
    const textXml = text
      ? `<text xmlns="${NS.streamErrors}">${escapeText(text)}</text>`
      : "";
    this.writeRaw(
      `<stream:error><${condition} xmlns="${NS.streamErrors}"/>${textXml}</stream:error></stream:stream>`,
    );
    this.#closeAfterWrites();
  }

  /** Closes the stream gracefully (`</stream:stream>`), then the socket. */
  closeStream(): void {
    this.writeRaw("</stream:stream>");
    this.#closeAfterWrites();
  }

  /** Closes the socket at once, without a stream close. */
  drop(): void {
    if (!this.#open) return;
    this.#open = false;
    try {
      this.#socket.close();
    } catch {
      // Already closed.
    }
  }

  #closeAfterWrites(): void {
    this.#lastWrite.then(() => this.drop());
  }
}

/**
 * A fake XEP-0114 server. `listen()` serves TCP on `127.0.0.1:0`;
 * `memory()` serves in-memory pipes through {@linkcode FakeXmppServer.dial}.
 * It checks the handshake digest, routes stanzas between connected
 * components and {@linkcode FakeParty} entities, answers ping, version and
 * disco#info for its own domain, and can be scripted (`handshakeHook`,
 * `onStanza`, `streamError`, `drop`, `restart`).
 */
export class FakeXmppServer implements AsyncDisposable {
  /** The server's own domain. */
  readonly serverDomain: string;
  /** Every connection accepted so far. */
  readonly connections: FakeConnection[] = [];
  /** Overrides the handshake outcome. */
  handshakeHook: HandshakeHook | undefined;
  /** Sees each stanza from a component first; return true to stop routing it. */
  onStanza: ((stanza: XmlElement, from: FakeConnection) => boolean) | undefined;
  readonly #components: Readonly<Record<string, string>>;
  readonly #router: FakeRouter;
  #listener: Deno.TcpListener | undefined;
  #port = 0;
  #accepting = true;
  #acceptLoop: Promise<void> | undefined;
  #connectionWaiters: (() => void)[] = [];

  private constructor(options: FakeServerOptions) {
    this.serverDomain = options.serverDomain ?? "localhost";
    this.#components = options.components;
    this.#router = new FakeRouter(
      this.serverDomain,
      (domain) =>
        this.connections.find((c) =>
          c.open && c.authenticated && c.domain === domain &&
          !c.closedByComponent
        ),
    );
  }

  /** Starts a server listening on a free loopback port. */
  static listen(options: FakeServerOptions): FakeXmppServer {
    const server = new FakeXmppServer(options);
    server.#listen(0);
    return server;
  }

  /** Creates a server reachable only through {@linkcode FakeXmppServer.dial}. */
  static memory(options: FakeServerOptions): FakeXmppServer {
    return new FakeXmppServer(options);
  }

  /** `127.0.0.1:PORT` of the TCP listener. */
  get address(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** Connects an in-memory pipe to this server (refused while stopped). */
  readonly dial: Dial = () => {
    if (!this.#accepting) {
      return Promise.reject(
        new Deno.errors.ConnectionRefused("Connection refused (fake server)"),
      );
    }
    const [client, server] = memoryPipe();
    this.#accept(server);
    return Promise.resolve(client);
  };

  /** A local entity `jid` (e.g. `alice@localhost/test`) that components can talk to. */
  party(jid: string): FakeParty {
    return this.#router.party(jid);
  }

  /** Resolves with the first authenticated connection for `domain` (waiting if needed). */
  async connection(domain: string): Promise<FakeConnection> {
    for (;;) {
      const found = this.connections.findLast((c) =>
        c.authenticated && c.domain === domain
      );
      if (found) return found;
      await new Promise<void>((r) => this.#connectionWaiters.push(r));
    }
  }

  /**
   * Stops the server (sending `system-shutdown` to every component, as a
   * real server does), then accepts again on the same port.
   */
  async restart(): Promise<void> {
    await this.stop();
    this.start();
  }

  /** Stops accepting and ends every connection with `system-shutdown`. */
  async stop(): Promise<void> {
    this.#accepting = false;
    this.#listener?.close();
    this.#listener = undefined;
    await this.#acceptLoop;
    for (const c of this.connections) c.streamError("system-shutdown");
    await Promise.all(this.connections.map((c) => c.done));
  }

  /** Accepts again (on the same port for TCP). */
  start(): void {
    this.#accepting = true;
    if (this.#port !== 0) this.#listen(this.#port);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#accepting = false;
    this.#listener?.close();
    this.#listener = undefined;
    await this.#acceptLoop;
    for (const c of this.connections) c.drop();
    await Promise.all(this.connections.map((c) => c.done));
  }

  #listen(port: number): void {
    const listener = Deno.listen({ hostname: "127.0.0.1", port });
    this.#listener = listener;
    this.#port = (listener.addr as Deno.NetAddr).port;
    this.#acceptLoop = (async () => {
      try {
        for await (const conn of listener) {
          conn.setNoDelay(true);
          this.#accept(conn);
        }
      } catch {
        // Listener closed.
      }
    })();
  }

  #accept(socket: ComponentSocket): void {
    this.connections.push(new FakeConnection(socket, (c) => this.#serve(c)));
  }

  async #serve(c: FakeConnection): Promise<void> {
    const parser = new XmlStreamParser({
      namespaceAliases: { [NS.component]: NS.client },
    });
    const streamId = crypto.getRandomValues(new Uint8Array(6)).toHex();
    // Not for-await: leaving that loop cancels the stream, and cancelling a
    // Deno.TcpConn's readable closes the socket before our last writes.
    const reader = c.readable.getReader();
    try {
      await this.#read(c, reader, parser, streamId);
    } finally {
      reader.releaseLock();
    }
  }

  async #read(
    c: FakeConnection,
    reader: ReadableStreamDefaultReader<Uint8Array>,
    parser: XmlStreamParser,
    streamId: string,
  ): Promise<void> {
    for (;;) {
      const { value: chunk, done } = await reader.read();
      if (done) return;
      let events;
      try {
        events = parser.push(chunk);
      } catch (error) {
        if (error instanceof XmlSyntaxError) c.streamError(error.condition);
        return;
      }
      for (const event of events) {
        if (event.type === "open") {
          const domain = event.header.attr("to") ?? "";
          c.domain = domain;
          // Like Prosody: an unknown host gets an empty id, then host-unknown.
          const known = Object.hasOwn(this.#components, domain);
          c.writeRaw(
            `<?xml version='1.0'?><stream:stream xmlns:stream='${NS.streams}' xmlns='${NS.component}' id='${
              known ? streamId : ""
            }' from='${escapeAttr(domain)}'>`,
          );
          if (!known) return c.streamError("host-unknown");
        } else if (event.type === "close") {
          c.closedByComponent = true;
          return c.closeStream();
        } else if (!c.authenticated) {
          if (!event.element.is("handshake", NS.client)) {
            return c.streamError("not-authorized");
          }
          const refused = await this.#handshake(c, streamId, event.element);
          if (refused) return c.streamError(refused);
          c.authenticated = true;
          c.writeRaw("<handshake/>");
          for (const wake of this.#connectionWaiters.splice(0)) wake();
        } else {
          c.received.push(event.element);
          if (!isStanza(event.element)) continue;
          if (this.onStanza?.(event.element, c)) continue;
          const refused = this.#router.fromComponent(event.element, c);
          if (refused) return c.streamError(refused.condition, refused.text);
        }
      }
    }
  }

  async #handshake(
    c: FakeConnection,
    streamId: string,
    handshake: XmlElement,
  ): Promise<StreamErrorCondition | undefined> {
    const domain = c.domain ?? "";
    c.digest = handshake.text();
    const hash = await crypto.subtle.digest(
      "SHA-1",
      encoder.encode(streamId + this.#components[domain]),
    );
    const expected = Array.from(
      new Uint8Array(hash),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    const digestOk = c.digest === expected;
    const hooked = this.handshakeHook?.(domain, digestOk);
    if (hooked) return hooked;
    if (!digestOk) return "not-authorized";
    const taken = this.connections.some((other) =>
      other !== c && other.open && other.authenticated &&
      other.domain === domain && !other.closedByComponent
    );
    return taken ? "conflict" : undefined;
  }
}
