// A scripted XEP-0114 server for tests: accepts component streams over TCP (127.0.0.1:0) or in-memory pipes.

import type { ComponentSocket, Dial } from "../../src/component/connection.ts";
import {
  ServerConnection,
  type ServerConnectionOptions,
} from "../../src/devserver/connection.ts";
import { Router } from "../../src/devserver/router.ts";
import type { XmlElement } from "../../src/xml/element.ts";
import type { StreamErrorCondition } from "../../src/xmpp/conditions.ts";
import { memoryPipe } from "./pipe.ts";
import { FakeParty } from "./fake_party.ts";

export { FakeParty } from "./fake_party.ts";

/** Name the fake server reports (XEP-0092, disco#info identity). */
export const FAKE_SERVER_NAME = "FakeXMPP";

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

/** One component stream as the fake server sees it: the shared server connection plus what it received. */
export class FakeConnection {
  /** Elements received from the online component, in order. */
  readonly received: XmlElement[] = [];
  readonly #connection: ServerConnection;

  constructor(
    socket: ComponentSocket,
    options: Omit<ServerConnectionOptions, "onElement">,
  ) {
    this.#connection = new ServerConnection(socket, {
      ...options,
      onElement: (_, element) => this.received.push(element),
    });
  }

  /** The domain the component asked for. */
  get domain(): string | undefined {
    return this.#connection.domain;
  }

  /** True once the handshake succeeded. */
  get authenticated(): boolean {
    return this.#connection.authenticated;
  }

  /** True once the component sent `</stream:stream>`. */
  get closedByComponent(): boolean {
    return this.#connection.closedByComponent;
  }

  /** The handshake digest the component sent. */
  get digest(): string | undefined {
    return this.#connection.digest;
  }

  /** True while the stream serves its domain. */
  get online(): boolean {
    return this.#connection.online;
  }

  /** Resolves when the socket is closed. */
  get done(): Promise<void> {
    return this.#connection.done;
  }

  /** Writes raw text (ignored once closed). */
  writeRaw(text: string): void {
    this.#connection.writeRaw(text);
  }

  /** Sends a stanza to the component. */
  send(stanza: XmlElement): void {
    this.#connection.send(stanza);
  }

  /** Sends a stream error, closes the stream and the socket. */
  streamError(condition: StreamErrorCondition): void {
    this.#connection.shutdown(condition);
  }

  /** Closes the socket at once, without a stream close. */
  drop(): void {
    this.#connection.drop();
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
  readonly #router: Router;
  #listener: Deno.TcpListener | undefined;
  #port = 0;
  #accepting = true;
  #acceptLoop: Promise<void> | undefined;
  #connectionWaiters: (() => void)[] = [];

  private constructor(options: FakeServerOptions) {
    this.serverDomain = options.serverDomain ?? "localhost";
    this.#components = options.components;
    this.#router = new Router({
      domain: this.serverDomain,
      software: { name: FAKE_SERVER_NAME, version: "1.0" },
      component: (domain) => {
        const found = this.#online(domain);
        return found && ((stanza) => found.send(stanza));
      },
      components: () =>
        this.connections.filter((c) => c.online).map((c) => c.domain!),
    });
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
    return new FakeParty(jid, this.#router);
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

  #online(domain: string): FakeConnection | undefined {
    return this.connections.find((c) => c.online && c.domain === domain);
  }

  #accept(socket: ComponentSocket): void {
    const connection: FakeConnection = new FakeConnection(socket, {
      secrets: this.#components,
      isTaken: (domain) =>
        this.connections.some((c) =>
          c !== connection && c.online && c.domain === domain
        ),
      judgeHandshake: (domain, digestOk) =>
        this.handshakeHook?.(domain, digestOk),
      onOnline: () => {
        for (const wake of this.#connectionWaiters.splice(0)) wake();
      },
      onStanza: (_, stanza) => {
        if (this.onStanza?.(stanza, connection)) return;
        this.#router.route(stanza);
      },
    });
    this.connections.push(connection);
  }
}
