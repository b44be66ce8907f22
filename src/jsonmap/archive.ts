// JSON mapping: XEP-0313 MAM query (`archive`) and fin (`result`) on iq (README "iq payloads").

import { el, type XmlElement } from "../xml/element.ts";
import { NS } from "../xmpp/namespaces.ts";
import {
  type ElementSpec,
  readObject,
  schemaCodec,
  writeObject,
} from "./datamap.ts";
import { SCHEMA_FORM_SPEC, writeForm } from "./dataforms.ts";
import { RSM_SPEC } from "./rsm.ts";
import {
  at,
  expectArray,
  expectInteger,
  expectObject,
  expectString,
  optional,
  type ShapeContext,
} from "./shape.ts";
import { elementField } from "./handwritten.ts";
import type { FieldCodec } from "./types.ts";

/** The fields of the convenience MAM form, in the order mod_rest writes them (after FORM_TYPE). */
export const MAM_FILTER_FIELDS = [
  "with",
  "start",
  "end",
  "before-id",
  "after-id",
  "ids",
] as const;

/** The convenience keys that become the query's RSM page. */
const PAGE_KEYS = ["after", "before", "max"] as const;

/** `<query xmlns="urn:xmpp:mam:2" queryid>` with a schema-shaped form and an RSM page. */
const ARCHIVE_SPEC: ElementSpec = {
  at: "element",
  name: "query",
  ns: NS.mam,
  props: {
    queryid: { at: "attr", type: "string" },
    form: SCHEMA_FORM_SPEC,
    page: RSM_SPEC,
  },
};

/** `<fin xmlns="urn:xmpp:mam:2">` with its RSM page (`complete`/`stable` not mapped). */
const FIN_SPEC: ElementSpec = {
  at: "element",
  name: "fin",
  ns: NS.mam,
  props: { page: RSM_SPEC },
};

/** Reads a MAM query: `{queryid, form (schema shape, `values` arrays), page}`. */
function readArchiveQuery(query: XmlElement): Record<string, unknown> {
  return readObject(ARCHIVE_SPEC, query);
}

/**
 * Builds a MAM query from `{queryid, form, page}` or the convenience keys:
 * `with`, `start`, `end`, `before-id`, `after-id`, `ids` (array or
 * comma-separated string) become a submit form with FORM_TYPE and all six
 * filter fields (empty ones without `<value>`), as mod_rest writes it,
 * unless `form` is given; `after`, `before` and `max` (a number or numeric
 * string) override the members of `page`.
 *
 * @example
 * ```ts
 * writeArchiveQuery({ with: "bob@example.com", max: 10 }, { path: "/archive", coerce: false });
 * ```
 */
function writeArchiveQuery(
  value: unknown,
  ctx: ShapeContext,
): XmlElement {
  const archive = expectObject(value, ctx);
  const form = Object.hasOwn(archive, "form") && archive.form != null
    ? writeForm(archive.form, at(ctx, "form"))
    : convenienceForm(archive, ctx);
  const page = pageOf(archive, ctx);
  return el(
    "query",
    NS.mam,
    { queryid: optional(archive, "queryid", ctx, expectString) },
    form,
    page && writeObject(RSM_SPEC, page, at(ctx, "page")),
  );
}

function convenienceForm(
  archive: Readonly<Record<string, unknown>>,
  ctx: ShapeContext,
): XmlElement | undefined {
  const given = MAM_FILTER_FIELDS.filter((name) =>
    Object.hasOwn(archive, name) && archive[name] != null &&
    archive[name] !== false
  );
  if (given.length === 0) return undefined;
  const field = (name: string, values: readonly string[]): XmlElement =>
    el(
      "field",
      NS.dataForms,
      { var: name },
      ...values.map((v) => el("value", NS.dataForms, {}, v || undefined)),
    );
  return el(
    "x",
    NS.dataForms,
    { type: "submit" },
    field("FORM_TYPE", [NS.mam]),
    ...MAM_FILTER_FIELDS.map((name) =>
      field(name, given.includes(name) ? filterValues(archive, name, ctx) : [])
    ),
  );
}

function filterValues(
  archive: Readonly<Record<string, unknown>>,
  name: string,
  ctx: ShapeContext,
): string[] {
  const value = archive[name];
  const fieldCtx = at(ctx, name);
  if (name !== "ids") return [expectString(value, fieldCtx)];
  if (typeof value === "string") {
    return expectString(value, fieldCtx).split(",").filter((id) => id !== "");
  }
  return expectArray(value, fieldCtx).map((id, i) =>
    expectString(id, at(fieldCtx, i))
  );
}

function pageOf(
  archive: Readonly<Record<string, unknown>>,
  ctx: ShapeContext,
): Readonly<Record<string, unknown>> | undefined {
  const page = optional(archive, "page", ctx, expectObject);
  const given = PAGE_KEYS.filter((name) =>
    Object.hasOwn(archive, name) && archive[name] != null
  );
  if (given.length === 0) return page;
  const out: Record<string, unknown> = { ...page };
  for (const name of given) {
    const keyCtx = at(ctx, name);
    out[name] = name === "max"
      // mod_rest applies tonumber() to max whatever the body format.
      ? expectInteger(archive[name], { ...keyCtx, coerce: true }, { min: 0 })
      : expectString(archive[name], keyCtx);
  }
  return out;
}

/** Codecs of this file: iq `archive` (MAM query) and iq `result` (MAM fin). */
export const archiveCodecs: readonly FieldCodec[] = [
  elementField({
    key: "archive",
    kinds: ["iq"],
    element: { name: "query", ns: NS.mam },
    read: readArchiveQuery,
    write: writeArchiveQuery,
  }),
  schemaCodec("result", ["iq"], FIN_SPEC),
];
