// Golden vectors recorded from Prosody's mod_rest (tests/fixtures/vectors/README.md) against the JSON mapping.
//
// One test per vector file. Where README "Differences from mod_rest" deliberately differs from
// mod_rest, DEVIATIONS below says so and gives our expected result.

import assert from "node:assert/strict";
import { XmlElement } from "../../src/xml/element.ts";
import { parseXml } from "../../src/xml/parser.ts";
import { canonicalize } from "../../src/xml/serialize.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { isReplyForbidden } from "../../src/xmpp/stanza.ts";
import {
  JsonMappingError,
  jsonToStanza,
  stanzaToJson,
} from "../../src/jsonmap/mod.ts";
import type { Vector } from "../support/vectors.ts";

/** The component domain the vectors were recorded with. */
const DOMAIN = "rest.localhost";

/** A deliberate difference from the recorded mod_rest behaviour. */
interface Deviation {
  /** Why we differ (the README "Differences from mod_rest" rule). */
  reason: string;
  /** Our expected XML (canonical form not required) instead of the recorded one. */
  xml?: string;
  /** Our expected JSON instead of the recorded one. */
  json?: unknown;
  /** callback-reply: the children we expect in the reply instead of the recorded ones. */
  replyChildren?: string;
  /** callback-reply: no reply at all (a webhook-layer rule), checked as stated. */
  noReply?: (request: XmlElement) => boolean;
}

const DEVIATIONS: Readonly<Record<string, Deviation>> = {
  "message-archive-result": {
    reason:
      'README: Differences from mod_rest: `archive` implies type="set" only on iq; mod_rest put type="set" on this message',
    xml:
      `<message from="rest.localhost" id="j2x-34" to="alice@localhost/vectors"><result xmlns="urn:xmpp:mam:2" id="arch-1" queryid="q1"><forwarded xmlns="urn:xmpp:forward:0"><message xmlns="jabber:client" from="bob@localhost" type="chat"><body>archived</body></message><delay xmlns="urn:xmpp:delay" stamp="2021-01-01T00:00:00Z"/></forwarded></result></message>`,
  },
  "message-error-map": {
    reason:
      "README: Differences from mod_rest: a JSON error stanza is sent as an error stanza (mod_rest crashed with 500)",
    xml:
      `<message from="rest.localhost" id="j2x-38" to="alice@localhost/vectors" type="error"><error type="cancel" by="rest.localhost"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">gone</text></error></message>`,
  },
  "message-dataform": {
    reason:
      "README: Differences from mod_rest: data-form fields are not nested and options are taken from `options`",
    xml:
      `<message from="rest.localhost" id="j2x-31" to="alice@localhost/vectors" type="normal"><x xmlns="jabber:x:data" type="form"><title>Survey</title><instructions>Please answer</instructions><field label="Name" type="text-single" var="name"><desc>Your name</desc><required/><value>Al</value></field><field label="Colors" type="list-multi" var="colors"><value>red</value><option label="Red"><value>red</value></option><option label="Blue"><value>blue</value></option></field></x></message>`,
  },
  "iq-command-map-next": {
    reason:
      'README: Differences from mod_rest: `command.data` forms carry type="submit"',
    xml:
      `<iq from="rest.localhost" id="j2x-79" to="alice@localhost/vectors" type="set"><command xmlns="http://jabber.org/protocol/commands" action="next" node="config" sessionid="sess-1"><x xmlns="jabber:x:data" type="submit"><field var="name"><value>Alice</value></field><field var="colors"><value>red</value><value>blue</value></field></x></command></iq>`,
  },
  "callback-reply-iq-reply-json-type-error": {
    reason:
      "README: Differences from mod_rest (webhooks): a JSON error reply is sent as an error reply (mod_rest's handler crashed, the sender got nothing)",
    replyChildren:
      `<error type="wait"><resource-constraint xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>`,
  },
  "callback-reply-iq-result-from-client": {
    reason:
      "never reply to a result (webhook layer; mod_rest and xmpp-rest agree): the request is reply-forbidden",
    noReply: (request) => isReplyForbidden(request),
  },
};

function parse(xml: string): XmlElement {
  return parseXml(xml, { defaultNamespace: NS.client });
}

function children(element: XmlElement): string {
  return canonicalize(new XmlElement("x", NS.client, {}, element.elements()));
}

function checkPost(v: Vector, dev?: Deviation): void {
  const input = v.input as Record<string, unknown>;
  let ours = jsonToStanza(input);
  if (ours.attr("from") === undefined) ours = ours.withAttrs({ from: DOMAIN });
  const expectedXml = dev?.xml ?? v.output_canonical;
  assert.ok(expectedXml, "vector has no expected output and no deviation");
  let expected = parse(expectedXml);
  if (input.id === undefined) {
    ours = ours.withAttrs({ id: undefined });
    expected = expected.withAttrs({ id: undefined });
  }
  assert.equal(canonicalize(ours), canonicalize(expected));
}

function checkCallback(v: Vector, dev?: Deviation): void {
  // The component saw the routed stanza (server-stamped from and xml:lang,
  // server-added payloads such as vcard-temp:x:update); the JSON was recorded
  // on a twin component whose address is the input's `to`.
  assert.ok(v.routed_xml, "callback vector without routed_xml");
  const to = parse(v.input as string).attr("to");
  const stanza = parse(v.routed_xml).withAttrs({ to });
  const expected = dev?.json ?? v.output;
  if (expected === null) {
    assert.throws(() => stanzaToJson(stanza), JsonMappingError);
    return;
  }
  assert.deepStrictEqual(stanzaToJson(stanza), expected);
}

function checkIqResponse(v: Vector, dev?: Deviation): void {
  // The client's reply as routed back: from the iq's target, xml:lang stamped.
  let stanza = parse(v.input as string);
  if (stanza.attr("from") === undefined) {
    stanza = stanza.withAttrs({ from: v.request?.to });
  }
  if (stanza.attr("xml:lang") === undefined) {
    stanza = stanza.withAttrs({ "xml:lang": "en" });
  }
  assert.deepStrictEqual(stanzaToJson(stanza), dev?.json ?? v.output);
}

function checkCallbackReply(v: Vector, dev?: Deviation): void {
  // Addresses, id and iq type are the webhook layer's (it rewrites them);
  // the mapping owns the payload, and a message reply's type.
  assert.ok(v.request_stanza, "callback-reply vector without request_stanza");
  const request = parse(v.request_stanza);
  const reply = v.input_content_type === "application/json"
    ? jsonToStanza(v.input)
    : parse(v.input as string);
  if (dev?.noReply) {
    assert.ok(dev.noReply(request), dev.reason);
    return;
  }
  if (dev?.replyChildren !== undefined) {
    assert.equal(reply.attr("type"), "error");
    assert.equal(
      children(reply),
      children(parse(`<x>${dev.replyChildren}</x>`)),
    );
    return;
  }
  assert.ok(typeof v.output === "string", "vector has no recorded reply");
  const expected = parse(v.output);
  if (reply.name !== request.name) {
    // Another kind than the request: the webhook layer answers an iq with
    // an empty result. The recorded reply must be exactly that.
    assert.equal(request.name, "iq");
    assert.equal(expected.elements().length, 0);
    return;
  }
  assert.equal(children(reply), children(expected));
  if (reply.name === "message") {
    assert.equal(reply.attr("type"), expected.attr("type"));
  }
}

const CHECKS = {
  post: checkPost,
  callback: checkCallback,
  "iq-response": checkIqResponse,
  "callback-reply": checkCallbackReply,
} as const;

const dir = new URL("../fixtures/vectors/", import.meta.url);
const files = [...Deno.readDirSync(dir)]
  .filter((e) => e.isFile && e.name.endsWith(".json"))
  .map((e) => e.name)
  .sort();

const vectors = files.map((file) => ({
  file,
  vector: JSON.parse(Deno.readTextFileSync(new URL(file, dir))) as Vector,
}));

for (const { file, vector } of vectors) {
  const dev = DEVIATIONS[vector.name];
  const note = dev ? ` (deviation: ${dev.reason})` : "";
  Deno.test({
    name: `vector ${file} [${vector.via}]${note}`,
    permissions: "none",
    fn: () => CHECKS[vector.via](vector, dev),
  });
}

Deno.test({
  name:
    "vectors: the fixture set is complete and every deviation names a vector",
  permissions: "none",
  fn() {
    assert.ok(vectors.length >= 128, `only ${vectors.length} vectors found`);
    const names = new Set(vectors.map((v) => v.vector.name));
    for (const name of Object.keys(DEVIATIONS)) {
      assert.ok(names.has(name), name);
    }
  },
});
