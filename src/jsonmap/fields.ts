// JSON mapping: codec factories for mod_rest's simple schema shapes (README "JSON mapping reference").

import { el, type XmlElement } from "../xml/element.ts";
import { NS } from "../xmpp/namespaces.ts";
import type { StanzaKind } from "../xmpp/stanza.ts";
import {
  booleanText,
  expectBoolean,
  expectInteger,
  expectObject,
  expectString,
  optional,
  type ShapeContext,
  xmlBoolean,
  xmlInteger,
} from "./shape.ts";
import type { FieldCodec, WriteContext } from "./types.ts";

/** Where a field's element lives: its local name and namespace. */
export interface ElementName {
  /** Local name, e.g. `body`. */
  readonly name: string;
  /** Namespace URI; default `jabber:client`. */
  readonly ns?: string;
}

/**
 * `"key": "text"` ⇄ `<name xmlns=ns>text</name>` (the datamapper's default
 * for a string). The first such child is read; an empty string writes an
 * empty element and reads back as "".
 *
 * @example
 * ```ts
 * const body = textField("body", ["message"], { name: "body" });
 * ```
 */
export function textField(
  key: string,
  kinds: readonly StanzaKind[],
  where: ElementName,
): FieldCodec {
  const ns = where.ns ?? NS.client;
  return {
    key,
    kinds,
    read: (stanza) => stanza.getChildText(where.name, ns),
    write: (value, ctx) => [
      el(where.name, ns, {}, expectString(value, ctx) || undefined),
    ],
  };
}

/**
 * `"key": "v"` ⇄ `<name xmlns=ns attr="v"/>` (the datamapper's
 * `x_single_attribute`). A child without the attribute reads as absent.
 */
export function attrField(
  key: string,
  kinds: readonly StanzaKind[],
  where: ElementName & { readonly attr: string },
): FieldCodec {
  const ns = where.ns ?? NS.client;
  return {
    key,
    kinds,
    read: (stanza) => stanza.getChild(where.name, ns)?.attr(where.attr),
    write: (value, ctx) => [
      el(where.name, ns, { [where.attr]: expectString(value, ctx) }),
    ],
  };
}

/**
 * `"key": true` ⇄ `<name xmlns=ns/>` (the datamapper's boolean
 * `x_name_is_value`). `false` writes nothing; output is `true` or absent.
 */
export function flagField(
  key: string,
  kinds: readonly StanzaKind[],
  where: ElementName,
): FieldCodec {
  const ns = where.ns ?? NS.client;
  return {
    key,
    kinds,
    read: (stanza) => stanza.getChild(where.name, ns) ? true : undefined,
    write: (value, ctx) =>
      expectBoolean(value, ctx) ? [el(where.name, ns)] : [],
  };
}

/** JSON type of an attribute: string, integer ≥ 0, or boolean written `1`/`0`. */
export type AttrType = "string" | "uint" | "boolean";

/** JSON member name → attribute type, in output order. */
export type AttrShape = Readonly<Record<string, AttrType>>;

// A negative "uint" reads as absent, so that JSON output is acceptable input.
function nonNegative(n: number | undefined): number | undefined {
  return n !== undefined && n >= 0 ? n : undefined;
}

/** Reads the attributes of `shape` from an element into a JSON object (unparsable or negative integers omitted). */
export function readAttrs(
  element: XmlElement,
  shape: AttrShape,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in shape) {
    const raw = element.attr(key);
    const value = shape[key] === "string"
      ? raw
      : shape[key] === "uint"
      ? nonNegative(xmlInteger(raw))
      : xmlBoolean(raw);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * Checks a JSON object against `shape` and returns the attributes it
 * stands for (members not in the shape are ignored, null means absent).
 */
export function writeAttrs(
  value: unknown,
  ctx: ShapeContext,
  shape: AttrShape,
): Record<string, string> {
  const object = expectObject(value, ctx);
  const attrs: Record<string, string> = {};
  for (const key in shape) {
    const type = shape[key];
    const text = type === "string"
      ? optional(object, key, ctx, expectString)
      : type === "uint"
      ? optional(object, key, ctx, (v, c) => expectInteger(v, c, { min: 0 }))
        ?.toString()
      : optional(object, key, ctx, expectBoolean);
    if (text === undefined) continue;
    attrs[key] = typeof text === "boolean" ? booleanText(text) : text;
  }
  return attrs;
}

/**
 * `"key": {a, b}` ⇄ `<name xmlns=ns a="…" b="…"/>`: an object whose
 * members are all attributes of one empty element.
 */
export function attrObjectField(
  key: string,
  kinds: readonly StanzaKind[],
  where: ElementName & { readonly shape: AttrShape },
): FieldCodec {
  const ns = where.ns ?? NS.client;
  return {
    key,
    kinds,
    read(stanza) {
      const child = stanza.getChild(where.name, ns);
      return child ? readAttrs(child, where.shape) : undefined;
    },
    write: (value, ctx: WriteContext) => [
      el(where.name, ns, writeAttrs(value, ctx, where.shape)),
    ],
  };
}

/** What {@linkcode elementField} needs. */
export interface ElementFieldSpec {
  /** The JSON key. */
  readonly key: string;
  /** Stanza kinds on which it is mapped. */
  readonly kinds: readonly StanzaKind[];
  /** mod_rest maps it by hand (skipped on error stanzas). */
  readonly handwritten?: boolean;
  /** The child element that carries it; none for an input-only key. */
  readonly element?: Required<ElementName>;
  /** Reads the JSON value from that element. */
  readonly read?: (element: XmlElement) => unknown;
  /** Builds that element from a JSON value (throws on a wrong shape). */
  readonly write: (value: unknown, ctx: WriteContext) => XmlElement;
}

/**
 * A key mapped to one child element by a reader and a writer (the
 * hand-written payloads: disco, items, command, dataform, archive...).
 * `false` and `null` write nothing.
 *
 * @example
 * ```ts
 * elementField({
 *   key: "command", kinds: ["iq"], handwritten: true,
 *   element: { name: "command", ns: NS.commands },
 *   read: readCommand, write: writeCommand,
 * });
 * ```
 */
export function elementField(spec: ElementFieldSpec): FieldCodec {
  const { element, read } = spec;
  return {
    key: spec.key,
    kinds: spec.kinds,
    handwritten: spec.handwritten,
    read(stanza) {
      if (!element || !read) return undefined;
      const child = stanza.getChild(element.name, element.ns);
      return child ? read(child) : undefined;
    },
    write(value, ctx) {
      if (value === false || value === null) return [];
      return [spec.write(value, ctx)];
    },
  };
}
