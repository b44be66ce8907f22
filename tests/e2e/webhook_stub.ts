// Test support for the webhook end-to-end suite (README "Receiving (webhooks)"): a real HTTP endpoint, and a gateway + alice around it.

import { el, type XmlElement } from "../../src/xml/element.ts";
import { parseXml } from "../../src/xml/parser.ts";
import { canonicalize } from "../../src/xml/serialize.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import type { GatewayOptions } from "../../src/gateway.ts";
import type { C2sClient } from "../support/c2s_client.ts";
import { type GatewayEnv, startGatewayEnv } from "../support/gateway_env.ts";
import type { XmppServer } from "../support/xmpp_server.ts";

/**
 * Barrier iqs of {@linkcode WebhookEnv.exchange} go to `barrier@DOMAIN` with
 * id `barrier-N`; the stub answers them 204 and does not record them. It
 * spots them by the id in the body, or by the address in the path (for
 * `text/plain` bodies, which are empty for an iq: use `{to}` in the URL).
 */
const BARRIER = "barrier-";
const BARRIER_IN_PATH = "barrier%40";
/** Longest a slow answer holds its request (a failure bound; normally the gateway gives up first). */
const SLOW_CAP_MS = 15_000;

/** One end-to-end case; it gets a fresh server of the kind under test. */
export interface WebhookCase {
  /** What the case checks. */
  readonly name: string;
  /** Runs the case. */
  run(server: XmppServer, t: Deno.TestContext): Promise<void>;
}

/** One request the stub received. */
export interface RecordedRequest {
  /** HTTP method. */
  readonly method: string;
  /** Path and query exactly as sent (percent-encoding untouched). */
  readonly path: string;
  /** Request headers. */
  readonly headers: Headers;
  /** Body text. */
  readonly body: string;
}

/** Answers one request; `signal` aborts when the stub closes. */
export type Answer = (
  request: RecordedRequest,
  signal: AbortSignal,
) => Response | Promise<Response>;

/** `Response` helpers for the answers the cases use. */
export const reply = {
  json: (status: number, value: unknown): Response =>
    Response.json(value, { status }),
  xml: (status: number, xml: string): Response =>
    new Response(xml, {
      status,
      headers: { "content-type": "application/xmpp+xml" },
    }),
  text: (status: number, text: string): Response =>
    new Response(text, {
      status,
      headers: { "content-type": "text/plain; charset=utf-8" },
    }),
  empty: (status: number): Response => new Response(null, { status }),
  /** Holds the request past any gateway timeout the cases use (until the stub closes). */
  slow: async (_: RecordedRequest, signal: AbortSignal): Promise<Response> => {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, SLOW_CAP_MS);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
    return reply.json(200, { body: "too late" });
  },
};

/**
 * An HTTP webhook endpoint on `127.0.0.1:0`: records every request except
 * the harness's barrier iqs and answers with `answer` (POST) or `options`
 * (OPTIONS, the startup probe).
 */
export class WebhookStub implements AsyncDisposable {
  /** Requests received so far (barriers excluded), oldest first. */
  readonly requests: RecordedRequest[] = [];
  /** How POSTs are answered. Default 204. */
  answer: Answer = () => reply.empty(204);
  /** How the OPTIONS probe is answered. Default 200 without `Accept`. */
  options: Answer = () => reply.empty(200);
  #server: Deno.HttpServer<Deno.NetAddr>;
  #closing = new AbortController();
  #waiters: (() => void)[] = [];

  constructor() {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      (req) => this.#handle(req),
    );
  }

  /** `http://127.0.0.1:PORT` + `path`. */
  url(path = "/hook/{kind}"): string {
    return `http://127.0.0.1:${this.#server.addr.port}${path}`;
  }

  /** Takes the recorded requests, leaving the list empty. */
  take(): RecordedRequest[] {
    return this.requests.splice(0);
  }

  /** Takes the recorded POSTs (the probe's OPTIONS dropped), leaving the list empty. */
  takePosts(): RecordedRequest[] {
    return this.take().filter((r) => r.method === "POST");
  }

  /** The first recorded request that matches, waiting up to `timeoutMs` for it. */
  async waitFor(
    predicate: (request: RecordedRequest) => boolean,
    timeoutMs = 10_000,
  ): Promise<RecordedRequest> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.requests.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `Timed out waiting for a webhook request; got ${this.requests.length}: ${
            this.requests.map((r) => `${r.method} ${r.path} ${r.body}`)
              .join(" | ")
          }`,
        );
      }
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#closing.abort();
    await this.#server.shutdown();
  }

  async #handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const recorded: RecordedRequest = {
      method: req.method,
      path: url.pathname + url.search,
      headers: req.headers,
      body: await req.text(),
    };
    if (
      req.method === "POST" &&
      (recorded.body.includes(BARRIER) ||
        recorded.path.includes(BARRIER_IN_PATH))
    ) {
      return reply.empty(204);
    }
    this.requests.push(recorded);
    for (const wake of this.#waiters.splice(0)) wake();
    return await (req.method === "OPTIONS" ? this.options : this.answer)(
      recorded,
      this.#closing.signal,
    );
  }
}

/** A server, a webhook stub, a gateway posting to it, and alice logged in. */
export interface WebhookEnv extends AsyncDisposable {
  /** The XMPP server. */
  readonly server: XmppServer;
  /** The webhook endpoint. */
  readonly stub: WebhookStub;
  /** The gateway env. */
  readonly env: GatewayEnv;
  /** The gateway's component domain. */
  readonly domain: string;
  /** The c2s party that talks to the component. */
  readonly alice: C2sClient;
  /**
   * Alice sends the stanzas; resolves once the gateway has handled every one
   * of them and its replies have reached alice, with what alice received
   * meanwhile (in order).
   */
  exchange(...stanzas: XmlElement[]): Promise<XmlElement[]>;
}

/**
 * Starts a stub and a gateway on the server's first component (`callbackUrl`
 * defaults to the stub's `/hook/{kind}`; pass `stub` to keep one across envs).
 */
export async function startWebhookEnv(
  server: XmppServer,
  options: Partial<GatewayOptions> = {},
  existing?: WebhookStub,
): Promise<WebhookEnv> {
  const stub = existing ?? new WebhookStub();
  let env: GatewayEnv | undefined;
  try {
    env = await startGatewayEnv(server, {
      callbackUrl: stub.url(),
      ...options,
    });
    const alice = await env.party("alice");
    return webhookEnv(server, stub, env, alice, existing === undefined);
  } catch (error) {
    await env?.[Symbol.asyncDispose]();
    if (!existing) await stub[Symbol.asyncDispose]();
    throw error;
  }
}

function webhookEnv(
  server: XmppServer,
  stub: WebhookStub,
  env: GatewayEnv,
  alice: C2sClient,
  ownStub: boolean,
): WebhookEnv {
  let rounds = 0;
  return {
    server,
    stub,
    env,
    alice,
    domain: env.domain,
    async exchange(...stanzas) {
      const round = ++rounds;
      const barrier = `${BARRIER}${round}`;
      const end = `end-${round}`;
      for (const stanza of stanzas) alice.send(stanza);
      // The component gets alice's stanzas in order, so once the barrier iq
      // is answered every stanza before it has been handed to the webhook.
      alice.send(el("iq", NS.client, {
        type: "get",
        to: `barrier@${env.domain}`,
        id: barrier,
      }, el("ping", NS.ping)));
      const received: XmlElement[] = [];
      for (;;) {
        const stanza = await alice.next();
        if (stanza.name === "iq" && stanza.attr("id") === barrier) break;
        received.push(stanza);
      }
      await env.gateway.webhook?.drain();
      // Every reply has been written to the component stream; this marker
      // follows them on it.
      env.gateway.component.send(
        el("message", NS.client, { to: alice.jid, id: end }),
      );
      for (;;) {
        const stanza = await alice.next();
        if (stanza.name === "message" && stanza.attr("id") === end) break;
        received.push(stanza);
      }
      return received;
    },
    async [Symbol.asyncDispose]() {
      await env[Symbol.asyncDispose]();
      if (ownStub) await stub[Symbol.asyncDispose]();
    },
  };
}

/** `{D}` -> the component domain, `{A}` -> alice's full JID, `{a}` -> her bare JID. */
export function fill(xml: string, w: WebhookEnv): string {
  return xml.replaceAll("{D}", w.domain).replaceAll("{A}", w.alice.jid)
    .replaceAll("{a}", w.alice.jid.split("/")[0]);
}

/** The `id` of a recorded XML, JSON or form body. */
export function idOf(request: RecordedRequest): string | null {
  const xml = /^<\w+[^>]*\sid="([^"]*)"/.exec(request.body);
  if (xml) return xml[1];
  try {
    return JSON.parse(request.body).id;
  } catch {
    return new URLSearchParams(request.body).get("id");
  }
}

/** The JSON of a recorded body, or undefined when it is not JSON. */
export function jsonOf(
  request: RecordedRequest,
): Record<string, unknown> | undefined {
  try {
    return JSON.parse(request.body);
  } catch {
    return undefined;
  }
}

/** Parses a stanza in `jabber:client` (the form alice sends and receives). */
export function stanza(xml: string): XmlElement {
  return parseXml(xml, { defaultNamespace: NS.client });
}

/**
 * Canonical XML of a received stanza, compared with `expected`: an `id` of
 * `*` there means "any id" (generated by the gateway), and the top-level
 * `xml:lang` is ignored unless expected (the server stamps its default
 * language, Prosody "en", on what it routes to clients).
 */
export function comparable(
  received: XmlElement,
  expected?: XmlElement,
): string {
  let stanza = received;
  if (expected?.attr("xml:lang") === undefined) {
    stanza = stanza.withAttrs({ "xml:lang": undefined });
  }
  if (expected?.attr("id") === "*") stanza = stanza.withAttrs({ id: "*" });
  return canonicalize(stanza);
}

/** What alice received and what was expected, as canonical lists for `assert.deepEqual`. */
export function compareStanzas(
  received: readonly XmlElement[],
  expected: readonly XmlElement[],
): { got: string[]; want: string[] } {
  return {
    got: received.map((s, i) => comparable(s, expected[i])),
    want: expected.map((s) => canonicalize(s)),
  };
}
