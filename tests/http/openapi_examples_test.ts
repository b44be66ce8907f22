// Every example in the OpenAPI document fits its schema and is what the real JSON mapping and error renderer accept and produce.

import assert from "node:assert/strict";
import { openApiDocument } from "../../src/http/openapi/mod.ts";
import {
  jsonToContainer,
  jsonToStanza,
  stanzaToJson,
} from "../../src/jsonmap/mod.ts";
import { parseXml } from "../../src/xml/parser.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { resolveRef, walk } from "./openapi_schema.ts";
import {
  createExampleValidator,
  documentProblems,
} from "./openapi_validator.ts";

const doc = openApiDocument();
const validate = createExampleValidator(doc, { strict: true });

/** One example under a media type, with where it sits. */
interface Found {
  readonly where: string;
  readonly media: string;
  readonly direction: "request" | "reply" | "error" | "other";
  readonly schema: unknown;
  readonly name: string;
  readonly value: unknown;
}

function direction(pointer: string): Found["direction"] {
  // The webhook operations API answers plain JSON, not stanzas.
  if (pointer.startsWith("/paths//webhook")) return "other";
  if (/requestBod/.test(pointer)) return "request";
  if (/\/responses\/200\//.test(pointer)) return "reply";
  if (/\/responses\/[45]\d\d\/|components\/responses\//.test(pointer)) {
    return "error";
  }
  return "other";
}

function deref(node: unknown): Record<string, unknown> {
  let current = node as Record<string, unknown>;
  while (typeof current.$ref === "string") {
    current = resolveRef(doc, current.$ref) as Record<string, unknown>;
  }
  return current;
}

function collect(): Found[] {
  const found: Found[] = [];
  walk(doc, (node, pointer) => {
    const content = node.content as Record<string, unknown> | undefined;
    if (typeof content !== "object" || content === null) return;
    for (const [media, raw] of Object.entries(content)) {
      const mt = raw as Record<string, unknown>;
      const where = `${pointer}/content/${media}`;
      const base = {
        where,
        media,
        direction: direction(where),
        schema: mt.schema,
      };
      if ("example" in mt) {
        found.push({ ...base, name: "example", value: mt.example });
      }
      for (const [key, ex] of Object.entries(mt.examples ?? {})) {
        const resolved = deref(ex);
        const name = typeof (ex as { $ref?: string }).$ref === "string"
          ? (ex as { $ref: string }).$ref.split("/").pop()!
          : key;
        found.push({ ...base, name, value: resolved.value });
      }
    }
  });
  return found;
}

const examples = collect();
const json = (f: Found) => f.media === "application/json";
const xml = (f: Found) => f.media === "application/xmpp+xml";

Deno.test({
  name: "openapi examples: there are examples for every format and direction",
  permissions: "none",
  fn() {
    const seen = new Set(examples.map((f) => `${f.direction} ${f.media}`));
    for (const dir of ["request", "reply", "error"]) {
      for (
        const media of [
          "application/json",
          "application/xmpp+xml",
          "application/x-www-form-urlencoded",
        ]
      ) {
        // Errors are XML or JSON only (README "Differences from mod_rest"): never form fields.
        const expected = !(dir === "error" && media.includes("form"));
        assert.equal(seen.has(`${dir} ${media}`), expected, `${dir} ${media}`);
      }
    }
    assert.ok(seen.has("request text/plain"));
    const names = new Set(examples.map((f) => f.name));
    for (
      const wanted of [
        "ChatMessage",
        "PingRequest",
        "PingResult",
        "DiscoInfoResult",
        "ErrorReply",
      ]
    ) {
      assert.ok(names.has(wanted), wanted);
    }
  },
});

Deno.test({
  name:
    "openapi examples: every example fits its media type's schema (undescribed keys rejected)",
  permissions: "none",
  fn() {
    for (const f of examples) {
      const errors = validate(f.schema, f.value);
      assert.deepEqual(errors, [], `${f.where} ${f.name}`);
    }
  },
});

Deno.test({
  name: "openapi examples: JSON stanza requests are accepted by jsonToStanza",
  permissions: "none",
  fn() {
    let n = 0;
    for (const f of examples.filter((f) => f.direction === "request")) {
      const value = f.value as Record<string, unknown>;
      if (json(f) && f.name.endsWith("Payload")) continue; // a payload alone (see the statuses test)
      if (json(f)) {
        "xmpp" in value ? jsonToContainer(value) : jsonToStanza(value);
      } else if (f.media === "application/x-www-form-urlencoded") {
        jsonToStanza(value, { coerce: true });
      } else continue;
      n++;
    }
    assert.ok(n >= 9, `only ${n} request examples`);
  },
});

Deno.test({
  name: "openapi examples: JSON replies are exactly what the mapping outputs",
  permissions: "none",
  fn() {
    const replies = examples.filter((f) => f.direction === "reply" && json(f));
    assert.ok(replies.length >= 6);
    for (const f of replies) {
      const value = f.value as Record<string, unknown>;
      const stanza = "xmpp" in value
        ? jsonToContainer(value)
        : jsonToStanza(value);
      assert.deepEqual(stanzaToJson(stanza), value, f.name);
    }
  },
});

Deno.test({
  name:
    "openapi examples: XML examples parse, and XML replies map to their JSON twin",
  permissions: "none",
  fn() {
    const byName = new Map(examples.map((f) => [f.name, f.value]));
    for (const f of examples.filter(xml)) {
      const element = parseXml(f.value as string, {
        defaultNamespace: NS.client,
      });
      if (f.direction === "error") {
        assert.equal(element.name, "error");
        assert.equal(element.ns, NS.streams);
        continue;
      }
      assert.ok(f.name.endsWith("Xml"), f.name);
      const twin = byName.get(f.name.slice(0, -3));
      assert.ok(twin, `${f.name} has no JSON twin`);
      if (f.direction === "reply") {
        assert.deepEqual(stanzaToJson(element), twin, f.name);
      } else {
        assert.ok(["message", "presence", "iq"].includes(element.name), f.name);
      }
    }
  },
});

Deno.test({
  name: "openapi examples: error examples name their status's code",
  permissions: "none",
  fn() {
    for (
      const f of examples.filter((f) => f.direction === "error" && json(f))
    ) {
      const status = /\/responses\/(\w+)\//.exec(f.where)?.[1];
      const value = f.value as { code: number };
      assert.ok(value.code >= 400, f.where);
      if (status && /^\d+$/.test(status)) {
        assert.equal(value.code, Number(status));
      }
    }
  },
});

Deno.test({
  name:
    "openapi document: valid against the OpenAPI 3.1 specification's schema",
  permissions: { read: true },
  async fn() {
    assert.deepEqual(await documentProblems(doc), []);
  },
});

Deno.test({
  name:
    "openapi examples: every parameter, header and schema example fits its schema",
  permissions: "none",
  fn() {
    let n = 0;
    const problems: string[] = [];
    walk(doc, (node, pointer) => {
      // Parameter and header objects: `example` / `examples` beside `schema`.
      const isParameterOrHeader = /\/(parameters|headers)\/[^/]+$/.test(
        pointer,
      );
      if (isParameterOrHeader && typeof node.schema === "object") {
        const values = "example" in node ? [node.example] : [];
        for (const ex of Object.values(node.examples ?? {})) {
          values.push(deref(ex).value);
        }
        for (const value of values) {
          n++;
          const errors = validate(node.schema, value);
          if (errors.length > 0) problems.push(`${pointer}: ${errors}`);
        }
      }
      // Schema objects: JSON Schema `examples` (an array of instances).
      if (Array.isArray(node.examples)) {
        for (const value of node.examples) {
          n++;
          const errors = validate(node, value);
          if (errors.length > 0) problems.push(`${pointer}: ${errors}`);
        }
      }
    });
    assert.deepEqual(problems, []);
    assert.ok(n >= 10, `only ${n} examples`);
  },
});
