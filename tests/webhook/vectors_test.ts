// Golden vectors recorded from Prosody's mod_rest (tests/fixtures/vectors/README.md) through the whole webhook path.
//
// `callback` vectors: the stanza a client sent is delivered with the JSON
// body format; the body and headers we POST must match what mod_rest
// POSTed, and where the vector recorded the webhook's answer, the stanza
// the client got back must match. `callback-reply` vectors: the webhook's
// answer must turn into the stanza the client received. Where README "Differences from mod_rest"
// deliberately differs, DEVIATIONS says so and gives our expectation.

import assert from "node:assert/strict";
import type { XmlElement } from "../../src/xml/element.ts";
import { parseXml } from "../../src/xml/parser.ts";
import { canonicalize } from "../../src/xml/serialize.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { createWebhook } from "../../src/webhook/delivery.ts";
import { FakePort } from "../support/fake_port.ts";
import { fakeFetch } from "./fake_fetch.ts";
import { loadVectors } from "../support/vectors.ts";

/** The JSON component's domain in the recordings (`routed_xml` names the XML one). */
const DOMAIN = "restjson.localhost";
const ALICE = "alice@localhost/vectors";

interface Deviation {
  reason: string;
  /** Our expected request Content-Type instead of the recorded one. */
  contentType?: string;
  /** Our expected replies (XML, ids compared) instead of the recorded ones. */
  replies?: string[];
}

const DEVIATIONS: Readonly<Record<string, Deviation>> = {
  "message-payload-invalid-json": {
    reason:
      "README: Differences from mod_rest: a stanza that cannot be JSON-encoded is delivered as XML (mod_rest made a bodiless request)",
    contentType: "application/xmpp+xml",
  },
  "callback-reply-iq-reply-json-type-error": {
    reason:
      "README: Differences from mod_rest: a JSON error reply is sent as an error reply (mod_rest's handler crashed, the sender got nothing)",
    replies: [
      `<iq from="bot@${DOMAIN}" to="${ALICE}" id="x2j-89" type="error"><error type="wait"><resource-constraint xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>`,
    ],
  },
};

function parse(xml: string): XmlElement {
  return parseXml(xml, { defaultNamespace: NS.client });
}

/** Canonical form; the id is dropped where the reply's id was generated. */
function comparable(stanza: XmlElement, keepId: boolean): string {
  return canonicalize(keepId ? stanza : stanza.withAttrs({ id: undefined }));
}

function answer(status: number, contentType?: string, body?: string): Response {
  const headers = contentType ? { "content-type": contentType } : undefined;
  return new Response(status === 204 ? null : body ?? null, {
    status,
    headers,
  });
}

async function run(
  request: XmlElement,
  reply: () => Response,
): Promise<{ port: FakePort; sent: ReturnType<typeof fakeFetch>["requests"] }> {
  const port = new FakePort(DOMAIN);
  const fake = fakeFetch(reply);
  const webhook = createWebhook({
    callbackUrl: "http://webhook.test/{kind}",
    callbackContentType: "application/json",
    xmpp: port,
    fetch: fake.fetch,
  });
  await webhook.deliver(request);
  return { port, sent: fake.requests };
}

function checkReplies(
  port: FakePort,
  expected: readonly string[],
  keepId: (reply: XmlElement) => boolean,
): void {
  const want = expected.map((xml) => parse(xml));
  assert.equal(port.sent.length, want.length, "number of replies");
  port.sent.forEach((got, i) => {
    const keep = keepId(want[i]);
    assert.equal(comparable(got, keep), comparable(want[i], keep));
  });
}

for (
  const vector of loadVectors("callback", "callback-reply").map((f) => f.vector)
) {
  const deviation = DEVIATIONS[vector.name];
  Deno.test({
    name: `webhook vector ${vector.name}${deviation ? " (deviation)" : ""}`,
    permissions: { read: true },
    async fn() {
      if (vector.via === "callback") {
        // routed_xml was recorded on the XML component: readdress it to the JSON one.
        const routed = parse(
          vector.routed_xml!.replaceAll(
            /(['"@])rest\.localhost/g,
            `$1${DOMAIN}`,
          ),
        );
        const recorded = vector.webhook_reply;
        const { port, sent } = await run(routed, () =>
          recorded
            ? answer(
              recorded.status,
              recorded.content_type,
              recorded.json === undefined
                ? undefined
                : JSON.stringify(recorded.json),
            )
            : answer(204));
        assert.equal(sent.length, 1);
        const headers = sent[0].headers;
        if (deviation?.contentType) {
          assert.equal(
            headers.get("content-type"),
            deviation.contentType,
            deviation.reason,
          );
        } else {
          assert.deepEqual(JSON.parse(sent[0].body), vector.output);
          for (
            const [name, value] of Object.entries(vector.callback_headers ?? {})
          ) {
            assert.equal(headers.get(name), value, name);
          }
        }
        if (recorded) {
          checkReplies(
            port,
            deviation?.replies ?? vector.client_received ?? [],
            () => true,
          );
        }
        return;
      }
      // callback-reply
      const request = parse(vector.request_stanza!).withAttrs({ from: ALICE });
      const body = typeof vector.input === "string"
        ? vector.input
        : JSON.stringify(vector.input);
      const { port } = await run(
        request,
        () => answer(200, vector.input_content_type, body),
      );
      const expected = deviation?.replies ??
        (vector.output === null ? [] : [vector.output as string]);
      // Message replies get a new id unless the webhook's answer had one.
      const answerHasId = typeof vector.input === "object" &&
        vector.input !== null &&
        "id" in vector.input;
      checkReplies(
        port,
        expected,
        (reply) => reply.name === "iq" || answerHasId,
      );
    },
  });
}
