// XEP-0114 sections 2-3, server side, as a pure state machine: the mirror of src/component/session.ts (events in, actions out).

import type { XmlElement } from "../xml/element.ts";
import { XmlSyntaxError } from "../xml/errors.ts";
import { type XmlStreamEvent, XmlStreamParser } from "../xml/parser.ts";
import { escapeAttr } from "../xml/serialize.ts";
import type { StreamErrorCondition } from "../xmpp/conditions.ts";
import { tryParseJid } from "../xmpp/jid.ts";
import { NS } from "../xmpp/namespaces.ts";
import { isStanza } from "../xmpp/stanza.ts";
import { STREAM_CLOSE, streamErrorXml } from "../component/handshake.ts";

/** Options of a {@linkcode ServerSession}. */
export interface ServerSessionOptions {
  /** Component domains and their secrets. */
  readonly secrets: Readonly<Record<string, string>>;
  /** The stream id sent in the header (random, from the shell). */
  readonly streamId: string;
  /** True when another stream holds `domain` already (asked at the handshake). */
  isTaken(domain: string): boolean;
  /** Overrides the handshake outcome: a condition refuses it (tests script failures). */
  judgeHandshake?(
    domain: string,
    digestOk: boolean,
  ): StreamErrorCondition | undefined;
}

/** What the shell feeds a {@linkcode ServerSession}. */
export type ServerSessionEvent =
  /** Bytes read from the component. */
  | { readonly type: "data"; readonly chunk: Uint8Array }
  /** The digest asked for by a `verify` action: `handshakeDigest(streamId, secret)`. */
  | { readonly type: "digest"; readonly expected: string }
  /** The server stops: a stream error with `condition`, or a plain stream close without. */
  | { readonly type: "shutdown"; readonly condition?: StreamErrorCondition };

/** What a {@linkcode ServerSession} asks the shell to do, in order. */
export type ServerSessionAction =
  /** Write text to the socket. */
  | { readonly type: "write"; readonly text: string }
  /** Compute `handshakeDigest(streamId, secret)` and feed it back as a `digest` event. */
  | {
    readonly type: "verify";
    readonly streamId: string;
    readonly secret: string;
    /** The digest the component sent. */
    readonly received: string;
  }
  /** The handshake succeeded: the stream now serves `domain`. */
  | { readonly type: "online"; readonly domain: string }
  /** An element the online component sent (any element, as received). */
  | { readonly type: "element"; readonly element: XmlElement }
  /** A stanza to route, its `from` checked against the domain (filled in when missing). */
  | { readonly type: "stanza"; readonly stanza: XmlElement }
  /** The component closed its stream (`</stream:stream>`). */
  | { readonly type: "closed-by-component" }
  /** Close the socket once the writes are done. */
  | { readonly type: "close" };

/** Where a server-side stream is. */
export type ServerSessionState =
  | "header"
  | "handshake"
  | "verifying"
  | "online"
  | "closed";

/**
 * One component stream as the server sees it, without I/O: the stream
 * header (unknown hosts get `host-unknown`), the handshake (XEP-0114
 * section 3: a wrong digest is `not-authorized`, a domain already served is
 * `conflict`), then stanzas whose `from` must be in the component's domain
 * (`invalid-from`). The shell owns the socket and the SHA-1.
 *
 * @example
 * ```ts
 * const session = new ServerSession({ secrets: { "gw.localhost": "s" }, streamId: "abc", isTaken: () => false });
 * session.handle({ type: "data", chunk: bytes }); // [{ type: "write", text: "<?xml ..." }, ...]
 * ```
 */
export class ServerSession {
  /** The component's domain, once its header named a known one. */
  domain: string | undefined;
  #options: ServerSessionOptions;
  #state: ServerSessionState = "header";
  #parser = new XmlStreamParser({
    namespaceAliases: { [NS.component]: NS.client },
  });
  #received = "";
  #pending: XmlStreamEvent[] = [];
  #out: ServerSessionAction[] = [];

  /** Creates a session waiting for the component's stream header. */
  constructor(options: ServerSessionOptions) {
    this.#options = options;
  }

  /** The current state. */
  get state(): ServerSessionState {
    return this.#state;
  }

  /** Applies one event and returns the actions to perform, in order. */
  handle(event: ServerSessionEvent): ServerSessionAction[] {
    this.#out = [];
    if (this.#state !== "closed") {
      switch (event.type) {
        case "data":
          this.#data(event.chunk);
          break;
        case "digest":
          this.#digest(event.expected);
          break;
        case "shutdown":
          if (event.condition) this.#fail(event.condition);
          else this.#close();
          break;
      }
    }
    return this.#out;
  }

  #data(chunk: Uint8Array): void {
    try {
      this.#pending.push(...this.#parser.push(chunk));
    } catch (error) {
      if (!(error instanceof XmlSyntaxError)) throw error;
      this.#drain();
      if (this.#state !== "closed") this.#fail(error.condition);
      return;
    }
    this.#drain();
  }

  #drain(): void {
    while (this.#pending.length > 0 && this.#state !== "verifying") {
      if (this.#state === "closed") return;
      this.#event(this.#pending.shift()!);
    }
  }

  #event(event: XmlStreamEvent): void {
    if (event.type === "open") return this.#header(event.header);
    if (event.type === "close") {
      this.#out.push({ type: "closed-by-component" });
      return this.#close();
    }
    const element = event.element;
    if (this.#state === "handshake") {
      if (!element.is("handshake", NS.client)) {
        return this.#fail("not-authorized");
      }
      this.#state = "verifying";
      this.#received = element.text();
      this.#out.push({
        type: "verify",
        streamId: this.#options.streamId,
        secret: this.#options.secrets[this.domain!],
        received: this.#received,
      });
      return;
    }
    this.#out.push({ type: "element", element });
    if (isStanza(element)) this.#stanza(element);
  }

  #header(header: XmlElement): void {
    const to = (header.attr("to") ?? "").toLowerCase();
    // Like Prosody: an unknown host gets an empty id, then host-unknown.
    const known = Object.hasOwn(this.#options.secrets, to);
    this.#write(
      `<?xml version='1.0'?><stream:stream xmlns:stream='${NS.streams}' xmlns='${NS.component}' id='${
        known ? this.#options.streamId : ""
      }' from='${escapeAttr(to)}'>`,
    );
    if (!header.is("stream", NS.streams)) {
      return this.#fail("invalid-namespace");
    }
    if (!known) return this.#fail("host-unknown");
    this.domain = to;
    this.#state = "handshake";
  }

  #digest(expected: string): void {
    if (this.#state !== "verifying") return;
    const domain = this.domain!;
    const digestOk = this.#received.trim().toLowerCase() === expected;
    const refused = this.#options.judgeHandshake?.(domain, digestOk) ??
      (!digestOk
        ? "not-authorized"
        : this.#options.isTaken(domain)
        ? "conflict"
        : undefined);
    if (refused) return this.#fail(refused);
    this.#write("<handshake/>");
    this.#state = "online";
    this.#out.push({ type: "online", domain });
    this.#drain();
  }

  #stanza(stanza: XmlElement): void {
    const from = stanza.attr("from");
    if (from === undefined) {
      this.#out.push({
        type: "stanza",
        stanza: stanza.withAttrs({ from: this.domain }),
      });
    } else if (tryParseJid(from)?.domain !== this.domain) {
      this.#fail(
        "invalid-from",
        `Component tried to send from address <${from}>`,
      );
    } else {
      this.#out.push({ type: "stanza", stanza });
    }
  }

  #write(text: string): void {
    this.#out.push({ type: "write", text });
  }

  #fail(condition: StreamErrorCondition, text?: string): void {
    this.#write(streamErrorXml(condition, text) + STREAM_CLOSE);
    this.#end();
  }

  #close(): void {
    this.#write(STREAM_CLOSE);
    this.#end();
  }

  #end(): void {
    this.#state = "closed";
    this.#pending = [];
    this.#out.push({ type: "close" });
  }
}
