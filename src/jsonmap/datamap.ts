// JSON mapping: reading and writing the declarative schema fields of schema.ts, as mod_rest's util.datamapper does (README "JSON mapping reference").

import { el, type XmlElement } from "../xml/element.ts";
import { NS } from "../xmpp/namespaces.ts";
import type { StanzaKind } from "../xmpp/stanza.ts";
import {
  at,
  booleanText,
  expectArray,
  expectBoolean,
  expectInteger,
  expectNumber,
  expectObject,
  expectString,
  numberText,
  type ShapeContext,
  xmlBoolean,
  xmlInteger,
  xmlNumber,
} from "./shape.ts";
import type { FieldCodec, WriteContext } from "./types.ts";

import type {
  AttrSpec,
  ElementSpec,
  ListSpec,
  PropSpec,
  ScalarType,
} from "./schema.ts";

export type {
  AttrSpec,
  ChildAttrSpec,
  ChildSpec,
  ElementSpec,
  FlagSpec,
  ListSpec,
  PropSpec,
  ScalarType,
  TextSpec,
} from "./schema.ts";

function fromXml(type: ScalarType, text: string | undefined): unknown {
  switch (type) {
    case "string":
      return text;
    case "boolean":
      return xmlBoolean(text);
    case "integer":
      return xmlInteger(text);
    case "uint": {
      // A negative one reads as absent, so that JSON output is acceptable input.
      const n = xmlInteger(text);
      return n !== undefined && n >= 0 ? n : undefined;
    }
    case "number":
      return xmlNumber(text);
  }
}

/**
 * Turns a JSON scalar into attribute or text content, or throws
 * `JsonMappingError`. With `ctx.coerce`, strings standing for
 * numbers and booleans are accepted.
 */
function scalarToXml(
  type: ScalarType,
  value: unknown,
  ctx: ShapeContext,
): string {
  switch (type) {
    case "string":
      return expectString(value, ctx);
    case "integer":
      return numberText(expectInteger(value, ctx));
    case "uint":
      return numberText(expectInteger(value, ctx, { min: 0 }));
    case "number":
      return numberText(expectNumber(value, ctx));
    case "boolean":
      return booleanText(expectBoolean(value, ctx));
  }
}

/**
 * An array; with `ctx.coerce` also `{}` as an empty array (a GET query
 * shortcut without parameters, `GET /rest/stats/host`, yields `{}`).
 * Throws "expected an array".
 */
function expectList(
  value: unknown,
  ctx: ShapeContext,
): readonly unknown[] {
  if (
    ctx.coerce && typeof value === "object" && value !== null &&
    !Array.isArray(value) && Object.keys(value).length === 0
  ) {
    return [];
  }
  return expectArray(value, ctx);
}

/** Reads one property from an element; undefined when the element does not carry it. */
export function readProp(
  parent: XmlElement,
  key: string,
  spec: PropSpec,
): unknown {
  switch (spec.at) {
    case "attr":
      return fromXml(spec.type, parent.attr(spec.name ?? key));
    case "text":
      return fromXml(spec.type, parent.text());
    case "child":
      return fromXml(
        spec.type,
        parent.getChildText(spec.name ?? key, spec.ns ?? parent.ns),
      );
    case "child-attr":
      return fromXml(
        spec.type,
        parent.getChild(spec.name ?? key, spec.ns ?? parent.ns)?.attr(
          spec.attr,
        ),
      );
    case "flag":
      return parent.getChild(spec.name ?? key, spec.ns ?? parent.ns)
        ? true
        : undefined;
    case "element": {
      const child = parent.getChild(spec.name ?? key, spec.ns ?? parent.ns);
      return child ? readObject(spec, child) : undefined;
    }
    case "list": {
      if (!spec.wrapper) {
        const items = readItems(parent, spec);
        return items.length > 0 ? items : undefined;
      }
      const wrapper = parent.getChild(
        spec.wrapper.name,
        spec.wrapper.ns ?? parent.ns,
      );
      return wrapper ? readItems(wrapper, spec) : undefined;
    }
  }
}

/** Reads every property of an object spec from its element. */
export function readObject(
  spec: ElementSpec,
  element: XmlElement,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(spec.props)) {
    const value = readProp(element, key, prop);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function readItems(container: XmlElement, spec: ListSpec): unknown[] {
  const item = spec.item;
  const out: unknown[] = [];
  for (const child of container.getChildren(item.name, item.ns)) {
    const value = item.at === "element"
      ? readObject(item, child)
      : fromXml(item.type, child.text());
    if (value !== undefined) out.push(value);
  }
  return out;
}

/** Attributes, text and children produced by writing properties. */
interface Parts {
  attrs: Record<string, string>;
  text: string;
  children: XmlElement[];
}

/**
 * Writes one property's JSON value into the parts of the element at
 * namespace `ns`. `null` and `undefined` write nothing.
 */
function writeProp(
  parts: Parts,
  ns: string,
  key: string,
  spec: PropSpec,
  value: unknown,
  ctx: ShapeContext,
): void {
  if (value === undefined || value === null) return;
  switch (spec.at) {
    case "attr":
      parts.attrs[spec.name ?? key] = scalarToXml(spec.type, value, ctx);
      return;
    case "text":
      parts.text += scalarToXml(spec.type, value, ctx);
      return;
    case "child": {
      const text = scalarToXml(spec.type, value, ctx);
      parts.children.push(
        el(spec.name ?? key, spec.ns ?? ns, {}, text || undefined),
      );
      return;
    }
    case "child-attr":
      parts.children.push(
        el(spec.name ?? key, spec.ns ?? ns, {
          [spec.attr]: scalarToXml(spec.type, value, ctx),
        }),
      );
      return;
    case "flag":
      if (expectBoolean(value, ctx)) {
        parts.children.push(el(spec.name ?? key, spec.ns ?? ns));
      }
      return;
    case "element":
      parts.children.push(writeObject(spec, value, ctx, key, ns));
      return;
    case "list": {
      const items = expectList(value, ctx);
      if (!spec.wrapper) {
        writeItems(parts.children, spec, items, ctx, ns);
        return;
      }
      const wrapperNs = spec.wrapper.ns ?? ns;
      const children: XmlElement[] = [];
      writeItems(children, spec, items, ctx, wrapperNs);
      parts.children.push(el(spec.wrapper.name, wrapperNs, {}, ...children));
      return;
    }
  }
}

function writeItems(
  out: XmlElement[],
  spec: ListSpec,
  items: readonly unknown[],
  ctx: ShapeContext,
  ns: string,
): void {
  const item = spec.item;
  items.forEach((value, i) => {
    const itemCtx = at(ctx, i);
    if (item.at === "element") {
      out.push(writeObject(item, value, itemCtx, item.name, ns));
    } else {
      const text = scalarToXml(item.type, value, itemCtx);
      out.push(el(item.name, item.ns ?? ns, {}, text || undefined));
    }
  });
}

/**
 * Builds the element of an object spec from a JSON object (unknown keys
 * ignored, as mod_rest does). Throws `JsonMappingError` when the
 * value or one of its properties has the wrong shape.
 */
export function writeObject(
  spec: ElementSpec,
  value: unknown,
  ctx: ShapeContext,
  key = "",
  parentNs: string = NS.client,
): XmlElement {
  const object = expectObject(value, ctx);
  const ns = spec.ns ?? parentNs;
  const parts: Parts = { attrs: {}, text: "", children: [] };
  for (const [prop, propSpec] of Object.entries(spec.props)) {
    if (!Object.hasOwn(object, prop)) continue;
    writeProp(parts, ns, prop, propSpec, object[prop], at(ctx, prop));
  }
  return el(
    spec.name ?? key,
    ns,
    parts.attrs,
    parts.text || undefined,
    ...parts.children,
  );
}

/**
 * Attribute properties of an object element, by JSON type, in output order.
 *
 * @example
 * ```ts
 * attrs({ to: "string", id: "string" }); // { to: { at: "attr", type: "string" }, id: { at: "attr", type: "string" } }
 * ```
 */
export function attrs(
  shape: Readonly<Record<string, ScalarType>>,
): Record<string, AttrSpec> {
  const out: Record<string, AttrSpec> = {};
  for (const key in shape) out[key] = { at: "attr", type: shape[key] };
  return out;
}

/**
 * A codec for a top-level key mapped declaratively (mod_rest's schema
 * fields): `spec` says where the value lives relative to the stanza.
 *
 * @example
 * ```ts
 * const ping = schemaCodec("ping", ["iq"], { at: "flag", ns: "urn:xmpp:ping" });
 * ```
 */
export function schemaCodec(
  key: string,
  kinds: readonly StanzaKind[],
  spec: PropSpec,
): FieldCodec {
  return {
    key,
    kinds,
    read(stanza: XmlElement): unknown {
      return readProp(stanza, key, spec);
    },
    write(value: unknown, ctx: WriteContext): XmlElement[] {
      const parts: Parts = { attrs: {}, text: "", children: [] };
      writeProp(parts, NS.client, key, spec, value, ctx);
      return parts.children;
    },
  };
}
