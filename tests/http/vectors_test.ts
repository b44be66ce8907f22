// Golden vectors recorded from Prosody's mod_rest (tests/fixtures/vectors/README.md) run through the REST handler.
//
// `post` vectors: the JSON input is POSTed to /rest; we check the HTTP
// status, the stanza handed to the port, the iq reply body, and what
// /rest/echo returns. `iq-response` vectors: the request is POSTed, the port
// answers with the recorded reply, and we check the HTTP status, content
// type and JSON body. Where README "Differences from mod_rest" differs from mod_rest, HTTP_DEVIATIONS
// says so and the test asserts our behaviour.

import assert from "node:assert/strict";
import type { XmlElement } from "../../src/xml/element.ts";
import { parseXml } from "../../src/xml/parser.ts";
import { canonicalize } from "../../src/xml/serialize.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { jsonToStanza } from "../../src/jsonmap/mod.ts";
import { FakePort } from "../support/fake_port.ts";
import { JSON_TYPE, postJson, setup, XML } from "./helpers.ts";
import type { Vector } from "../support/vectors.ts";

/** The component domain the vectors were recorded with, and ours. */
const RECORDED_DOMAIN = "rest.localhost";
const DOMAIN = "rest.example.net";

/** HTTP-level differences from the recording (README "Differences from mod_rest"). */
const HTTP_DEVIATIONS: Readonly<
  Record<string, { reason: string; status: number; echoStatus: number }>
> = {
  "message-error-map": {
    reason:
      "README: Differences from mod_rest: a JSON error stanza is sent as an error stanza, 202 (mod_rest crashed with 500)",
    status: 202,
    echoStatus: 200,
  },
};

/**
 * Vectors whose stanza differs from the recording because of a JSON mapping
 * decision; the expected XML is asserted in tests/jsonmap/vectors_test.ts,
 * here only that one stanza of the right kind and id was sent.
 */
const MAPPING_DEVIATIONS: Readonly<Record<string, string>> = {
  "message-archive-result":
    'README: Differences from mod_rest: `archive` implies type="set" only on iq',
  "message-error-map":
    "README: Differences from mod_rest: JSON error stanzas are sent (mod_rest sent nothing)",
  "message-dataform":
    "README: Differences from mod_rest: data-form fields not nested, options from `options`",
  "iq-command-map-next":
    'README: Differences from mod_rest: `command.data` carries type="submit"',
};

const source = new URL("../fixtures/vectors/", import.meta.url);

/** Reads a vector with the recorded domain replaced by ours. */
function load(file: string): Vector {
  const text = Deno.readTextFileSync(new URL(file, source));
  return JSON.parse(text.replaceAll(RECORDED_DOMAIN, DOMAIN)) as Vector;
}

function parse(xml: string): XmlElement {
  return parseXml(xml, { defaultNamespace: NS.client });
}

/** Canonical form with `id` blanked when the request did not fix it. */
function canon(stanza: XmlElement, keepId: boolean): string {
  return canonicalize(keepId ? stanza : stanza.withAttrs({ id: "*" }));
}

/**
 * Deviation (README "Differences from mod_rest"): an archive query without a
 * `queryid` gets one, so its results can be captured. Asserts it is there
 * and removes it so the rest compares with the recording.
 */
function withoutAddedQueryId(
  stanza: XmlElement,
  input: Record<string, unknown>,
): XmlElement {
  const query = stanza.getChild("query", NS.mam);
  const archive = input.archive as Record<string, unknown> | undefined;
  if (query === undefined || archive?.queryid !== undefined) return stanza;
  assert.ok(query.attr("queryid"), "a queryid was assigned");
  return stanza.withChildren([query.withAttrs({ queryid: undefined })]);
}

async function checkPost(vector: Vector): Promise<void> {
  const input = vector.input as Record<string, unknown>;
  const keepId = typeof input.id === "string";
  const dev = HTTP_DEVIATIONS[vector.name];
  const { port, handler } = setup();
  const reply = vector.http?.json;
  port.answerIq = (iq) =>
    reply ? jsonToStanza({ ...reply, id: iq.attr("id") }) : "timeout";
  const res = await handler(postJson(input));
  assert.equal(res.status, dev?.status ?? vector.http?.status);
  assert.equal(port.sent.length, 1);
  const sent = withoutAddedQueryId(port.sent[0], input);
  if (MAPPING_DEVIATIONS[vector.name] === undefined) {
    assert.ok(vector.output_canonical, "vector has an output");
    assert.equal(
      canon(sent, keepId),
      canon(parse(vector.output_canonical), keepId),
    );
  } else {
    assert.equal(sent.name, input.kind ?? sent.name);
    if (keepId) assert.equal(sent.attr("id"), input.id);
  }
  if (res.status === 200) {
    assert.equal(res.headers.get("Content-Type"), JSON_TYPE);
    assert.deepEqual(await res.json(), { ...reply, id: sent.attr("id") });
  } else {
    assert.equal(await res.text(), "");
  }

  const echo = await handler(postJson(input, { accept: XML }, "/rest/echo"));
  assert.equal(echo.status, dev?.echoStatus ?? 200);
  const echoed = withoutAddedQueryId(parse(await echo.text()), input);
  if (typeof vector.echo_xml === "string" && !MAPPING_DEVIATIONS[vector.name]) {
    assert.equal(canon(echoed, keepId), canon(parse(vector.echo_xml), keepId));
  }
  assert.equal(port.sent.length, 1, "echo sends nothing");
}

async function checkIqResponse(vector: Vector): Promise<void> {
  const request = vector.request ?? {};
  const output = vector.output as Record<string, unknown>;
  const port = new FakePort(DOMAIN);
  const { handler } = setup({}, port);
  port.answerIq = (iq) => {
    // The client's reply as the server routed it: from = the queried JID,
    // and the xml:lang Prosody stamps from the client's stream.
    const recorded = parse(vector.input as string);
    return recorded.withAttrs({
      from: iq.attr("to"),
      id: iq.attr("id"),
      "xml:lang": recorded.attr("xml:lang") ??
        (typeof output.lang === "string" ? output.lang : undefined),
    });
  };
  const res = await handler(postJson(request));
  assert.equal(res.status, vector.http?.status);
  assert.equal(res.headers.get("Content-Type"), vector.http?.content_type);
  assert.deepEqual(await res.json(), output);
}

const files = [...Deno.readDirSync(source)]
  .filter((e) => e.isFile && e.name.endsWith(".json"))
  .map((e) => e.name)
  .sort();

for (const file of files) {
  const vector = load(file);
  if (vector.via !== "post" && vector.via !== "iq-response") continue;
  const dev = HTTP_DEVIATIONS[vector.name] ?? undefined;
  const note = dev ? ` (deviation: ${dev.reason})` : "";
  Deno.test(`vector ${file} through the REST handler${note}`, () =>
    vector.via === "post" ? checkPost(vector) : checkIqResponse(vector));
}

Deno.test("vectors: post and iq-response vectors are present", () => {
  const vias = files.map((f) => load(f).via);
  assert.ok(vias.filter((v) => v === "post").length >= 50);
  assert.ok(vias.filter((v) => v === "iq-response").length >= 19);
  for (const name of Object.keys(HTTP_DEVIATIONS)) {
    assert.ok(files.some((f) => load(f).name === name), name);
  }
});
