// JSON mapping: XEP-0004 data forms as a values-only map `{var: value}` (mod_rest's "formdata"; README "Data forms").

import { el, type XmlElement } from "../xml/element.ts";
import { NS } from "../xmpp/namespaces.ts";
import {
  at,
  checkXmlChars,
  expectObject,
  fail,
  type ShapeContext,
} from "./shape.ts";

/** A value of a values-only form as mod_rest outputs it. */
export type FormValue = string | boolean | null | string[];

/**
 * Reads a form as `{var: value}` with mod_rest's output typing:
 * `list-single` and `list-multi` give arrays, `text-multi` the values joined
 * with "\n", `boolean` true/false ("1" or "true" is true), any other typed
 * field its first value or null, an untyped field an array. Fields
 * without `var` are skipped.
 *
 * @example
 * ```ts
 * readValuesForm(form); // { FORM_TYPE: "urn:x", os: "Linux", software: ["X"] }
 * ```
 */
export function readValuesForm(form: XmlElement): Record<string, FormValue> {
  const out: Record<string, FormValue> = {};
  for (const field of form.getChildren("field", NS.dataForms)) {
    const name = field.attr("var");
    if (name === undefined) continue;
    const values = field.getChildren("value", NS.dataForms).map((v) =>
      v.text()
    );
    const type = field.attr("type");
    if (type === "list-single" || type === "list-multi") out[name] = values;
    else if (type === "text-multi") out[name] = values.join("\n");
    else if (type === "boolean") {
      out[name] = values[0] === "1" || values[0] === "true";
    } else if (type !== undefined) out[name] = values[0] ?? null;
    else out[name] = values;
  }
  return out;
}

/**
 * One field value of JSON input as XML text: strings as they are, numbers
 * in their JSON spelling, booleans as "1"/"0" (XEP-0004 section 3.3).
 * Throws `JsonMappingError` for anything else.
 */
function formValueText(value: unknown, ctx: ShapeContext): string {
  if (typeof value === "string") {
    checkXmlChars(value, ctx);
    return value;
  }
  if (typeof value === "number" && Number.isFinite(value)) {
    return String(value);
  }
  if (typeof value === "boolean") return value ? "1" : "0";
  return fail(ctx, "expected a string, number or boolean");
}

/**
 * Builds `<x xmlns="jabber:x:data">` from `{var: value}`: a string (or
 * number, boolean) gives one `<value>`, an array one per item, null a field
 * without value. `type` sets the form type (none for disco extensions, as
 * mod_rest; "submit" for `command.data`). Throws
 * `JsonMappingError` naming the path of a value of the wrong shape.
 *
 * @example
 * ```ts
 * writeValuesForm({ name: "Al", colors: ["red"] }, { path: "/command/data", coerce: false }, "submit");
 * ```
 */
export function writeValuesForm(
  value: unknown,
  ctx: ShapeContext,
  type?: string,
): XmlElement {
  const object = expectObject(value, ctx);
  const fields: XmlElement[] = [];
  for (const [name, fieldValue] of Object.entries(object)) {
    const fieldCtx = at(ctx, name);
    checkXmlChars(name, fieldCtx); // the key becomes the field's var
    fields.push(
      el(
        "field",
        NS.dataForms,
        { var: name },
        ...valueElements(fieldValue, fieldCtx),
      ),
    );
  }
  return el("x", NS.dataForms, { type }, ...fields);
}

/** `<value>` elements for a scalar, an array of scalars, or null/undefined (none). */
export function valueElements(
  value: unknown,
  ctx: ShapeContext,
): XmlElement[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, i) => {
    const itemCtx = Array.isArray(value) ? at(ctx, i) : ctx;
    const text = formValueText(item, itemCtx);
    return el("value", NS.dataForms, {}, text || undefined);
  });
}
