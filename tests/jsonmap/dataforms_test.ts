import assert from "node:assert/strict";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { canonicalize } from "../../src/xml/serialize.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import {
  readFullForm,
  readSchemaForm,
  writeForm,
} from "../../src/jsonmap/dataforms.ts";
import {
  readValuesForm,
  writeValuesForm,
} from "../../src/jsonmap/forms_values.ts";

const X = NS.dataForms;
const ctx = { path: "/dataform", coerce: false };

function field(
  attrs: Record<string, string>,
  ...values: string[]
): XmlElement {
  return el("field", X, attrs, ...values.map((v) => el("value", X, {}, v)));
}

// [field type, values in XML, values-only output]
const VALUES_ONLY_TYPING: [string | undefined, string[], unknown][] = [
  ["list-single", ["a"], ["a"]],
  ["list-single", [], []],
  ["list-multi", ["a", "b"], ["a", "b"]],
  ["text-multi", ["l1", "l2"], "l1\nl2"],
  ["text-multi", [], ""],
  ["boolean", ["1"], true],
  ["boolean", ["true"], true],
  ["boolean", ["0"], false],
  ["boolean", ["yes"], false],
  ["boolean", [], false],
  ["text-single", ["a", "b"], "a"],
  ["jid-single", [], null],
  ["hidden", ["urn:x"], "urn:x"],
  ["jid-multi", ["a@b", "c@d"], "a@b"],
  [undefined, ["a"], ["a"]],
  [undefined, [], []],
];

for (const [type, values, expected] of VALUES_ONLY_TYPING) {
  Deno.test({
    name: `readValuesForm() types a ${
      type ?? "untyped"
    } field with ${values.length} values as ${JSON.stringify(expected)}`,
    permissions: "none",
    fn() {
      const attrs: Record<string, string> = { var: "f" };
      if (type) attrs.type = type;
      const form = el("x", X, { type: "result" }, field(attrs, ...values));
      assert.deepEqual(readValuesForm(form), { f: expected });
    },
  });
}

Deno.test({
  name:
    "readValuesForm() skips fields without var and ignores other namespaces",
  permissions: "none",
  fn() {
    const form = el(
      "x",
      X,
      {},
      field({ type: "fixed" }, "text"),
      el("field", "urn:other", { var: "o" }),
      field({ var: "a" }, "1"),
    );
    assert.deepEqual(readValuesForm(form), { a: ["1"] });
  },
});

Deno.test({
  name:
    "writeValuesForm() writes one field per key, the type only when given, and leaves its input alone",
  permissions: "none",
  fn() {
    const input = Object.freeze({ a: "1", b: Object.freeze(["x", "y"]) });
    const expected = el(
      "x",
      X,
      { type: "submit" },
      field({ var: "a" }, "1"),
      field({ var: "b" }, "x", "y"),
    );
    assert.equal(
      canonicalize(writeValuesForm(input, ctx, "submit")),
      canonicalize(expected),
    );
    assert.equal(writeValuesForm({}, ctx).attr("type"), undefined);
  },
});

Deno.test({
  name:
    "readFullForm() keeps value types per field type and options only on list fields",
  permissions: "none",
  fn() {
    const option = el("option", X, { label: "R" }, el("value", X, {}, "r"));
    const form = el(
      "x",
      X,
      { type: "form" },
      el("title", X, {}, "T"),
      el(
        "field",
        X,
        { var: "ls", type: "list-single" },
        el("value", X, {}, "r"),
        option,
      ),
      field({ var: "tm", type: "text-multi" }, "a", "b"),
      field({ var: "jm", type: "jid-multi" }),
      el("field", X, { var: "ts", type: "text-single" }, option),
    );
    assert.deepEqual(readFullForm(form), {
      type: "form",
      title: "T",
      fields: [
        {
          var: "ls",
          type: "list-single",
          value: "r",
          options: [{ label: "R", value: "r" }],
        },
        { var: "tm", type: "text-multi", value: "a\nb" },
        { var: "jm", type: "jid-multi", value: [] },
        { var: "ts", type: "text-single" },
      ],
    });
  },
});

Deno.test({
  name: "readSchemaForm() uses values arrays and omits empty lists",
  permissions: "none",
  fn() {
    const form = el(
      "x",
      X,
      { type: "submit" },
      field({ var: "FORM_TYPE", type: "hidden" }, "urn:xmpp:mam:2"),
      field({ var: "empty" }),
    );
    assert.deepEqual(readSchemaForm(form), {
      type: "submit",
      fields: [
        { var: "FORM_TYPE", type: "hidden", values: ["urn:xmpp:mam:2"] },
        { var: "empty" },
      ],
    });
    assert.deepEqual(readSchemaForm(el("x", X)), {});
  },
});

Deno.test({
  name:
    "writeForm() splits a text-multi string per line and writes fields as siblings",
  permissions: "none",
  fn() {
    const form = writeForm({
      type: "submit",
      fields: [
        { var: "t", type: "text-multi", value: "a\nb\r\nc" },
        { var: "s", value: "a\nb" },
      ],
    }, ctx);
    const [t, s] = form.getChildren("field", X);
    assert.deepEqual(t.getChildren("value", X).map((v) => v.text()), [
      "a",
      "b",
      "c",
    ]);
    assert.deepEqual(s.getChildren("value", X).map((v) => v.text()), [
      "a\nb",
    ]);
    assert.equal(t.getChildren("field", X).length, 0);
  },
});

Deno.test({
  name: "writeForm() round-trips through readFullForm() for every field type",
  permissions: "none",
  fn() {
    const json = {
      type: "form",
      title: "Ünïcode ✓",
      instructions: "Fill in",
      fields: [
        { var: "b", type: "boolean", value: "0" },
        { type: "fixed", value: "Section" },
        { var: "h", type: "hidden", value: "x" },
        { var: "jm", type: "jid-multi", value: ["a@b", "c@d"] },
        { var: "js", type: "jid-single", value: "a@b", required: true },
        {
          var: "lm",
          type: "list-multi",
          value: [],
          options: [{ label: "A", value: "a" }],
        },
        { var: "ls", type: "list-single", value: "a", options: [] },
        { var: "tm", type: "text-multi", value: "1\n2" },
        { var: "tp", type: "text-private", desc: "secret" },
        { var: "ts", type: "text-single", label: "L", value: "" },
      ],
    };
    assert.deepEqual(readFullForm(writeForm(json, ctx)), json);
  },
});
