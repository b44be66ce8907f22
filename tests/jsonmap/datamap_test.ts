import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import { canonicalize } from "../../src/xml/serialize.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import {
  type ElementSpec,
  type PropSpec,
  readProp,
  schemaCodec,
  writeObject,
} from "../../src/jsonmap/datamap.ts";

const C = NS.client;
const N = "urn:example";

const SPEC: ElementSpec = {
  at: "element",
  name: "thing",
  ns: N,
  props: {
    s: { at: "attr", type: "string" },
    i: { at: "attr", type: "integer" },
    n: { at: "attr", type: "number" },
    b: { at: "attr", type: "boolean" },
    renamed: { at: "attr", type: "string", name: "other-name" },
    t: { at: "text", type: "string" },
    c: { at: "child", type: "string" },
    ci: { at: "child", type: "integer" },
    f: { at: "flag" },
    list: {
      at: "list",
      item: { at: "child", name: "v", type: "string" },
    },
    wrapped: {
      at: "list",
      wrapper: { name: "ws" },
      item: {
        at: "element",
        name: "w",
        props: { k: { at: "attr", type: "string" } },
      },
    },
  },
};

// [what, XML of <thing/>, JSON read from it]
const READS: [string, ReturnType<typeof el>, Record<string, unknown>][] = [
  ['an empty element: only the text, as ""', el("thing", N), { t: "" }],
  [
    "scalars from attributes, text and children",
    el(
      "thing",
      N,
      { s: "x", i: " 42 ", n: "4.5e1", b: "0", "other-name": "r" },
      "text",
      el("c", N, {}, "child"),
      el("ci", N, {}, "7"),
      el("f", N),
    ),
    {
      s: "x",
      i: 42,
      n: 45,
      b: false,
      renamed: "r",
      t: "text",
      c: "child",
      ci: 7,
      f: true,
    },
  ],
  [
    "numbers that do not parse are omitted; booleans other than 0/false are true",
    el("thing", N, { i: "4.5", n: "abc", b: "yes" }, el("ci", N)),
    { b: true, t: "" },
  ],
  [
    "children in another namespace are not read",
    el("thing", N, {}, el("c", "urn:other", {}, "x"), el("f", "urn:other")),
    { t: "" },
  ],
  [
    "unwrapped lists are omitted when empty, wrapped lists kept",
    el("thing", N, {}, el("ws", N)),
    { t: "", wrapped: [] },
  ],
  [
    "list items in order",
    el(
      "thing",
      N,
      {},
      el("v", N, {}, "1"),
      el("v", N),
      el("ws", N, {}, el("w", N, { k: "a" }), el("w", N)),
      el("v", N, {}, "2"),
    ),
    { t: "", list: ["1", "", "2"], wrapped: [{ k: "a" }, {}] },
  ],
];

for (const [what, xml, json] of READS) {
  Deno.test({
    name: `readProp() reads ${what}`,
    permissions: "none",
    fn() {
      assert.deepEqual(readProp(el("iq", C, {}, xml), "thing", SPEC), json);
    },
  });
}

Deno.test({
  name: "readProp() of an absent element is undefined",
  permissions: "none",
  fn() {
    assert.equal(readProp(el("iq", C), "thing", SPEC), undefined);
  },
});

Deno.test({
  name:
    "writeObject() writes every kind of property, children in the parent's namespace, and skips null",
  permissions: "none",
  fn() {
    const written = writeObject(SPEC, {
      s: "x",
      i: 42,
      n: 4.5,
      b: true,
      renamed: "r",
      t: "text",
      c: "",
      ci: 7,
      f: true,
      list: ["1", ""],
      wrapped: [{ k: "a" }],
      unknown: { ignored: true },
      s2: null,
    }, { path: "/thing", coerce: false });
    const expected = el(
      "thing",
      N,
      { s: "x", i: "42", n: "4.5", b: "1", "other-name": "r" },
      "text",
      el("c", N),
      el("ci", N, {}, "7"),
      el("f", N),
      el("v", N, {}, "1"),
      el("v", N),
      el("ws", N, {}, el("w", N, { k: "a" })),
    );
    assert.equal(canonicalize(written), canonicalize(expected));
  },
});

Deno.test({
  name:
    "writeObject() writes a false flag as nothing and null members as absent",
  permissions: "none",
  fn() {
    const written = writeObject(SPEC, { f: false, c: null }, {
      path: "/thing",
      coerce: false,
    });
    assert.equal(canonicalize(written), canonicalize(el("thing", N)));
  },
});

Deno.test({
  name:
    "schemaCodec() of a flag reads true or undefined and writes the element",
  permissions: "none",
  fn() {
    const spec: PropSpec = { at: "flag", name: "ping", ns: NS.ping };
    const codec = schemaCodec("ping", ["iq"], spec);
    const iq = el("iq", C, { type: "get" }, el("ping", NS.ping));
    assert.equal(codec.read(iq, { kind: "iq" }), true);
    assert.equal(codec.read(el("iq", C), { kind: "iq" }), undefined);
    const [ping] = codec.write(true, {
      kind: "iq",
      path: "/ping",
      coerce: false,
    });
    assert.equal(canonicalize(ping), canonicalize(el("ping", NS.ping)));
  },
});

Deno.test({
  name:
    "datamap: uint attributes read a negative as absent and refuse one on write; child-attr keeps a scalar in a child's attribute",
  permissions: "none",
  fn() {
    const spec: ElementSpec = {
      at: "element",
      name: "thing",
      ns: N,
      props: {
        u: { at: "attr", type: "uint" },
        ref: { at: "child-attr", type: "string", name: "r", attr: "id" },
      },
    };
    const read = (x: ReturnType<typeof el>) =>
      readProp(el("p", N, {}, x), "thing", spec);
    assert.deepEqual(
      read(el("thing", N, { u: "-3" }, el("r", N, { id: "x1" }))),
      { ref: "x1" },
    );
    assert.deepEqual(read(el("thing", N, { u: "3" }, el("r", N))), { u: 3 });
    assert.equal(
      canonicalize(
        writeObject(spec, { u: 3, ref: "x1" }, { path: "", coerce: false }),
      ),
      canonicalize(
        el("thing", N, { u: "3" }, el("r", N, { id: "x1" })),
      ),
    );
    assert.throws(
      () => writeObject(spec, { u: -1 }, { path: "", coerce: false }),
      /\/u/,
    );
  },
});
