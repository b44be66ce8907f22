// JSON mapping: XEP-0059 result set management, the `rsm` key on every kind (README "Message fields").

import { NS } from "../xmpp/namespaces.ts";
import { type ElementSpec, schemaCodec } from "./datamap.ts";
import type { FieldCodec } from "./types.ts";

/**
 * `<set xmlns="http://jabber.org/protocol/rsm">` as mod_rest's schema maps
 * it: `after`, `before`, `first`, `last` strings and `count`, `index`, `max`
 * integers, each the text of a child element (the `index` attribute of
 * `<first>` is not mapped). Reused by `archive.page` and `result.page`.
 */
export const RSM_SPEC: ElementSpec = {
  at: "element",
  name: "set",
  ns: NS.rsm,
  props: {
    after: { at: "child", type: "string" },
    before: { at: "child", type: "string" },
    count: { at: "child", type: "integer" },
    first: { at: "child", type: "string" },
    index: { at: "child", type: "integer" },
    last: { at: "child", type: "string" },
    max: { at: "child", type: "integer" },
  },
};

/** Codecs of this file: `rsm` on message, presence and iq. */
export const rsmCodecs: readonly FieldCodec[] = [
  schemaCodec("rsm", ["message", "presence", "iq"], RSM_SPEC),
];
