// JSON mapping: XEP-0030 disco#info and disco#items, XEP-0128 extensions (README "iq payloads").

import { el, type XmlElement } from "../xml/element.ts";
import { NS } from "../xmpp/namespaces.ts";
import { readValuesForm, writeValuesForm } from "./forms_values.ts";
import {
  at,
  compact,
  expectArray,
  expectObject,
  expectString,
  fail,
  optional,
  type ShapeContext,
} from "./shape.ts";
import { handwrittenField } from "./handwritten.ts";
import type { FieldCodec } from "./types.ts";

/** The hidden field naming a form's type (XEP-0068). */
const FORM_TYPE = "FORM_TYPE";

/**
 * The value of an empty query: its `node`, or `true`. mod_rest answers a
 * query without child elements this way, request or result alike.
 */
function emptyQueryValue(query: XmlElement): string | true {
  return query.attr("node") ?? true;
}

/**
 * Reads disco#info: `true` or the node for an empty query, else
 * `{node, identities, features, extensions}` (identities without category
 * or type and features without var are skipped; extensions keyed by
 * FORM_TYPE, forms without one dropped, omitted when there are none).
 */
export function readDiscoInfo(query: XmlElement): unknown {
  if (query.elements().length === 0) return emptyQueryValue(query);
  const identities: Record<string, unknown>[] = [];
  const features: string[] = [];
  const extensions: Record<string, unknown> = {};
  for (const child of query.elements()) {
    if (child.is("identity", NS.discoInfo)) {
      const category = child.attr("category");
      const type = child.attr("type");
      if (category === undefined || type === undefined) continue;
      identities.push(compact({ category, type, name: child.attr("name") }));
    } else if (child.is("feature", NS.discoInfo)) {
      const feature = child.attr("var");
      if (feature !== undefined) features.push(feature);
    } else if (child.is("x", NS.dataForms)) {
      const { [FORM_TYPE]: formType, ...fields } = readValuesForm(child);
      const key = Array.isArray(formType) ? formType[0] : formType;
      if (typeof key === "string") extensions[key] = fields;
    }
  }
  return compact({
    node: query.attr("node"),
    identities,
    features,
    extensions: Object.keys(extensions).length > 0 ? extensions : undefined,
  });
}

/**
 * Builds a disco#info query: `true` (empty query), a node string, or
 * `{node, identities: [{category, type, name}], features: [string],
 * extensions: {FORM_TYPE: {var: value}}}`. Extension forms get a
 * FORM_TYPE field and no form type, as mod_rest writes them.
 */
export function writeDiscoInfo(value: unknown, ctx: ShapeContext): XmlElement {
  if (value === true) return el("query", NS.discoInfo);
  if (typeof value === "string") {
    return el("query", NS.discoInfo, { node: expectString(value, ctx) });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(ctx, "expected true, a node string or an object");
  }
  const disco = expectObject(value, ctx);
  const identities = optional(disco, "identities", ctx, expectArray) ?? [];
  const features = optional(disco, "features", ctx, expectArray) ?? [];
  const extensions = optional(disco, "extensions", ctx, expectObject) ?? {};
  return el(
    "query",
    NS.discoInfo,
    { node: optional(disco, "node", ctx, expectString) },
    ...identities.map((identity, i) =>
      writeIdentity(identity, at(ctx, "identities", i))
    ),
    ...features.map((feature, i) =>
      el("feature", NS.discoInfo, {
        var: expectString(feature, at(ctx, "features", i)),
      })
    ),
    ...Object.entries(extensions).map(([formType, fields]) => {
      const fieldsCtx = at(ctx, "extensions", formType);
      const { [FORM_TYPE]: _ignored, ...rest } = expectObject(
        fields,
        fieldsCtx,
      );
      return writeValuesForm({ [FORM_TYPE]: formType, ...rest }, fieldsCtx);
    }),
  );
}

function writeIdentity(value: unknown, ctx: ShapeContext): XmlElement {
  const identity = expectObject(value, ctx);
  return el("identity", NS.discoInfo, {
    category: expectString(identity.category, at(ctx, "category")),
    type: expectString(identity.type, at(ctx, "type")),
    name: optional(identity, "name", ctx, expectString),
  });
}

/**
 * Reads disco#items: `true` or the node for an empty query, else the items
 * `[{jid, node, name}]` (the query's node is not kept, as in mod_rest).
 */
export function readDiscoItems(query: XmlElement): unknown {
  if (query.elements().length === 0) return emptyQueryValue(query);
  return query.getChildren("item", NS.discoItems).map((item) =>
    compact({
      jid: item.attr("jid"),
      node: item.attr("node"),
      name: item.attr("name"),
    })
  );
}

/**
 * Builds a disco#items query: `true`, a node string, `{node}`, or an array
 * of items, each a JID string or `{jid, node, name}` (JID strings become
 * sibling items; mod_rest nests them).
 */
export function writeDiscoItems(
  value: unknown,
  ctx: ShapeContext,
): XmlElement {
  if (value === true) return el("query", NS.discoItems);
  if (typeof value === "string") {
    return el("query", NS.discoItems, { node: expectString(value, ctx) });
  }
  if (Array.isArray(value)) {
    return el(
      "query",
      NS.discoItems,
      {},
      ...value.map((item, i) => writeItem(item, at(ctx, i))),
    );
  }
  if (typeof value !== "object" || value === null) {
    return fail(ctx, "expected true, a node string, an object or an array");
  }
  const items = expectObject(value, ctx);
  return el("query", NS.discoItems, {
    node: optional(items, "node", ctx, expectString),
  });
}

function writeItem(value: unknown, ctx: ShapeContext): XmlElement {
  if (typeof value === "string") {
    return el("item", NS.discoItems, { jid: expectString(value, ctx) });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(ctx, "expected a JID string or an object");
  }
  const item = expectObject(value, ctx);
  return el("item", NS.discoItems, {
    jid: optional(item, "jid", ctx, expectString),
    node: optional(item, "node", ctx, expectString),
    name: optional(item, "name", ctx, expectString),
  });
}

/** Codecs of this file: `disco` and `items` (hand-written in mod_rest, so skipped on error stanzas). */
export const discoCodecs: readonly FieldCodec[] = [
  handwrittenField("disco", { name: "query", ns: NS.discoInfo }, {
    read: readDiscoInfo,
    write: writeDiscoInfo,
  }),
  handwrittenField("items", { name: "query", ns: NS.discoItems }, {
    read: readDiscoItems,
    write: writeDiscoItems,
  }),
];
