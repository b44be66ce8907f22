// A tiny loopback XMPP server that accepts XEP-0114 component connections, for trying xmpp-rest and for tests.

import { el, type XmlElement } from "../xml/element.ts";
import { XmlSyntaxError } from "../xml/errors.ts";
import { XmlStreamParser } from "../xml/parser.ts";
import { escapeAttr, escapeText, serialize } from "../xml/serialize.ts";
import { tryParseJid } from "../xmpp/jid.ts";
import { NS } from "../xmpp/namespaces.ts";
import { type Logger, silentLogger } from "../logger.ts";
import { route } from "./router.ts";

/** Options of {@linkcode startDevServer}. */
export interface DevServerOptions {
  /** Component domains and their secrets. */
  components: Readonly<Record<string, string>>;
  /** The server's own domain. Default `localhost`. */
  domain?: string;
  /** Listen address. Default `127.0.0.1`, port 0 (any free port). */
  hostname?: string;
  /** Listen port. Default 0. */
  port?: number;
  /** Version reported over XEP-0092. */
  version?: string;
  /** Logger. */
  logger?: Logger;
}

/** A running dev server. */
export interface DevServer extends AsyncDisposable {
  /** The address it listens on. */
  readonly hostname: string;
  /** The port it listens on. */
  readonly port: number;
  /** Its own domain. */
  readonly domain: string;
  /** Domains of the components connected now. */
  connected(): string[];
  /** Closes every connection and stops listening. */
  close(): Promise<void>;
}

const STREAM_HEADER_NS = `xmlns="${NS.component}" xmlns:stream="${NS.streams}"`;

/**
 * Starts the development server. It is for trying and testing only: no
 * TLS, no users, no persistence.
 *
 * @example
 * ```ts
 * await using server = await startDevServer({ components: { "rest.localhost": "dev" } });
 * console.log(server.port);
 * ```
 */
export function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const domain = options.domain ?? "localhost";
  const logger = options.logger ?? silentLogger;
  const listener = Deno.listen({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
  });
  const sessions = new Map<string, ComponentSession>();
  const all = new Set<ComponentSession>();
  const deliver = (component: string, stanza: XmlElement) =>
    sessions.get(component)?.write(serialize(stanza, { parentNs: NS.client }));

  const onStanza = (session: ComponentSession, stanza: XmlElement) => {
    const from = tryParseJid(stanza.attr("from") ?? session.domain);
    if (!from || from.domain !== session.domain) {
      session.fail("invalid-from");
      return;
    }
    const routed = route(
      stanza.attr("from") ? stanza : stanza.withAttrs({ from: session.domain }),
      {
        domain,
        components: new Set(sessions.keys()),
        version: options.version ?? "dev",
      },
    );
    for (const { component, stanza: out } of routed) deliver(component, out);
  };

  const accepting = (async () => {
    for await (const conn of listener) {
      const session = new ComponentSession(conn, {
        secrets: options.components,
        isTaken: (d) => sessions.has(d),
        onOnline: (s) => {
          sessions.set(s.domain, s);
          logger.info("dev server: component online", { domain: s.domain });
        },
        onStanza,
        onClosed: (s) => {
          all.delete(s);
          if (sessions.get(s.domain) === s) sessions.delete(s.domain);
        },
      });
      all.add(session);
      session.run();
    }
  })().catch(() => {});

  const addr = listener.addr as Deno.NetAddr;
  const server: DevServer = {
    hostname: addr.hostname,
    port: addr.port,
    domain,
    connected: () => [...sessions.keys()],
    async close() {
      try {
        listener.close();
      } catch { /* already closed */ }
      await Promise.all([...all].map((s) => s.close()));
      await accepting;
    },
    [Symbol.asyncDispose]() {
      return server.close();
    },
  };
  return Promise.resolve(server);
}

interface SessionHooks {
  secrets: Readonly<Record<string, string>>;
  isTaken(domain: string): boolean;
  onOnline(session: ComponentSession): void;
  onStanza(session: ComponentSession, stanza: XmlElement): void;
  onClosed(session: ComponentSession): void;
}

type SessionState = "header" | "handshake" | "online" | "closed";

class ComponentSession {
  domain = "";
  #conn: Deno.Conn;
  #hooks: SessionHooks;
  #state: SessionState = "header";
  #streamId = crypto.randomUUID();
  #encoder = new TextEncoder();
  #writing: Promise<unknown> = Promise.resolve();
  #done: Promise<void> | undefined;

  constructor(conn: Deno.Conn, hooks: SessionHooks) {
    this.#conn = conn;
    this.#hooks = hooks;
  }

  get closed(): boolean {
    return this.#state === "closed";
  }

  run(): void {
    this.#done = this.#readLoop().finally(() => {
      this.#state = "closed";
      this.#hooks.onClosed(this);
      try {
        this.#conn.close();
      } catch { /* already closed */ }
    });
  }

  write(text: string): void {
    if (this.#state === "closed") return;
    const bytes = this.#encoder.encode(text);
    this.#writing = this.#writing.then(async () => {
      let offset = 0;
      while (offset < bytes.length) {
        offset += await this.#conn.write(bytes.subarray(offset));
      }
    }).catch(() => {});
  }

  fail(condition: string, text?: string): void {
    this.write(
      `<stream:error><${condition} xmlns="${NS.streamErrors}"/>${
        text
          ? `<text xmlns="${NS.streamErrors}">${escapeText(text)}</text>`
          : ""
      }</stream:error></stream:stream>`,
    );
    this.#state = "closed";
    this.#writing.then(() => {
      try {
        this.#conn.close();
      } catch { /* already closed */ }
    });
  }

  async close(): Promise<void> {
    if (this.#state !== "closed") {
      this.write("</stream:stream>");
      await this.#writing;
      this.#state = "closed";
      try {
        this.#conn.close();
      } catch { /* already closed */ }
    }
    await this.#done;
  }

  async #readLoop(): Promise<void> {
    const parser = new XmlStreamParser({
      namespaceAliases: { [NS.component]: NS.client },
    });
    const buffer = new Uint8Array(16384);
    while (!this.closed) {
      let n: number | null;
      try {
        n = await this.#conn.read(buffer);
      } catch {
        return;
      }
      if (n === null) return;
      try {
        for (const event of parser.push(buffer.subarray(0, n))) {
          if (event.type === "open") await this.#onHeader(event.header);
          else if (event.type === "element") {
            await this.#onElement(event.element);
          } else {
            this.write("</stream:stream>");
            await this.#writing;
            return;
          }
          if (this.closed) return;
        }
      } catch (error) {
        if (error instanceof XmlSyntaxError) {
          this.fail(error.condition);
          await this.#writing;
          return;
        }
        throw error;
      }
    }
  }

  #onHeader(header: XmlElement): void {
    const to = (header.attr("to") ?? "").toLowerCase();
    this.write(
      `<?xml version='1.0'?><stream:stream ${STREAM_HEADER_NS} id="${this.#streamId}" from="${
        escapeAttr(to)
      }">`,
    );
    if (!header.is("stream", NS.streams)) return this.fail("invalid-namespace");
    if (!Object.hasOwn(this.#hooks.secrets, to)) {
      return this.fail("host-unknown");
    }
    if (this.#hooks.isTaken(to)) {
      return this.fail("conflict", "Component already connected");
    }
    this.domain = to;
    this.#state = "handshake";
  }

  async #onElement(element: XmlElement): Promise<void> {
    if (this.#state === "handshake") {
      if (element.name !== "handshake") return this.fail("not-authorized");
      const expected = await sha1Hex(
        this.#streamId + this.#hooks.secrets[this.domain],
      );
      if (element.text().trim().toLowerCase() !== expected) {
        return this.fail("not-authorized");
      }
      if (this.#hooks.isTaken(this.domain)) return this.fail("conflict");
      this.write(
        serialize(el("handshake", NS.client), { parentNs: NS.client }),
      );
      this.#state = "online";
      this.#hooks.onOnline(this);
      return;
    }
    if (this.#state === "online") this.#hooks.onStanza(this, element);
  }
}

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-1",
    new TextEncoder().encode(text),
  );
  return new Uint8Array(digest).toHex();
}
