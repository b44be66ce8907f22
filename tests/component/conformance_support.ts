// XEP-0114 conformance suite support: the back-end interface and helpers shared by the case files.

import {
  type ComponentClient,
  type ComponentOptions,
  createComponent,
} from "../../src/component/mod.ts";
import type { ComponentState } from "../../src/component/session.ts";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { silentLogger } from "../../src/logger.ts";
import type { Party } from "../support/inbox.ts";
import type { ServerFamily } from "./conformance_servers.ts";

/** A server the cases run against. */
export interface ComponentBackend extends AsyncDisposable {
  /** The server's own domain (answers ping, version, disco#info). */
  readonly serverDomain: string;
  /** Which real server this is, where answers differ (conformance_servers.ts). Default `prosody`. */
  readonly server?: ServerFamily;
  /** Two component domains the server accepts. */
  readonly domains: readonly [string, string];
  /** Options to connect as `domain` (secret, server, dial), with overrides. */
  options(
    domain: string,
    overrides?: Partial<ComponentOptions>,
  ): ComponentOptions;
  /** A logged-in user of the server domain, e.g. `alice`. */
  party(localpart: string): Promise<Party>;
  /** Stops the server and starts it again on the same address. */
  restart(): Promise<void>;
}

/** One conformance case. */
export interface ConformanceCase {
  /** What the case checks. */
  name: string;
  /** Runs the case. */
  run(backend: ComponentBackend): Promise<void>;
}

/** Defaults every case uses: fast reconnects, no log output. */
export const TEST_DEFAULTS: Partial<ComponentOptions> = {
  backoff: { baseMs: 20, capMs: 200 },
  handshakeTimeoutMs: 5_000,
  closeTimeoutMs: 1_000,
  logger: silentLogger,
};

/** Bound for waits inside the cases (a failure bound, never asserted). */
export const WAIT_MS = 10_000;

/** Starts a component and waits until it is online. */
export async function online(
  backend: ComponentBackend,
  domain: string,
  overrides: Partial<ComponentOptions> = {},
): Promise<ComponentClient> {
  const client = createComponent(
    backend.options(domain, { ...TEST_DEFAULTS, ...overrides }),
  );
  client.start();
  try {
    await client.waitOnline({ signal: AbortSignal.timeout(WAIT_MS) });
  } catch (error) {
    await client.stop();
    throw error;
  }
  return client;
}

/** An iq get/set with one payload. */
export function iq(
  type: "get" | "set",
  to: string | undefined,
  payload: XmlElement,
): XmlElement {
  return el("iq", NS.client, { type, to }, payload);
}

/** An XEP-0199 ping payload. */
export const ping = (): XmlElement => el("ping", NS.ping);
/** A message body. */
export const body = (text: string): XmlElement =>
  el("body", NS.client, {}, text);

/** Resolves with the first stanza the handler sees that matches. */
export function nextStanza(
  client: ComponentClient,
  predicate: (stanza: XmlElement) => boolean,
  answer = false,
): Promise<XmlElement> {
  return new Promise((resolve) => {
    client.setStanzaHandler((stanza) => {
      if (!predicate(stanza)) return false;
      resolve(stanza);
      return answer;
    });
  });
}

/** Collects the names of the states the client goes through. */
export function recordStates(
  client: ComponentClient,
): ComponentState["name"][] {
  const names: ComponentState["name"][] = [];
  client.onStateChange((state) => names.push(state.name));
  return names;
}
