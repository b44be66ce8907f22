// XEP-0114 server side: the socket shell that runs a ServerSession (reads, writes, the handshake SHA-1).

import type { ComponentSocket } from "../component/connection.ts";
import { handshakeDigest } from "../component/handshake.ts";
import type { XmlElement } from "../xml/element.ts";
import { serialize } from "../xml/serialize.ts";
import type { StreamErrorCondition } from "../xmpp/conditions.ts";
import { NS } from "../xmpp/namespaces.ts";
import {
  ServerSession,
  type ServerSessionAction,
  type ServerSessionEvent,
  type ServerSessionOptions,
} from "./session.ts";

/** Options of a {@linkcode ServerConnection}. */
export interface ServerConnectionOptions
  extends Omit<ServerSessionOptions, "streamId"> {
  /** The handshake succeeded. */
  onOnline?(connection: ServerConnection): void;
  /** Every element the online component sent, as received. */
  onElement?(connection: ServerConnection, element: XmlElement): void;
  /** A stanza to route, its `from` checked. */
  onStanza(connection: ServerConnection, stanza: XmlElement): void;
  /** The socket is closed. */
  onClosed?(connection: ServerConnection): void;
}

const encoder = new TextEncoder();

/**
 * One component stream on a socket, server side: feeds what it reads to a
 * {@linkcode ServerSession} and performs the actions. Used by the dev
 * server and by test fakes.
 *
 * @example
 * ```ts
 * const connection = new ServerConnection(conn, { secrets, isTaken: () => false, onStanza: (c, s) => router.route(s) });
 * await connection.done;
 * ```
 */
export class ServerConnection {
  /** True once the handshake succeeded. */
  authenticated = false;
  /** True once the component sent `</stream:stream>`. */
  closedByComponent = false;
  /** The handshake digest the component sent. */
  digest: string | undefined;
  /** Resolves when the socket is closed. */
  readonly done: Promise<void>;
  readonly #socket: ComponentSocket;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #session: ServerSession;
  readonly #options: ServerConnectionOptions;
  #lastWrite: Promise<void> = Promise.resolve();
  #open = true;

  /** Starts serving `socket`. */
  constructor(socket: ComponentSocket, options: ServerConnectionOptions) {
    this.#socket = socket;
    this.#options = options;
    this.#writer = socket.writable.getWriter();
    this.#session = new ServerSession({
      ...options,
      streamId: crypto.getRandomValues(new Uint8Array(8)).toHex(),
    });
    this.done = this.#read().catch(() => {}).then(async () => {
      await this.#lastWrite;
      this.drop();
      options.onClosed?.(this);
    });
  }

  /** The domain the component asked for, once its header named a known one. */
  get domain(): string | undefined {
    return this.#session.domain;
  }

  /** False once the socket is closed. */
  get open(): boolean {
    return this.#open;
  }

  /** True while the stream serves its domain (authenticated, open, not closed by the component). */
  get online(): boolean {
    return this.authenticated && this.#open && !this.closedByComponent;
  }

  /** Sends a stanza to the component. */
  send(stanza: XmlElement): void {
    this.writeRaw(serialize(stanza, { parentNs: NS.client }));
  }

  /** Writes raw text (ignored once closed). */
  writeRaw(text: string): void {
    if (!this.#open) return;
    this.#lastWrite = this.#writer.write(encoder.encode(text)).catch(() =>
      this.drop()
    );
  }

  /** Ends the stream: with a stream error when `condition` is given, else a plain close. */
  shutdown(condition?: StreamErrorCondition): void {
    this.#dispatch({ type: "shutdown", condition });
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

  async #read(): Promise<void> {
    // Not for-await: leaving that loop cancels the stream, and cancelling a
    // Deno.TcpConn's readable closes the socket before our last writes.
    const reader = this.#socket.readable.getReader();
    try {
      while (this.#open && this.#session.state !== "closed") {
        const { value, done } = await reader.read();
        if (done) return;
        this.#dispatch({ type: "data", chunk: value });
      }
    } finally {
      reader.releaseLock();
    }
  }

  #dispatch(event: ServerSessionEvent): void {
    for (const action of this.#session.handle(event)) this.#perform(action);
  }

  #perform(action: ServerSessionAction): void {
    switch (action.type) {
      case "write":
        return this.writeRaw(action.text);
      case "verify":
        this.digest = action.received;
        void handshakeDigest(action.streamId, action.secret).then((expected) =>
          this.#dispatch({ type: "digest", expected })
        );
        return;
      case "online":
        this.authenticated = true;
        return this.#options.onOnline?.(this);
      case "element":
        return this.#options.onElement?.(this, action.element);
      case "stanza":
        return this.#options.onStanza(this, action.stanza);
      case "closed-by-component":
        this.closedByComponent = true;
        return;
      case "close":
        void this.#lastWrite.then(() => this.drop());
        return;
    }
  }
}
