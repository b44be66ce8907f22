// JSON mapping: XEP-0297 `forwarded` and the XEP-0313 MAM `<result>` on messages (`archive`) (README "Message fields").

import { el, type XmlElement } from "../xml/element.ts";
import { NS } from "../xmpp/namespaces.ts";
import { at, compact, expectObject, expectString, optional } from "./shape.ts";
import type {
  FieldCodec,
  JsonStanza,
  ReadContext,
  WriteContext,
} from "./types.ts";

/** Namespaces of forwarding and MAM results. */
const FORWARD_NS = {
  forward: "urn:xmpp:forward:0",
  delay: "urn:xmpp:delay",
  mam: "urn:xmpp:mam:2",
} as const;

/**
 * Reads `<forwarded>` as `{ "delay": stamp, "message": {...} }`; the inner
 * message is mapped like a top-level one minus `kind` and hand-written
 * fields (as mod_rest's schema reference does).
 */
function readForwarded(
  forwarded: XmlElement,
  ctx: ReadContext,
): JsonStanza {
  const message = forwarded.getChild("message", NS.client);
  if (message && !ctx.readNested) {
    throw new Error("Cannot read forwarded message: core gave no readNested");
  }
  return compact({
    delay: forwarded.getChild("delay", FORWARD_NS.delay)?.attr("stamp"),
    message: message && ctx.readNested?.(message),
  });
}

/** Builds `<forwarded>` from `{ "delay", "message" }`; throws JsonMappingError on a wrong shape. */
function writeForwarded(
  value: unknown,
  ctx: WriteContext,
): XmlElement {
  const forwarded = expectObject(value, ctx);
  const stamp = optional(forwarded, "delay", ctx, expectString);
  const inner = forwarded.message;
  let message: XmlElement | undefined;
  if (inner !== undefined && inner !== null) {
    if (!ctx.writeNested) {
      throw new Error(
        "Cannot write forwarded message: core gave no writeNested",
      );
    }
    message = ctx.writeNested(inner, at(ctx, "message"));
  }
  return el(
    "forwarded",
    FORWARD_NS.forward,
    {},
    stamp !== undefined && el("delay", FORWARD_NS.delay, { stamp }),
    message,
  );
}

/** `forwarded` on messages. */
const forwardedCodec: FieldCodec = {
  key: "forwarded",
  kinds: ["message"],
  read(stanza, ctx) {
    const forwarded = stanza.getChild("forwarded", FORWARD_NS.forward);
    return forwarded ? readForwarded(forwarded, ctx) : undefined;
  },
  write: (value, ctx) => [writeForwarded(value, ctx)],
};

/** `archive` on messages: a MAM result `{ "queryid", "id", "forward": <forwarded> }`. */
const archiveResultCodec: FieldCodec = {
  key: "archive",
  kinds: ["message"],
  read(stanza, ctx) {
    const result = stanza.getChild("result", FORWARD_NS.mam);
    if (!result) return undefined;
    const forwarded = result.getChild("forwarded", FORWARD_NS.forward);
    return compact({
      queryid: result.attr("queryid"),
      id: result.attr("id"),
      forward: forwarded && readForwarded(forwarded, ctx),
    });
  },
  write(value, ctx) {
    const archive = expectObject(value, ctx);
    const queryid = optional(archive, "queryid", ctx, expectString);
    const id = optional(archive, "id", ctx, expectString);
    const forward = archive.forward;
    return [
      el(
        "result",
        FORWARD_NS.mam,
        { queryid, id },
        forward !== undefined && forward !== null &&
          writeForwarded(forward, at(ctx, "forward")),
      ),
    ];
  },
};

/** Codecs of this file (message only). */
export const forwardCodecs: readonly FieldCodec[] = [
  archiveResultCodec,
  forwardedCodec,
];
