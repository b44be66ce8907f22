// JSON mapping: RFC 6121 section 4.7 presence fields and XEP-0045/0115/0153/0319 (README "Presence fields").

import { el } from "../xml/element.ts";
import { NS } from "../xmpp/namespaces.ts";
import { attrs, schemaCodec } from "./datamap.ts";
import {
  compact,
  expectBoolean,
  expectEnum,
  expectInteger,
  expectObject,
  expectString,
  optional,
  xmlInteger,
} from "./shape.ts";
import type { FieldCodec } from "./types.ts";

/** Namespaces of the presence extensions mapped here. */
const PRESENCE_NS = {
  caps: "http://jabber.org/protocol/caps",
  vcardUpdate: "vcard-temp:x:update",
  idle: "urn:xmpp:idle:1",
  muc: "http://jabber.org/protocol/muc",
} as const;

/** RFC 6121 `<show/>` values. */
export const SHOW_VALUES = ["away", "chat", "dnd", "xa"] as const;

/** Presence priority range (RFC 6121 section 4.7.2.3). */
export const PRIORITY_RANGE = { min: -128, max: 127 } as const;

const P = ["presence"] as const;

/**
 * `show`: one of the RFC 6121 values both ways. A value outside the enum
 * reads as absent (mod_rest echoes it), so that JSON output is always
 * acceptable input.
 */
const showCodec: FieldCodec = {
  key: "show",
  kinds: P,
  read(stanza) {
    const show = stanza.getChildText("show", NS.client);
    return SHOW_VALUES.find((v) => v === show);
  },
  write: (value, ctx) => [
    el("show", NS.client, {}, expectEnum(value, ctx, SHOW_VALUES)),
  ],
};

/** `priority`: integer −128..127; text that is not such an integer reads as absent. */
const priorityCodec: FieldCodec = {
  key: "priority",
  kinds: P,
  read(stanza) {
    const n = xmlInteger(stanza.getChildText("priority", NS.client));
    return n !== undefined && n >= PRIORITY_RANGE.min &&
        n <= PRIORITY_RANGE.max
      ? n
      : undefined;
  },
  write: (value, ctx) => [
    el(
      "priority",
      NS.client,
      {},
      String(expectInteger(value, ctx, PRIORITY_RANGE)),
    ),
  ],
};

/** `vcard_update`: XEP-0153 `{ "photo": sha1 }`; an empty `<photo/>` reads as "". */
const vcardUpdateCodec: FieldCodec = {
  key: "vcard_update",
  kinds: P,
  read(stanza) {
    const x = stanza.getChild("x", PRESENCE_NS.vcardUpdate);
    return x ? compact({ photo: x.getChildText("photo") }) : undefined;
  },
  write(value, ctx) {
    const photo = optional(
      expectObject(value, ctx),
      "photo",
      ctx,
      expectString,
    );
    const ns = PRESENCE_NS.vcardUpdate;
    return [
      el(
        "x",
        ns,
        {},
        photo !== undefined && el("photo", ns, {}, photo || undefined),
      ),
    ];
  },
};

/** `muc`: XEP-0045 join `{ "history": { maxchars, maxstanzas, seconds, since } }`; `{}` is a bare join. */
const mucCodec: FieldCodec = schemaCodec("muc", P, {
  at: "element",
  name: "x",
  ns: PRESENCE_NS.muc,
  props: {
    history: {
      at: "element",
      props: attrs({
        maxchars: "uint",
        maxstanzas: "uint",
        seconds: "uint",
        since: "string",
      }),
    },
  },
});

/**
 * `join`: input-only compatibility with the 2020 API: `true` is a bare MUC
 * join (`muc: {}`) unless the object also has `muc`.
 */
const joinCodec: FieldCodec = {
  key: "join",
  kinds: P,
  read: () => undefined,
  write(value, ctx) {
    const join = expectBoolean(value, ctx);
    const muc = ctx.stanza?.muc;
    if (!join || (muc !== undefined && muc !== null)) return [];
    return [el("x", PRESENCE_NS.muc)];
  },
};

/** Codecs of this file, in JSON output order (presence only). */
export const presenceCodecs: readonly FieldCodec[] = [
  showCodec,
  schemaCodec("status", P, { at: "child", type: "string", name: "status" }),
  priorityCodec,
  schemaCodec("caps", P, {
    at: "element",
    name: "c",
    ns: PRESENCE_NS.caps,
    props: attrs({
      ext: "string",
      hash: "string",
      node: "string",
      ver: "string",
    }),
  }),
  vcardUpdateCodec,
  schemaCodec("idle_since", P, {
    at: "child-attr",
    type: "string",
    name: "idle",
    ns: PRESENCE_NS.idle,
    attr: "since",
  }),
  mucCodec,
  joinCodec,
];
