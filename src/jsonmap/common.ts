// JSON mapping: fields shared by all kinds (XEP-0172 nick, XEP-0203 delay, XEP-0335/0432 payload) (README "Message fields").

import { el } from "../xml/element.ts";
import { schemaCodec } from "./datamap.ts";
import {
  at,
  compact,
  expectObject,
  expectString,
  fail,
  optional,
} from "./shape.ts";
import { type FieldCodec, JsonMappingError } from "./types.ts";

/** Namespaces of the fields in this file. */
const COMMON_NS = {
  nick: "http://jabber.org/protocol/nick",
  delay: "urn:xmpp:delay",
  payload: "urn:xmpp:json-msg:0",
} as const;

const ALL = ["message", "presence", "iq"] as const;

/**
 * `payload`: XEP-0335/0432 `{ "datatype", "data": any JSON }` ⇄
 * `<payload xmlns="urn:xmpp:json-msg:0" datatype="…">JSON text</payload>`.
 * Reading decodes the text; text that is not JSON (or no text) fails the
 * whole conversion with a {@linkcode JsonMappingError} at `/payload/data`,
 * as mod_rest does. Absent `data` is written as `null`.
 */
const payloadCodec: FieldCodec = {
  key: "payload",
  kinds: ALL,
  read(stanza) {
    const payload = stanza.getChild("payload", COMMON_NS.payload);
    if (!payload) return undefined;
    const text = payload.text();
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new JsonMappingError(
        "/payload/data",
        "cannot decode XEP-0335 payload as JSON: " +
          (error instanceof Error ? error.message : String(error)),
      );
    }
    return compact({ datatype: payload.attr("datatype"), data });
  },
  write(value, ctx) {
    const payload = expectObject(value, ctx);
    const datatype = optional(payload, "datatype", ctx, expectString);
    const dataCtx = at(ctx, "data");
    let text: string | undefined;
    try {
      text = JSON.stringify(payload.data ?? null);
    } catch (error) {
      fail(dataCtx, "expected JSON data: " + (error as Error).message);
    }
    if (text === undefined) fail(dataCtx, "expected JSON data");
    // JSON.stringify escapes controls and lone surrogates but not U+FFFE/U+FFFF,
    // which XML forbids; they can only sit inside JSON strings, so escape them.
    const xmlSafe = text.replace(
      /[\uFFFE\uFFFF]/g,
      (c) => "\\u" + c.charCodeAt(0).toString(16),
    );
    return [el("payload", COMMON_NS.payload, { datatype }, xmlSafe)];
  },
};

/** Codecs of this file, in JSON output order (every kind). */
export const commonCodecs: readonly FieldCodec[] = [
  schemaCodec("nick", ALL, {
    at: "child",
    type: "string",
    name: "nick",
    ns: COMMON_NS.nick,
  }),
  schemaCodec("delay", ALL, {
    at: "child-attr",
    type: "string",
    name: "delay",
    ns: COMMON_NS.delay,
    attr: "stamp",
  }),
  payloadCodec,
];
