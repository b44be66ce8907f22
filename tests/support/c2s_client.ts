// A minimal RFC 6120 c2s client for tests: stream, SASL PLAIN (RFC 4616) without TLS, resource binding, stanzas.

import { el, type XmlElement } from "../../src/xml/element.ts";
import { XmlStreamParser } from "../../src/xml/parser.ts";
import { serialize } from "../../src/xml/serialize.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { DEFAULT_WAIT_MS, type Party, StanzaInbox } from "./inbox.ts";

const SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
const BIND = "urn:ietf:params:xml:ns:xmpp-bind";
const SESSION = "urn:ietf:params:xml:ns:xmpp-session";
const encoder = new TextEncoder();

/** Options of {@linkcode C2sClient.connect}. */
export interface C2sOptions {
  /** The server's c2s port on 127.0.0.1. */
  port: number;
  /** The user's domain (the stream's `to`). */
  domain: string;
  /** Localpart. */
  username: string;
  /** Password. */
  password: string;
  /** Resource to bind. Default `test`. */
  resource?: string;
  /** Send initial presence after login. Default false. */
  presence?: boolean;
}

/**
 * A logged-in test user. Received stanzas queue up until taken with
 * {@linkcode C2sClient.next}; nothing is answered automatically.
 *
 * @example
 * ```ts
 * await using alice = await C2sClient.connect({ port, domain: "localhost", username: "alice", password: "pw" });
 * alice.send(el("message", "jabber:client", { to: "gw.localhost" }, el("body", "jabber:client", {}, "hi")));
 * ```
 */
export class C2sClient implements Party {
  #conn: Deno.TcpConn;
  #parser = new XmlStreamParser();
  #inbox = new StanzaInbox();
  #jid = "";
  #nextId = 0;
  #reading: Promise<void>;
  #writes: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    this.#reading = this.#readLoop();
  }

  /** Connects, authenticates and binds a resource. */
  static async connect(options: C2sOptions): Promise<C2sClient> {
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: options.port,
    });
    conn.setNoDelay(true);
    const client = new C2sClient(conn);
    try {
      await client.#login(options);
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  /** The bound full JID. */
  get jid(): string {
    return this.#jid;
  }

  send(stanza: XmlElement): void {
    this.#write(serialize(stanza, { parentNs: NS.client }));
  }

  next(
    predicate?: (stanza: XmlElement) => boolean,
    timeoutMs?: number,
  ): Promise<XmlElement> {
    return this.#inbox.next(predicate, timeoutMs);
  }

  async sendIq(
    iq: XmlElement,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<XmlElement> {
    const id = iq.attr("id") ?? `c2s-${++this.#nextId}`;
    this.send(iq.withAttrs({ id }));
    return await this.next(
      (s) =>
        s.is("iq", NS.client) && s.attr("id") === id &&
        (s.attr("type") === "result" || s.attr("type") === "error"),
      timeoutMs,
    );
  }

  /** Closes the stream and the socket. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#write("</stream:stream>");
    this.#closed = true;
    await this.#writes;
    try {
      this.#conn.close();
    } catch {
      // Already closed by the server.
    }
    await this.#reading;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #login(options: C2sOptions): Promise<void> {
    let features = await this.#openStream(options.domain);
    const mechanisms = features.getChild("mechanisms", SASL)
      ?.getChildren("mechanism", SASL).map((m) => m.text()) ?? [];
    if (!mechanisms.includes("PLAIN")) {
      throw new Error(
        `Cannot log in: the server offers no SASL PLAIN (got ${
          mechanisms.join(", ") || "none"
        })`,
      );
    }
    const credentials = encoder.encode(
      `\0${options.username}\0${options.password}`,
    );
    this.#write(serialize(
      el("auth", SASL, { mechanism: "PLAIN" }, toBase64(credentials)),
    ));
    const outcome = await this.next((s) => s.ns === SASL);
    if (!outcome.is("success", SASL)) {
      throw new Error(
        `Cannot log in as ${options.username}@${options.domain}: SASL ${
          outcome.elements()[0]?.name ?? outcome.name
        }`,
      );
    }
    // RFC 6120 section 6.4.6: the stream restarts after SASL success.
    this.#parser = new XmlStreamParser();
    features = await this.#openStream(options.domain);
    const bound = await this.sendIq(el(
      "iq",
      NS.client,
      { type: "set" },
      el(
        "bind",
        BIND,
        {},
        el("resource", BIND, {}, options.resource ?? "test"),
      ),
    ));
    const jid = bound.getChild("bind", BIND)?.getChildText("jid", BIND);
    if (bound.attr("type") !== "result" || !jid) {
      throw new Error(`Cannot bind a resource: ${serialize(bound)}`);
    }
    this.#jid = jid;
    const session = features.getChild("session", SESSION);
    if (session && !session.getChild("optional", SESSION)) {
      await this.sendIq(
        el("iq", NS.client, { type: "set" }, el("session", SESSION)),
      );
    }
    if (options.presence) this.send(el("presence", NS.client));
  }

  async #openStream(domain: string): Promise<XmlElement> {
    this.#write(
      `<?xml version='1.0'?><stream:stream xmlns="${NS.client}" xmlns:stream="${NS.streams}" to="${domain}" version="1.0">`,
    );
    return await this.next((s) => s.is("features", NS.streams));
  }

  #write(text: string): void {
    if (this.#closed) throw new Error("C2S client is closed");
    const bytes = encoder.encode(text);
    // Writes are chained to keep their order; a failed write shows up as
    // a closed stream on the read side.
    this.#writes = this.#writes.then(async () => {
      let offset = 0;
      while (offset < bytes.length) {
        offset += await this.#conn.write(bytes.subarray(offset));
      }
    }).catch(() => {});
  }

  async #readLoop(): Promise<void> {
    const buffer = new Uint8Array(16 * 1024);
    let failure = new Error("C2S stream closed");
    try {
      for (;;) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        for (const event of this.#parser.push(buffer.subarray(0, n))) {
          if (event.type === "close") break;
          if (event.type !== "element") continue;
          if (event.element.is("error", NS.streams)) {
            const condition = event.element.elements()[0]?.name;
            failure = new Error(`C2S stream error: ${condition}`);
            break;
          }
          this.#inbox.push(event.element);
        }
      }
    } catch (error) {
      if (!this.#closed) failure = error as Error;
    }
    this.#inbox.close(failure);
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
