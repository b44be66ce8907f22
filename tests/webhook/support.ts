// Shared fixtures for the webhook tests: incoming stanzas and canonical expectations.

import { el, type XmlElement, type XmlNode } from "../../src/xml/element.ts";
import { canonicalize } from "../../src/xml/serialize.ts";
import { NS } from "../../src/xmpp/namespaces.ts";

export const C = NS.client;
export const BOT = "bot@rest.example.net";
export const ALICE = "alice@example.org/phone";

/** A stanza from Alice to the bot. */
export function incoming(
  name: "message" | "presence" | "iq",
  attrs: Record<string, string | undefined>,
  ...children: (XmlNode | undefined | false)[]
): XmlElement {
  return el(name, C, { from: ALICE, to: BOT, ...attrs }, ...children);
}

export const IQ_GET = incoming(
  "iq",
  { type: "get", id: "q1" },
  el("ping", NS.ping),
);
export const IQ_SET = incoming(
  "iq",
  { type: "set", id: "q2" },
  el("query", "jabber:iq:register"),
);
export const IQ_RESULT = incoming("iq", { type: "result", id: "q3" });
export const IQ_ERROR = incoming(
  "iq",
  { type: "error", id: "q4" },
  el("error", C, { type: "cancel" }, el("item-not-found", NS.stanzas)),
);
export const MSG = incoming(
  "message",
  { type: "chat", id: "m1" },
  el("body", C, {}, "hi"),
);
export const MSG_NO_TYPE = incoming(
  "message",
  { id: "m2" },
  el("body", C, {}, "hi"),
);
export const MSG_RECEIPT = incoming(
  "message",
  { type: "chat", id: "m3" },
  el("body", C, {}, "ack?"),
  el("request", NS.receipts),
);
export const MSG_RECEIPT_NO_ID = incoming(
  "message",
  { type: "chat" },
  el("body", C, {}, "ack?"),
  el("request", NS.receipts),
);
export const MSG_ERROR = incoming(
  "message",
  { type: "error", id: "m4" },
  el("error", C, { type: "cancel" }, el("item-not-found", NS.stanzas)),
);
export const PRES = incoming("presence", { id: "p1" });

/**
 * The canonical form (see canonicalize()) of a jabber:client stanza with
 * these attributes and this already-canonical inner XML.
 */
export function stanza(
  name: string,
  attrs: Record<string, string | undefined>,
  inner = "",
): string {
  const keys = Object.keys(attrs).filter((k) => attrs[k] !== undefined).sort();
  const head = `<${name} xmlns="${C}"` +
    keys.map((k) => ` ${k}="${attrs[k]}"`).join("");
  return inner === "" ? head + "/>" : `${head}>${inner}</${name}>`;
}

/** Canonical `<error>` inner XML. */
export function error(type: string, condition: string, text?: string): string {
  const parts = [`<${condition} xmlns="${NS.stanzas}"/>`];
  if (text !== undefined) {
    parts.push(`<text xmlns="${NS.stanzas}">${text}</text>`);
  }
  return `<error type="${type}">${parts.sort().join("")}</error>`;
}

/** Canonical forms of several elements. */
export function canon(elements: readonly XmlElement[]): string[] {
  return elements.map((e) => canonicalize(e));
}

/** Ids "rnd1", "rnd2", ... */
export function counterIds(): () => string {
  let n = 0;
  return () => `rnd${++n}`;
}
