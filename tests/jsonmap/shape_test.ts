// Typed readers of the JSON mapping (README "JSON mapping reference").

import assert from "node:assert/strict";
import {
  at,
  compact,
  expectArray,
  expectBoolean,
  expectInteger,
  expectNumber,
  expectObject,
  expectString,
  xmlBoolean,
  xmlInteger,
  xmlNumber,
} from "../../src/jsonmap/shape.ts";
import { JsonMappingError } from "../../src/jsonmap/types.ts";

const strict = { path: "/v", coerce: false };
const loose = { path: "/v", coerce: true };

Deno.test({
  name: "at() builds JSON pointers and escapes ~ and / (RFC 6901)",
  permissions: "none",
  fn() {
    assert.equal(
      at({ path: "", coerce: false }, "a", 0, "b/c", "d~e").path,
      "/a/0/b~1c/d~0e",
    );
    assert.equal(at(loose, "x").coerce, true);
  },
});

/** [reader, value, ctx, expected result or the reason it throws] */
const CASES: readonly [string, () => unknown, unknown | { reason: string }][] =
  [
    ["string ok", () => expectString("a", strict), "a"],
    [
      "string rejects numbers even when coercing",
      () => expectString(1, loose),
      { reason: "expected a string" },
    ],
    ["integer ok", () => expectInteger(3, strict), 3],
    ["integer rejects strings by default", () => expectInteger("3", strict), {
      reason: "expected an integer",
    }],
    ["integer coerces decimal strings", () => expectInteger(" -3 ", loose), -3],
    ["integer rejects fractions", () => expectInteger("3.5", loose), {
      reason: "expected an integer",
    }],
    ["integer rejects NaN", () => expectInteger(NaN, strict), {
      reason: "expected an integer",
    }],
    ["integer rejects unsafe values", () => expectInteger(2 ** 60, strict), {
      reason: "expected an integer",
    }],
    ["integer bounds", () => expectInteger(5, strict, { min: 0, max: 4 }), {
      reason: "expected an integer from 0 to 4",
    }],
    ["integer max only", () => expectInteger(5, strict, { max: 4 }), {
      reason: "expected an integer of at most 4",
    }],
    ["number ok", () => expectNumber(4.5, strict), 4.5],
    ["number coerces", () => expectNumber("4.5e1", loose), 45],
    ["number rejects Infinity", () => expectNumber(Infinity, strict), {
      reason: "expected a number",
    }],
    ["number rejects words", () => expectNumber("x", loose), {
      reason: "expected a number",
    }],
    ["boolean ok", () => expectBoolean(false, strict), false],
    ["boolean strings only when coercing", () => expectBoolean("1", strict), {
      reason: "expected a boolean",
    }],
    ["boolean coerces 1", () => expectBoolean("1", loose), true],
    ["boolean coerces true", () => expectBoolean("true", loose), true],
    ["boolean coerces empty", () => expectBoolean("", loose), true],
    ["boolean coerces 0", () => expectBoolean("0", loose), false],
    ["boolean coerces false", () => expectBoolean("false", loose), false],
    ["boolean rejects other words", () => expectBoolean("yes", loose), {
      reason: "expected a boolean",
    }],
    ["object rejects arrays", () => expectObject([], strict), {
      reason: "expected an object",
    }],
    ["object rejects null", () => expectObject(null, strict), {
      reason: "expected an object",
    }],
    ["array rejects objects", () => expectArray({}, strict), {
      reason: "expected an array",
    }],
    ["xmlInteger parses", () => xmlInteger(" 42 "), 42],
    ["xmlInteger rejects fractions", () => xmlInteger("4.2"), undefined],
    ["xmlInteger absent", () => xmlInteger(undefined), undefined],
    ["xmlNumber parses", () => xmlNumber("42.5"), 42.5],
    ["xmlNumber rejects words", () => xmlNumber("NaN"), undefined],
    ["xmlBoolean 0", () => xmlBoolean("0"), false],
    ["xmlBoolean false", () => xmlBoolean("false"), false],
    ["xmlBoolean other is true (datamapper)", () => xmlBoolean("yes"), true],
    ["xmlBoolean absent", () => xmlBoolean(undefined), undefined],
    [
      "compact drops undefined only",
      () => compact({ a: undefined, b: null, c: 0, d: "" }),
      { b: null, c: 0, d: "" },
    ],
  ];

for (const [what, run, expected] of CASES) {
  Deno.test({
    name: `shape: ${what}`,
    permissions: "none",
    fn() {
      if (
        typeof expected === "object" && expected !== null &&
        "reason" in expected
      ) {
        assert.throws(run, (e: unknown) => {
          assert.ok(e instanceof JsonMappingError);
          assert.equal(e.path, "/v");
          assert.equal(e.reason, expected.reason);
          return true;
        });
      } else {
        assert.deepStrictEqual(run(), expected);
      }
    },
  });
}
