// JSON mapping: iq payloads of XEP-0199, 0092, 0039, 0012, 0066, 0100, 0077, 0215, 0363, 0191/0377 (README "iq payloads").

import type { XmlElement } from "../xml/element.ts";
import { NS } from "../xmpp/namespaces.ts";
import {
  type ElementSpec,
  type PropSpec,
  readProp,
  schemaCodec,
  writeObject,
} from "./datamap.ts";
import { at, expectInteger, expectObject } from "./shape.ts";
import type { FieldCodec, WriteContext } from "./types.ts";

/** Namespaces of the payloads in this file (not needed elsewhere). */
const IQ_NS = {
  stats: "http://jabber.org/protocol/stats",
  last: "jabber:iq:last",
  oob: "jabber:iq:oob",
  gateway: "jabber:iq:gateway",
  register: "jabber:iq:register",
  extdisco: "urn:xmpp:extdisco:2",
  upload: "urn:xmpp:http:upload:0",
  blocking: "urn:xmpp:blocking",
  reporting: "urn:xmpp:reporting:1",
  sid: "urn:xmpp:sid:0",
} as const;

/** XEP-0077 fields kept as text children of `<query xmlns="jabber:iq:register">`. */
export const REGISTER_TEXT_FIELDS = [
  "username",
  "password",
  "nick",
  "name",
  "first",
  "last",
  "email",
  "address",
  "city",
  "state",
  "zip",
  "phone",
  "url",
  "date",
  "misc",
  "text",
  "key",
  "instructions",
] as const;

const text = { at: "child", type: "string" } as const;
const attr = { at: "attr", type: "string" } as const;

const REGISTER_PROPS: Record<string, PropSpec> = {
  registered: { at: "flag" },
  remove: { at: "flag" },
};
for (const field of REGISTER_TEXT_FIELDS) REGISTER_PROPS[field] = text;

/** `<item jid/>` of the blocking command (XEP-0191), with a XEP-0377 report. */
const BLOCK_ITEM: ElementSpec & { name: string } = {
  at: "element",
  name: "item",
  props: {
    jid: attr,
    report: {
      at: "element",
      name: "report",
      ns: IQ_NS.reporting,
      props: {
        reason: attr,
        stanza_ids: {
          at: "list",
          item: {
            at: "element",
            name: "stanza-id",
            ns: IQ_NS.sid,
            props: { id: attr, by: attr },
          },
        },
      },
    },
  },
};

/** The upload request; `size` is checked by {@linkcode uploadRequestCodec}. */
const UPLOAD_REQUEST: ElementSpec = {
  at: "element",
  name: "request",
  ns: IQ_NS.upload,
  props: {
    filename: attr,
    size: { at: "attr", type: "integer" },
    "content-type": attr,
  },
};

/**
 * `upload_request`: a string `size` is turned into a number whatever the
 * body format (newest mod_rest does so for GET query parameters).
 */
const uploadRequestCodec: FieldCodec = {
  key: "upload_request",
  kinds: ["iq"],
  read(stanza: XmlElement): unknown {
    return readProp(stanza, "upload_request", UPLOAD_REQUEST);
  },
  write(value: unknown, ctx: WriteContext): XmlElement[] {
    if (value === null) return [];
    const request = expectObject(value, ctx);
    if (typeof request.size !== "string") {
      return [writeObject(UPLOAD_REQUEST, request, ctx)];
    }
    const sizeCtx = { ...at(ctx, "size"), coerce: true };
    const size = expectInteger(request.size, sizeCtx, { min: 0 });
    return [writeObject(UPLOAD_REQUEST, { ...request, size }, ctx)];
  },
};

/** Codecs of this file, all on iq. */
export const iqCodecs: readonly FieldCodec[] = [
  schemaCodec("ping", ["iq"], { at: "flag", ns: NS.ping }),
  schemaCodec("version", ["iq"], {
    at: "element",
    name: "query",
    ns: NS.version,
    props: { name: text, version: text, os: text },
  }),
  schemaCodec("stats", ["iq"], {
    at: "list",
    wrapper: { name: "query", ns: IQ_NS.stats },
    item: {
      at: "element",
      name: "stat",
      props: { name: attr, unit: attr, value: { at: "attr", type: "number" } },
    },
  }),
  schemaCodec("lastactivity", ["iq"], {
    at: "element",
    name: "query",
    ns: IQ_NS.last,
    props: {
      seconds: { at: "attr", type: "integer" },
      status: { at: "text", type: "string" },
    },
  }),
  schemaCodec("oob", ["iq"], {
    at: "element",
    name: "query",
    ns: IQ_NS.oob,
    props: { url: text, desc: text },
  }),
  schemaCodec("gateway", ["iq"], {
    at: "element",
    name: "query",
    ns: IQ_NS.gateway,
    props: { desc: text, prompt: text, jid: text },
  }),
  schemaCodec("register", ["iq"], {
    at: "element",
    name: "query",
    ns: IQ_NS.register,
    props: REGISTER_PROPS,
  }),
  schemaCodec("extdisco", ["iq"], {
    at: "element",
    name: "services",
    ns: IQ_NS.extdisco,
    props: {
      type: attr,
      services: {
        at: "list",
        item: {
          at: "element",
          name: "service",
          props: {
            type: attr,
            host: attr,
            port: { at: "attr", type: "integer" },
            transport: attr,
            username: attr,
            password: attr,
            restricted: { at: "attr", type: "boolean" },
            expires: attr,
            name: attr,
          },
        },
      },
    },
  }),
  uploadRequestCodec,
  schemaCodec("upload_slot", ["iq"], {
    at: "element",
    name: "slot",
    ns: IQ_NS.upload,
    props: {
      put: {
        at: "element",
        props: {
          url: attr,
          headers: {
            at: "list",
            item: {
              at: "element",
              name: "header",
              props: { name: attr, value: { at: "text", type: "string" } },
            },
          },
        },
      },
      get: { at: "element", props: { url: attr } },
    },
  }),
  schemaCodec("block", ["iq"], {
    at: "list",
    wrapper: { name: "block", ns: IQ_NS.blocking },
    item: BLOCK_ITEM,
  }),
  schemaCodec("blocklist", ["iq"], {
    at: "list",
    wrapper: { name: "blocklist", ns: IQ_NS.blocking },
    item: { at: "element", name: "item", props: { jid: attr } },
  }),
];
