// Helpers for the REST sending API end-to-end cases (mod_rest sections 1-4 over a real XMPP server).

import { el, type XmlElement } from "../../src/xml/element.ts";
import { parseXml } from "../../src/xml/parser.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { C2sClient } from "../support/c2s_client.ts";
import type { GatewayEnv } from "../support/gateway_env.ts";
import type { XmppServer } from "../support/xmpp_server.ts";

/** What every case gets: the server, a gateway on it, and alice logged in. */
export interface RestContext {
  /** The XMPP server. */
  readonly server: XmppServer;
  /** The gateway (its first component domain). */
  readonly env: GatewayEnv;
  /** A c2s user, available (initial presence sent). */
  readonly alice: C2sClient;
}

/** One end-to-end case. */
export interface RestCase {
  /** What it checks. */
  readonly name: string;
  /** Runs against a shared context; throws on failure. */
  run(ctx: RestContext): Promise<void>;
}

/** Cases that share one server and gateway. */
export interface RestGroup {
  /** Group name. */
  readonly name: string;
  /** The cases, run in order. */
  readonly cases: readonly RestCase[];
}

/** Media types used by the cases. */
export const MEDIA = {
  json: "application/json",
  xml: "application/xmpp+xml",
  form: "application/x-www-form-urlencoded",
  text: "text/plain",
} as const;

/** Logs a user in with initial presence, so that bare-JID messages reach it. */
export function connectParty(
  server: XmppServer,
  localpart: string,
  resource = "rest",
): Promise<C2sClient> {
  return C2sClient.connect({
    port: server.c2sPort,
    domain: server.host,
    username: localpart,
    password: server.users[localpart],
    resource,
    presence: true,
  });
}

/** POSTs a body (a JSON value unless already a string) to `path` with the test token. */
export function post(
  env: GatewayEnv,
  body: unknown,
  options: {
    path?: string;
    type?: string;
    accept?: string;
    headers?: HeadersInit;
  } = {},
): Promise<Response> {
  const headers = new Headers(options.headers);
  headers.set("Content-Type", options.type ?? MEDIA.json);
  if (options.accept) headers.set("Accept", options.accept);
  return env.fetch(options.path ?? "/rest", {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Parses a stanza from an HTTP body (no `xmlns`: `jabber:client` implied). */
export function parseStanza(text: string): XmlElement {
  return parseXml(text, { defaultNamespace: NS.client });
}

/** The next stanza `party` receives with this id (a failure bound, not a timing). */
export function receive(party: C2sClient, id: string): Promise<XmlElement> {
  return party.next((s) => s.attr("id") === id);
}

/** The next iq get/set `party` receives with this id. */
export function receiveIq(party: C2sClient, id: string): Promise<XmlElement> {
  return party.next((s) =>
    s.is("iq", NS.client) && s.attr("id") === id &&
    (s.attr("type") === "get" || s.attr("type") === "set")
  );
}

/** Answers a received iq with a result carrying `payload`. */
export function answer(
  party: C2sClient,
  iq: XmlElement,
  payload?: XmlElement,
): void {
  party.send(el("iq", NS.client, {
    type: "result",
    id: iq.attr("id"),
    to: iq.attr("from"),
  }, payload));
}

/** An XEP-0092 version result payload. */
export function versionPayload(name: string, version: string): XmlElement {
  return el(
    "query",
    "jabber:iq:version",
    {},
    el("name", "jabber:iq:version", {}, name),
    el("version", "jabber:iq:version", {}, version),
  );
}

/**
 * Sends a marker message through the gateway and waits for it: anything
 * the gateway sent `party` before the marker has arrived by then (one
 * stream keeps order), so "nothing received" needs no sleep.
 */
export async function receivedBefore(
  ctx: RestContext,
  ids: readonly string[],
): Promise<string[]> {
  const marker = `marker-${crypto.randomUUID()}`;
  const res = await post(ctx.env, {
    kind: "message",
    to: ctx.alice.jid,
    id: marker,
    body: "marker",
  });
  await res.body?.cancel();
  const seen: string[] = [];
  for (;;) {
    const s = await ctx.alice.next((s) =>
      s.attr("id") === marker || ids.includes(s.attr("id") ?? "")
    );
    if (s.attr("id") === marker) return seen;
    seen.push(s.attr("id")!);
  }
}

/** `Authorization: Basic` for a user and password. */
export function basic(user: string, password: string): string {
  return `Basic ${btoa(`${user}:${password}`)}`;
}
