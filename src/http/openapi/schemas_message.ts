// JSON Schemas of the message, presence and shared fields of the JSON mapping (README "Message fields", "Presence fields"; RFC 6121, XEP-0085 and friends).

import { CHAT_STATES } from "../../jsonmap/message.ts";
import { PRIORITY_RANGE, SHOW_VALUES } from "../../jsonmap/presence.ts";
import { bool, int, type JsonSchema, list, obj, ref, str } from "./types.ts";

const stamp = (what: string): JsonSchema =>
  str(`${what} (XEP-0082 date-time)`, {
    format: "date-time",
    examples: ["2024-05-01T12:00:00Z"],
  });

const uint = (description: string): JsonSchema =>
  int(description, { minimum: 0 });

/** Reusable schemas of message, presence and shared fields, by component name. */
export const MESSAGE_SCHEMAS: { readonly [name: string]: JsonSchema } = {
  Thread: obj("RFC 6121 `<thread parent>id</thread>`", {
    id: str("Thread identifier"),
    parent: str("Parent thread identifier"),
  }),
  Oob: obj("XEP-0066 `<x xmlns='jabber:x:oob'>`", {
    url: str("URL", { format: "uri" }),
    desc: str("Description"),
  }),
  Reactions: obj("XEP-0444 `<reactions xmlns='urn:xmpp:reactions:0'>`", {
    id: str("Id of the message reacted to"),
    reactions: list(str("One reaction (emoji)"), "Reactions"),
  }),
  Reply: obj("XEP-0461 `<reply xmlns='urn:xmpp:reply:0'>`", {
    to: str("JID of the author of the message replied to"),
    id: str("Id of the message replied to"),
  }),
  StanzaId: obj("XEP-0359 `<stanza-id xmlns='urn:xmpp:sid:0'>`", {
    id: str("The unique id"),
    by: str("JID of the entity that assigned it"),
  }),
  Reference: obj("XEP-0372 `<reference xmlns='urn:xmpp:reference:0'>`", {
    type: str("Reference type, e.g. `mention`"),
    uri: str("Referenced URI", { format: "uri" }),
    begin: uint("First character (inclusive)"),
    end: uint("Last character (exclusive)"),
  }),
  Invite: obj(
    "XEP-0249 direct MUC invitation `<x xmlns='jabber:x:conference'>`",
    {
      jid: str("Room JID"),
      reason: str("Reason"),
      password: str("Room password"),
      thread: str("Thread to continue"),
      continue: bool("Continues a one-to-one chat"),
    },
  ),
  Forwarded: obj("XEP-0297 `<forwarded xmlns='urn:xmpp:forward:0'>`", {
    delay: stamp("When the forwarded message was originally sent"),
    message: ref("ForwardedMessage"),
  }),
  MessageArchive: obj(
    "XEP-0313 MAM result carried by a message: `<result xmlns='urn:xmpp:mam:2' queryid id><forwarded/></result>`",
    {
      queryid: str("The query this result answers"),
      id: str("Archive id of the message"),
      forward: ref("Forwarded"),
    },
  ),
  Payload: obj(
    "XEP-0335/0432 JSON payload `<payload xmlns='urn:xmpp:json-msg:0' datatype>`",
    {
      datatype: str("Data type name"),
      data: { description: "Any JSON value (carried as JSON text)" },
    },
  ),
  Rsm: obj(
    "XEP-0059 result set management `<set xmlns='http://jabber.org/protocol/rsm'>`",
    {
      after: str("Page after this item id"),
      before: str("Page before this item id (empty: last page)"),
      first: str("First item id of this page"),
      last: str("Last item id of this page"),
      count: uint("Total number of items"),
      index: uint("Index of the first item"),
      max: uint("Largest page size"),
    },
  ),
  Caps: obj(
    "XEP-0115 entity capabilities `<c xmlns='http://jabber.org/protocol/caps'>`",
    {
      ext: str("Legacy extensions"),
      hash: str("Hash function, e.g. `sha-1`"),
      node: str("Software URI"),
      ver: str("Verification string"),
    },
  ),
  VcardUpdate: obj("XEP-0153 `<x xmlns='vcard-temp:x:update'>`", {
    photo: str("SHA-1 of the avatar; empty: no avatar"),
  }),
  Muc: obj(
    "XEP-0045 MUC join `<x xmlns='http://jabber.org/protocol/muc'>`; `{}` is a bare join",
    {
      history: obj("`<history/>`: how much discussion history to receive", {
        maxchars: uint("Characters"),
        maxstanzas: uint("Messages"),
        seconds: uint("Seconds back"),
        since: stamp("Messages since"),
      }),
    },
  ),
};

/** Message fields of the JSON mapping (key -> schema). */
export const MESSAGE_FIELDS: { readonly [key: string]: JsonSchema } = {
  body: str("`<body>`: the message text"),
  subject: str("`<subject>`"),
  thread: ref("Thread"),
  state: str("XEP-0085 chat state", { enum: CHAT_STATES }),
  html: str(
    "XEP-0071 XHTML-IM: an XHTML `<body>…</body>` as a string (parsed as XML inside the `<html>` wrapper)",
    { examples: ["<body><p>Hello <b>world</b></p></body>"] },
  ),
  oob: ref("Oob"),
  oob_url: str(
    "XEP-0066 URL shortcut: `<x xmlns='jabber:x:oob'><url/></x>`; output carries it beside `oob`",
    { format: "uri" },
  ),
  replace: str("XEP-0308 last message correction: id of the corrected message"),
  reactions: ref("Reactions"),
  reply: ref("Reply"),
  fallback: bool("XEP-0428 `<fallback/>` present"),
  occupant_id: str("XEP-0421 occupant id"),
  attach_to: str("XEP-0367 id of the message this one is attached to"),
  stanza_ids: list(ref("StanzaId"), "XEP-0359 stanza ids"),
  reference: ref("Reference"),
  markable: bool("XEP-0333 `<markable/>` present"),
  displayed: str("XEP-0333 id of the message displayed"),
  encryption: str("XEP-0380 namespace of the encryption used"),
  invite: ref("Invite"),
  archive: ref("MessageArchive"),
  forwarded: ref("Forwarded"),
};

/** Presence fields of the JSON mapping (key -> schema). */
export const PRESENCE_FIELDS: { readonly [key: string]: JsonSchema } = {
  show: str("RFC 6121 `<show>`", { enum: SHOW_VALUES }),
  status: str("RFC 6121 `<status>`"),
  priority: int("RFC 6121 `<priority>`", {
    minimum: PRIORITY_RANGE.min,
    maximum: PRIORITY_RANGE.max,
  }),
  caps: ref("Caps"),
  vcard_update: ref("VcardUpdate"),
  idle_since: stamp("XEP-0319 idle since"),
  muc: ref("Muc"),
  join: bool(
    "Input only: `true` is a bare MUC join (`muc: {}`) unless `muc` is given",
  ),
};

/** Fields of the JSON mapping on every kind (key -> schema). */
export const COMMON_FIELDS: { readonly [key: string]: JsonSchema } = {
  nick: str("XEP-0172 `<nick xmlns='http://jabber.org/protocol/nick'>`"),
  delay: stamp("XEP-0203 `<delay stamp>`"),
  payload: ref("Payload"),
  disco: ref("Disco"),
  items: ref("DiscoItems"),
  command: ref("Command"),
  dataform: ref("DataForm"),
  formdata: {
    ...ref("FormValues"),
    description: "Input only: a values-only data form `{var: value}`",
  },
  rsm: ref("Rsm"),
};
