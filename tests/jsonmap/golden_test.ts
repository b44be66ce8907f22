// Golden pairs for the JSON mapping (README "JSON mapping reference"): tests/fixtures/jsonmap/<case>.xml + <case>.json.
//
// Convention (adding a case needs no code):
//   <case>.json + <case>.xml          checked both ways, plus round trips
//   <case>.j2x.json + <case>.j2x.xml  JSON -> XML only (input-only shapes)
//   <case>.x2j.json + <case>.x2j.xml  XML -> JSON only (lossy or unmapped XML)
// The XML holds one stanza (or an <xmpp> container) without xmlns; it is
// parsed with the default namespace jabber:client.
//
// Properties checked besides the two directions:
//   - the JSON output is plain JSON (survives JSON.stringify unchanged);
//   - JSON -> XML -> JSON is the identity (both-ways cases);
//   - XML -> JSON -> XML -> JSON succeeds and keeps every mapped key (all
//     cases with XML->JSON; for error stanzas the values are a subset, since
//     an error stanza built from JSON carries only its <error>).

import assert from "node:assert/strict";
import type { XmlElement } from "../../src/xml/element.ts";
import { parseXml } from "../../src/xml/parser.ts";
import { canonicalize } from "../../src/xml/serialize.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import {
  jsonToContainer,
  jsonToStanza,
  stanzaToJson,
} from "../../src/jsonmap/mod.ts";

type Direction = "both" | "j2x" | "x2j";

interface GoldenCase {
  name: string;
  direction: Direction;
  json?: string;
  xml?: string;
}

function parse(xml: string): XmlElement {
  return parseXml(xml, { defaultNamespace: NS.client });
}

function toXml(json: unknown): XmlElement {
  const isList = typeof json === "object" && json !== null &&
    Object.hasOwn(json, "xmpp");
  return isList ? jsonToContainer(json) : jsonToStanza(json);
}

function toJson(element: XmlElement): Record<string, unknown> {
  const out = stanzaToJson(element);
  assert.deepStrictEqual(
    JSON.parse(JSON.stringify(out)),
    out,
    "output is not plain JSON",
  );
  return out;
}

function assertSubset(
  part: Record<string, unknown>,
  whole: Record<string, unknown>,
): void {
  for (const [key, value] of Object.entries(part)) {
    assert.deepStrictEqual(value, whole[key], `round trip changed "${key}"`);
  }
}

function keysOf(json: Record<string, unknown>): string[] {
  if (isContainerJson(json)) {
    return json.xmpp.flatMap((s, i) => keysOf(s).map((k) => `${i}.${k}`));
  }
  return Object.keys(json).sort();
}

function hasError(json: Record<string, unknown>): boolean {
  if (isContainerJson(json)) return json.xmpp.some(hasError);
  return json.type === "error";
}

function isContainerJson(
  json: Record<string, unknown>,
): json is { xmpp: Record<string, unknown>[] } {
  return Array.isArray(json.xmpp);
}

function check(c: GoldenCase): void {
  assert.ok(c.json !== undefined, `${c.name}: missing .json`);
  assert.ok(c.xml !== undefined, `${c.name}: missing .xml`);
  const json = JSON.parse(c.json);
  const xml = parse(c.xml);
  if (c.direction !== "x2j") {
    assert.equal(canonicalize(toXml(json)), canonicalize(xml), "JSON -> XML");
  }
  if (c.direction !== "j2x") {
    const out = toJson(xml);
    assert.deepStrictEqual(out, json, "XML -> JSON");
    // Our output is always acceptable input, and mapping it back keeps every
    // mapped key (values may be reshaped where mod_rest's shapes are lossy,
    // e.g. untyped values-only forms; both-ways cases check equality below).
    const again = toJson(toXml(out));
    if (hasError(out)) assertSubset(again, out);
    else {assert.deepStrictEqual(
        keysOf(again),
        keysOf(out),
        "XML -> JSON -> XML -> JSON keys",
      );}
  }
  if (c.direction === "both") {
    assert.deepStrictEqual(toJson(toXml(json)), json, "JSON -> XML -> JSON");
  }
}

const dir = new URL("../fixtures/jsonmap/", import.meta.url);
const cases = new Map<string, GoldenCase>();
for (const entry of Deno.readDirSync(dir)) {
  const match = /^(.+?)(?:\.(j2x|x2j))?\.(json|xml)$/.exec(entry.name);
  if (!entry.isFile || !match) continue;
  const [, base, dirTag, ext] = match;
  const name = dirTag ? `${base}.${dirTag}` : base;
  const c = cases.get(name) ??
    { name, direction: (dirTag ?? "both") as Direction };
  const text = Deno.readTextFileSync(new URL(entry.name, dir));
  if (ext === "json") c.json = text;
  else c.xml = text;
  cases.set(name, c);
}

for (const c of [...cases.values()].sort((a, b) => a.name < b.name ? -1 : 1)) {
  Deno.test({
    name: `golden ${c.name} (${c.direction})`,
    permissions: "none",
    fn: () => check(c),
  });
}

Deno.test({
  name: "golden: fixture directory holds cases",
  permissions: "none",
  fn() {
    assert.ok(cases.size >= 100, `only ${cases.size} golden cases`);
  },
});
