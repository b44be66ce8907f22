// Helpers for the XEP-0114 client tests: an in-memory fake server, a connected client, a write spy.

import type { ComponentOptions } from "../../src/component/api.ts";
import type { Dial } from "../../src/component/connection.ts";
import {
  type ComponentClient,
  createComponent,
} from "../../src/component/mod.ts";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { FakeXmppServer } from "../support/fake_server.ts";

/** The component domain of these tests. */
export const DOMAIN = "gw.localhost";
/** Its secret. */
export const SECRET = "s3cret";

/** An in-memory fake server that knows the component. */
export function fakeServer(): FakeXmppServer {
  return FakeXmppServer.memory({ components: { [DOMAIN]: SECRET } });
}

/** A client of `server`, online. */
export async function connect(
  server: FakeXmppServer,
  overrides: Partial<ComponentOptions> = {},
): Promise<ComponentClient> {
  const client = createComponent({
    domain: DOMAIN,
    secret: SECRET,
    dial: server.dial,
    backoff: { baseMs: 5, capMs: 20 },
    closeTimeoutMs: 200,
    ...overrides,
  });
  client.start();
  await client.waitOnline();
  return client;
}

/** Records what the client writes; `stall` holds writes until released. */
export function spy(dial: Dial) {
  const record = { written: "", stalled: false, release: () => {} };
  let gate: Promise<void> = Promise.resolve();
  const wrapped: Dial = async (address) => {
    const socket = await dial(address);
    const inner = socket.writable.getWriter();
    const writable = new WritableStream<Uint8Array>({
      async write(chunk) {
        record.written += new TextDecoder().decode(chunk);
        await gate;
        await inner.write(chunk);
      },
    });
    return { readable: socket.readable, writable, close: () => socket.close() };
  };
  return {
    record,
    dial: wrapped,
    stall() {
      gate = new Promise((resolve) => record.release = resolve);
    },
  };
}

/** A message with a body. */
export const message = (attrs: Record<string, string>): XmlElement =>
  el("message", NS.client, attrs, el("body", NS.client, {}, "hi"));
/** An iq get ping. */
export const ping = (to: string): XmlElement =>
  el("iq", NS.client, { type: "get", to }, el("ping", NS.ping));
