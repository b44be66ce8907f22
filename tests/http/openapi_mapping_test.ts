// The stanza schemas of the OpenAPI document against the JSON mapping: same keys as the codecs, and every golden fixture fits.

import assert from "node:assert/strict";
import { openApiDocument } from "../../src/http/openapi/mod.ts";
import { ATTRIBUTE_KEYS } from "../../src/http/openapi/schemas_stanza.ts";
import { CODECS } from "../../src/jsonmap/registry.ts";
import { createExampleValidator } from "./openapi_validator.ts";

const doc = openApiDocument();
const strict = createExampleValidator(doc, { strict: true });
const lenient = createExampleValidator(doc, { strict: false });
const schemas = doc.components.schemas as Record<
  string,
  { properties?: Record<string, unknown> }
>;

function keysOf(name: string): string[] {
  return Object.keys(schemas[name].properties ?? {}).sort();
}

const KIND_SCHEMAS = [
  ["message", "Message"],
  ["presence", "Presence"],
  ["iq", "Iq"],
] as const;

for (const [kind, name] of KIND_SCHEMAS) {
  Deno.test({
    name:
      `openapi mapping: ${name} lists exactly the keys the mapping knows on ${kind}`,
    permissions: "none",
    fn() {
      const codecKeys = CODECS.filter((c) => c.kinds.includes(kind)).map((c) =>
        c.key
      );
      const expected = [...new Set([...ATTRIBUTE_KEYS, ...codecKeys])].sort();
      assert.deepEqual(keysOf(name), expected);
    },
  });
}

Deno.test({
  name:
    "openapi mapping: ForwardedMessage lists the message keys minus hand-written ones",
  permissions: "none",
  fn() {
    const codecKeys = CODECS.filter((c) =>
      c.kinds.includes("message") && !c.handwritten
    ).map((c) => c.key);
    const attrs = ["kind", "type", "id", "to", "from", "lang"];
    assert.deepEqual(
      keysOf("ForwardedMessage"),
      [...new Set([...attrs, ...codecKeys])].sort(),
    );
  },
});

Deno.test({
  name: "openapi mapping: the validator rejects values of the wrong shape",
  permissions: "none",
  fn() {
    const stanza = { $ref: "#/components/schemas/Stanza" };
    const cases: [unknown, boolean][] = [
      [{ kind: "message", body: "Hi" }, true],
      [{ kind: "message", body: 5 }, false],
      [{ kind: "presence", priority: 200 }, false],
      [{ kind: "presence", show: "busy" }, false],
      [{ kind: "iq", disco: { identities: [{ category: "a" }] } }, false],
      [{ kind: "iq", type: "get", ping: true }, true],
      [{ kind: "message", mystery: true }, false],
    ];
    for (const [value, valid] of cases) {
      const errors = strict(stanza, value);
      assert.equal(errors.length === 0, valid, JSON.stringify(value));
    }
  },
});

/** Input: a top-level `null` means the key is absent (documented on Stanza). */
function dropNulls(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== null),
  );
}

const dir = new URL("../fixtures/jsonmap/", import.meta.url);

Deno.test({
  name:
    "openapi mapping: every golden JSON fixture fits the Stanza schema (outputs strictly)",
  permissions: { read: true },
  async fn() {
    let n = 0;
    const failures: string[] = [];
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.name.endsWith(".json")) continue;
      const value = JSON.parse(
        await Deno.readTextFile(new URL(entry.name, dir)),
      );
      const isInput = entry.name.includes(".j2x.");
      const schema = {
        $ref: `#/components/schemas/${
          "xmpp" in value ? "StanzaContainer" : "Stanza"
        }`,
      };
      // Inputs may carry unknown keys on purpose (they are ignored).
      const errors = isInput
        ? lenient(schema, dropNulls(value))
        : strict(schema, value);
      if (errors.length > 0) failures.push(`${entry.name}: ${errors}`);
      n++;
    }
    assert.deepEqual(failures, []);
    assert.ok(n > 150, `only ${n} fixtures`);
  },
});
