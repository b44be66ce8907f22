// JSON mapping: XEP-0004 data forms, full and schema shapes, keys `dataform` and `formdata` (README "Data forms").

import { el, type XmlElement } from "../xml/element.ts";
import { NS } from "../xmpp/namespaces.ts";
import { type ElementSpec, readObject } from "./datamap.ts";
import { valueElements, writeValuesForm } from "./forms_values.ts";
import {
  at,
  compact,
  expectArray,
  expectBoolean,
  expectObject,
  expectString,
  optional,
  type ShapeContext,
} from "./shape.ts";
import { handwrittenField } from "./handwritten.ts";
import type { FieldCodec } from "./types.ts";

/** XEP-0004 section 3.3 field types. */
export const FIELD_TYPES = [
  "boolean",
  "fixed",
  "hidden",
  "jid-multi",
  "jid-single",
  "list-multi",
  "list-single",
  "text-multi",
  "text-private",
  "text-single",
] as const;

/** A XEP-0004 field type. */
export type FieldType = typeof FIELD_TYPES[number];

/** Field types whose full-form `value` is an array. */
const ARRAY_VALUED: ReadonlySet<string> = new Set(["jid-multi", "list-multi"]);
/** Field types that carry `<option>`s. */
const LIST_TYPES: ReadonlySet<string> = new Set(["list-single", "list-multi"]);

/**
 * The schema shape of a form (mod_rest's datamapper `dataform`, used in
 * `archive.form`): fields carry `values` (plural, an array) and options.
 */
export const SCHEMA_FORM_SPEC: ElementSpec = {
  at: "element",
  name: "x",
  ns: NS.dataForms,
  props: {
    type: { at: "attr", type: "string" },
    title: { at: "child", type: "string" },
    instructions: { at: "child", type: "string" },
    fields: {
      at: "list",
      item: {
        at: "element",
        name: "field",
        props: {
          var: { at: "attr", type: "string" },
          type: { at: "attr", type: "string" },
          label: { at: "attr", type: "string" },
          desc: { at: "child", type: "string" },
          required: { at: "flag" },
          values: {
            at: "list",
            item: { at: "child", name: "value", type: "string" },
          },
          options: {
            at: "list",
            item: {
              at: "element",
              name: "option",
              props: {
                label: { at: "attr", type: "string" },
                value: { at: "child", type: "string" },
              },
            },
          },
        },
      },
    },
  },
};

/** Reads a form in the schema shape (`values` arrays; empty lists omitted). */
export function readSchemaForm(form: XmlElement): Record<string, unknown> {
  return readObject(SCHEMA_FORM_SPEC, form);
}

/**
 * Reads a form in the full shape (mod_rest's hand-written `dataform`):
 * `{type, title, instructions, fields: [{var, type, label, desc, required,
 * value, options}]}`. `value` is the first value, an array for
 * `jid-multi`/`list-multi`, the values joined with "\n" for `text-multi`;
 * `options` is present (possibly empty) for `list-*` fields only.
 *
 * @example
 * ```ts
 * readFullForm(x); // { type: "form", fields: [{ var: "name", type: "text-single", value: "Al" }] }
 * ```
 */
export function readFullForm(form: XmlElement): Record<string, unknown> {
  const fields = form.getChildren("field", NS.dataForms).map(readField);
  return compact({
    type: form.attr("type"),
    title: form.getChildText("title"),
    instructions: form.getChildText("instructions"),
    fields,
  });
}

function readField(field: XmlElement): Record<string, unknown> {
  const type = field.attr("type");
  let value: string | string[] | undefined = field.getChildText("value");
  if (type === "text-multi" || (type && ARRAY_VALUED.has(type))) {
    const values = field.getChildren("value").map((v) => v.text());
    value = type === "text-multi" ? values.join("\n") : values;
  }
  const options = type && LIST_TYPES.has(type)
    ? field.getChildren("option").map((option) =>
      compact({
        label: option.attr("label"),
        value: option.getChildText("value"),
      })
    )
    : undefined;
  return compact({
    var: field.attr("var"),
    type,
    label: field.attr("label"),
    desc: field.getChildText("desc"),
    required: field.getChild("required") ? true : undefined,
    value,
    options,
  });
}

/**
 * Builds `<x xmlns="jabber:x:data">` from a form in either shape: a field's
 * `value` (string, or array for several values; a `text-multi` string is
 * split into one value per line) and/or `values` (array), `required`
 * (boolean), `options` (`[{label, value}]`). Fields are siblings and options
 * are taken from `options` (both broken in mod_rest). Throws
 * `JsonMappingError` naming the path of a value of the wrong shape.
 *
 * @example
 * ```ts
 * writeForm({ type: "submit", fields: [{ var: "a", value: "1" }] }, { path: "/dataform", coerce: false });
 * ```
 */
export function writeForm(value: unknown, ctx: ShapeContext): XmlElement {
  const form = expectObject(value, ctx);
  const fields = optional(form, "fields", ctx, expectArray) ?? [];
  const title = optional(form, "title", ctx, expectString);
  const instructions = optional(form, "instructions", ctx, expectString);
  return el(
    "x",
    NS.dataForms,
    { type: optional(form, "type", ctx, expectString) },
    title !== undefined && textElement("title", title),
    instructions !== undefined && textElement("instructions", instructions),
    ...fields.map((field, i) => writeField(field, at(ctx, "fields", i))),
  );
}

function textElement(name: string, text: string): XmlElement {
  return el(name, NS.dataForms, {}, text || undefined);
}

function writeField(value: unknown, ctx: ShapeContext): XmlElement {
  const field = expectObject(value, ctx);
  const type = optional(field, "type", ctx, expectString);
  const desc = optional(field, "desc", ctx, expectString);
  const required = optional(field, "required", ctx, expectBoolean);
  let single = Object.hasOwn(field, "value") ? field.value : undefined;
  if (type === "text-multi" && typeof single === "string") {
    single = single.split(/\r?\n/);
  }
  const values = optional(field, "values", ctx, expectArray);
  const options = optional(field, "options", ctx, expectArray) ?? [];
  return el(
    "field",
    NS.dataForms,
    {
      var: optional(field, "var", ctx, expectString),
      type,
      label: optional(field, "label", ctx, expectString),
    },
    desc !== undefined && textElement("desc", desc),
    required === true && el("required", NS.dataForms),
    ...valueElements(single, at(ctx, "value")),
    ...valueElements(values, at(ctx, "values")),
    ...options.map((option, i) => writeOption(option, at(ctx, "options", i))),
  );
}

function writeOption(value: unknown, ctx: ShapeContext): XmlElement {
  const option = expectObject(value, ctx);
  const text = optional(option, "value", ctx, expectString);
  return el(
    "option",
    NS.dataForms,
    { label: optional(option, "label", ctx, expectString) },
    text !== undefined && textElement("value", text),
  );
}

/** Codecs of this file: `dataform` (full shape, every kind) and the input-only `formdata` (values-only map). */
export const dataformCodecs: readonly FieldCodec[] = [
  handwrittenField("dataform", { name: "x", ns: NS.dataForms }, {
    read: readFullForm,
    write: writeForm,
  }),
  handwrittenField("formdata", undefined, { write: writeValuesForm }),
];
