// JSON mapping: RFC 6121 message fields and XEP-0085/0066/0308/0333/0359/0367/0372/0380/0421/0428/0444/0461/0249 (README "Message fields").

import { el, type XmlElement } from "../xml/element.ts";
import { NS } from "../xmpp/namespaces.ts";
import { attrs, schemaCodec } from "./datamap.ts";
import { forwardCodecs } from "./forward.ts";
import { htmlCodec } from "./html.ts";
import {
  at,
  compact,
  expectArray,
  expectEnum,
  expectObject,
  expectString,
  optional,
} from "./shape.ts";
import type { FieldCodec } from "./types.ts";

/** Namespaces of the message extensions mapped here. */
const MESSAGE_NS = {
  chatstates: "http://jabber.org/protocol/chatstates",
  oob: "jabber:x:oob",
  correct: "urn:xmpp:message-correct:0",
  reactions: "urn:xmpp:reactions:0",
  reply: "urn:xmpp:reply:0",
  fallback: "urn:xmpp:fallback:0",
  occupantId: "urn:xmpp:occupant-id:0",
  attaching: "urn:xmpp:message-attaching:1",
  sid: "urn:xmpp:sid:0",
  reference: "urn:xmpp:reference:0",
  markers: "urn:xmpp:chat-markers:0",
  eme: "urn:xmpp:eme:0",
  conference: "jabber:x:conference",
} as const;

/** XEP-0085 chat states, in the order they are looked for. */
export const CHAT_STATES = [
  "active",
  "inactive",
  "gone",
  "composing",
  "paused",
] as const;

const M = ["message"] as const;

/** `thread`: `{ "id", "parent" }` ⇄ `<thread parent="…">id</thread>`. */
const threadCodec: FieldCodec = {
  key: "thread",
  kinds: M,
  read(stanza) {
    const thread = stanza.getChild("thread", NS.client);
    if (!thread) return undefined;
    return compact({ id: thread.text(), parent: thread.attr("parent") });
  },
  write(value, ctx) {
    const thread = expectObject(value, ctx);
    const id = optional(thread, "id", ctx, expectString);
    const parent = optional(thread, "parent", ctx, expectString);
    return [el("thread", NS.client, { parent }, id || undefined)];
  },
};

/** `state`: XEP-0085, the element name is the value. */
const stateCodec: FieldCodec = {
  key: "state",
  kinds: M,
  read(stanza) {
    return CHAT_STATES.find((s) => stanza.getChild(s, MESSAGE_NS.chatstates));
  },
  write: (value, ctx) => [
    el(expectEnum(value, ctx, CHAT_STATES), MESSAGE_NS.chatstates),
  ],
};

/** `oob`: XEP-0066 `{ "url", "desc" }` ⇄ `<x xmlns="jabber:x:oob"><url/><desc/></x>`. */
const oobCodec: FieldCodec = {
  key: "oob",
  kinds: M,
  read(stanza) {
    const x = stanza.getChild("x", MESSAGE_NS.oob);
    if (!x) return undefined;
    return compact({
      url: x.getChildText("url"),
      desc: x.getChildText("desc"),
    });
  },
  write(value, ctx) {
    const oob = expectObject(value, ctx);
    const url = optional(oob, "url", ctx, expectString);
    const desc = optional(oob, "desc", ctx, expectString);
    return [oobElement(url, desc)];
  },
};

function oobElement(url?: string, desc?: string): XmlElement {
  const ns = MESSAGE_NS.oob;
  return el(
    "x",
    ns,
    {},
    url !== undefined && el("url", ns, {}, url || undefined),
    desc !== undefined && el("desc", ns, {}, desc || undefined),
  );
}

/**
 * `oob_url`: mod_rest's hand-written XEP-0066 shortcut. Output: the `<url>`
 * of the last `<x xmlns="jabber:x:oob">` (so a message carries both `oob`
 * and `oob_url`); input: an `<x>` with only `<url>`.
 */
const oobUrlCodec: FieldCodec = {
  key: "oob_url",
  kinds: M,
  handwritten: true,
  read(stanza) {
    const all = stanza.getChildren("x", MESSAGE_NS.oob);
    return all.length === 0
      ? undefined
      : all[all.length - 1].getChildText("url");
  },
  write: (value, ctx) => [oobElement(expectString(value, ctx))],
};

/** `reactions`: XEP-0444 `{ "id", "reactions": [string] }`; an empty list reads as absent. */
const reactionsCodec: FieldCodec = {
  key: "reactions",
  kinds: M,
  read(stanza) {
    const r = stanza.getChild("reactions", MESSAGE_NS.reactions);
    if (!r) return undefined;
    const list = r.getChildren("reaction").map((c) => c.text());
    return compact({
      id: r.attr("id"),
      reactions: list.length > 0 ? list : undefined,
    });
  },
  write(value, ctx) {
    const r = expectObject(value, ctx);
    const id = optional(r, "id", ctx, expectString);
    const list = optional(r, "reactions", ctx, expectArray) ?? [];
    const ns = MESSAGE_NS.reactions;
    const items = list.map((item, i) =>
      el(
        "reaction",
        ns,
        {},
        expectString(item, at(ctx, "reactions", i)) || undefined,
      )
    );
    return [el("reactions", ns, { id }, ...items)];
  },
};

/** `stanza_ids`: XEP-0359 `[ { "id", "by" } ]` ⇄ repeated `<stanza-id/>`; none reads as absent. */
const stanzaIdsCodec: FieldCodec = schemaCodec("stanza_ids", M, {
  at: "list",
  item: {
    at: "element",
    name: "stanza-id",
    ns: MESSAGE_NS.sid,
    props: attrs({ id: "string", by: "string" }),
  },
});

/** Codecs of this file, in JSON output order (message only). */
export const messageCodecs: readonly FieldCodec[] = [
  schemaCodec("body", M, { at: "child", type: "string", name: "body" }),
  schemaCodec("subject", M, { at: "child", type: "string", name: "subject" }),
  threadCodec,
  stateCodec,
  htmlCodec,
  oobCodec,
  oobUrlCodec,
  schemaCodec("replace", M, {
    at: "child-attr",
    type: "string",
    name: "replace",
    ns: MESSAGE_NS.correct,
    attr: "id",
  }),
  reactionsCodec,
  schemaCodec("reply", M, {
    at: "element",
    name: "reply",
    ns: MESSAGE_NS.reply,
    props: attrs({ to: "string", id: "string" }),
  }),
  schemaCodec("fallback", M, {
    at: "flag",
    name: "fallback",
    ns: MESSAGE_NS.fallback,
  }),
  schemaCodec("occupant_id", M, {
    at: "child-attr",
    type: "string",
    name: "occupant-id",
    ns: MESSAGE_NS.occupantId,
    attr: "id",
  }),
  schemaCodec("attach_to", M, {
    at: "child-attr",
    type: "string",
    name: "attach-to",
    ns: MESSAGE_NS.attaching,
    attr: "id",
  }),
  stanzaIdsCodec,
  schemaCodec("reference", M, {
    at: "element",
    name: "reference",
    ns: MESSAGE_NS.reference,
    props: attrs({ type: "string", uri: "string", begin: "uint", end: "uint" }),
  }),
  schemaCodec("markable", M, {
    at: "flag",
    name: "markable",
    ns: MESSAGE_NS.markers,
  }),
  schemaCodec("displayed", M, {
    at: "child-attr",
    type: "string",
    name: "displayed",
    ns: MESSAGE_NS.markers,
    attr: "id",
  }),
  schemaCodec("encryption", M, {
    at: "child-attr",
    type: "string",
    name: "encryption",
    ns: MESSAGE_NS.eme,
    attr: "namespace",
  }),
  schemaCodec("invite", M, {
    at: "element",
    name: "x",
    ns: MESSAGE_NS.conference,
    props: attrs({
      jid: "string",
      reason: "string",
      password: "string",
      thread: "string",
      continue: "boolean",
    }),
  }),
  ...forwardCodecs,
];
