// Golden vectors recorded from mod_rest (tests/fixtures/vectors/README.md) end to end: alice -> server -> gateway -> webhook and back.
//
// `callback` vectors: alice sends `input`; the body and headers the webhook
// gets must be mod_rest's `output` and `callback_headers`; the webhook
// answers `webhook_reply` (else 204) and alice must get `client_received`.
// `callback-reply` vectors: alice sends `request_stanza`, the webhook
// answers `input`, alice must get `output`. Addresses are normalised to this
// run's; ids the gateway generates are not compared. Where README "Differences from mod_rest" (or
// the server) differs from the recording, DEVIATIONS says why and what we
// assert instead.

import assert from "node:assert/strict";
import type { XmlElement } from "../../src/xml/element.ts";
import { canonicalize } from "../../src/xml/serialize.ts";
import {
  compareStanzas,
  jsonOf,
  reply,
  stanza,
  startWebhookEnv,
  type WebhookCase,
  type WebhookEnv,
} from "./webhook_stub.ts";
import type { Vector } from "../support/vectors.ts";

const DIR = new URL("../fixtures/vectors/", import.meta.url);

interface Deviation {
  /** Why we differ from the recording. */
  reason: string;
  /** Our request Content-Type; the body is then the XML stanza. */
  contentType?: string;
  /** What alice gets instead (recorded addresses, normalised like the vector). */
  replies?: string[];
  /** The server bounces the reply (service-unavailable) back to the webhook instead. */
  bounced?: true;
}

const DEVIATIONS: Readonly<Record<string, Deviation>> = {
  "message-payload-invalid-json": {
    reason:
      "README: Differences from mod_rest: a stanza without a JSON form is posted as XML (mod_rest made no usable request)",
    contentType: "application/xmpp+xml",
  },
  "message-receipt-request": {
    reason:
      "README: Differences from mod_rest: the receipt is sent with the original id (mod_rest 0.12's never fired)",
    replies: [
      `<message type="chat" id="*" from="bot@restjson.localhost" to="alice@localhost/vectors"><received xmlns="urn:xmpp:receipts" id="x2j-17"/></message>`,
    ],
  },
  "callback-reply-iq-reply-json-type-error": {
    reason:
      "README: Differences from mod_rest: a JSON error reply is sent (mod_rest's handler crashed, alice got nothing)",
    replies: [
      `<iq type="error" id="x2j-89" from="bot@restjson.localhost" to="alice@localhost/vectors"><error type="wait"><resource-constraint xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>`,
    ],
  },
  "callback-reply-json-groupchat-type": {
    reason:
      "server: the recording's Prosody delivered a groupchat message to alice's bare JID; a stock Prosody 0.12 (mod_message, no MUC claiming it) and ejabberd bounce it service-unavailable",
    bounced: true,
  },
};

/** Vector files of one kind, as raw text (normalised per run). */
function vectorTexts(via: string): string[] {
  const out: { name: string; text: string }[] = [];
  for (const entry of Deno.readDirSync(DIR)) {
    if (!entry.name.endsWith(".json")) continue;
    const text = Deno.readTextFileSync(new URL(entry.name, DIR));
    if ((JSON.parse(text) as Vector).via === via) {
      out.push({ name: entry.name, text });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name)).map((v) => v.text);
}

/** The recording's addresses -> this run's (both recorded component domains -> ours). */
function normalise(text: string, w: WebhookEnv): string {
  return text.replaceAll("restjson.localhost", w.domain)
    .replaceAll("rest.localhost", w.domain)
    .replaceAll("alice@localhost/vectors", w.alice.jid)
    .replaceAll("alice@localhost", w.alice.jid.split("/")[0]);
}

function answerOf(recorded: NonNullable<Vector["webhook_reply"]>): Response {
  if (recorded.json === undefined) return reply.empty(recorded.status);
  return new Response(JSON.stringify(recorded.json), {
    status: recorded.status,
    headers: { "content-type": recorded.content_type ?? "application/json" },
  });
}

/** Alice sends `request`; compares what she gets with `expected` (ids she could not know ignored). */
async function checkReplies(
  w: WebhookEnv,
  sent: XmlElement,
  expected: readonly string[],
): Promise<void> {
  const received = await w.exchange(sent);
  const want = expected.map((xml) => {
    const s = stanza(xml);
    return s.attr("id") === sent.attr("id") ? s : s.withAttrs({ id: "*" });
  });
  const { got, want: canon } = compareStanzas(received, want);
  assert.deepEqual(got, canon);
}

async function runCallback(w: WebhookEnv, text: string): Promise<void> {
  const v = JSON.parse(normalise(text, w)) as Vector;
  const deviation = DEVIATIONS[v.name];
  w.stub.answer = () =>
    v.webhook_reply ? answerOf(v.webhook_reply) : reply.empty(204);
  const replies = deviation?.replies?.map((x) => normalise(x, w));
  // Alice sends what the recording's server routed (its `input` plus what
  // that server added, e.g. a vcard-temp:x:update on presence), so the
  // webhook body does not depend on this server's modules.
  const routed = stanza(v.routed_xml!).withAttrs({ from: undefined });
  await checkReplies(w, routed, replies ?? v.client_received ?? []);
  const posts = w.stub.takePosts();
  assert.equal(posts.length, 1, "one webhook request");
  const { headers, body } = posts[0];
  if (deviation?.contentType) {
    assert.equal(headers.get("content-type"), deviation.contentType);
    assert.equal(
      canonicalize(stanza(body)),
      canonicalize(stanza(v.routed_xml!)),
    );
    return;
  }
  const expected = { ...v.output as Record<string, unknown> };
  if (w.server.kind === "ejabberd" && expected.type === "normal") {
    // ejabberd drops type="normal" (the default) when it routes a message.
    delete expected.type;
  }
  assert.deepEqual(JSON.parse(body), expected);
  for (const [name, value] of Object.entries(v.callback_headers ?? {})) {
    assert.equal(headers.get(name), value, name);
  }
}

async function runCallbackReply(
  w: WebhookEnv,
  text: string,
): Promise<void> {
  const v = JSON.parse(normalise(text, w)) as Vector;
  const deviation = DEVIATIONS[v.name];
  const body = typeof v.input === "string" ? v.input : JSON.stringify(v.input);
  w.stub.answer = () =>
    new Response(body, {
      headers: { "content-type": v.input_content_type ?? "application/json" },
    });
  const bounced = deviation?.bounced;
  const recorded = v.output === null ? [] : [v.output as string];
  await checkReplies(
    w,
    stanza(v.request_stanza!),
    bounced ? [] : deviation?.replies?.map((x) => normalise(x, w)) ?? recorded,
  );
  if (bounced) {
    const bounce = await w.stub.waitFor((r) => jsonOf(r)?.type === "error");
    const error = jsonOf(bounce)!.error as { condition?: string };
    assert.equal(error.condition, "service-unavailable");
  }
  w.stub.take();
}

/** One case per vector kind, one step per vector, over the JSON body format the recordings used. */
export const VECTOR_CASES: readonly WebhookCase[] = [
  {
    name: "recorded callback vectors: request body, headers and replies",
    async run(server, t) {
      await using w = await startWebhookEnv(server, {
        callbackContentType: "application/json",
      });
      for (const text of vectorTexts("callback")) {
        const name = (JSON.parse(text) as Vector).name;
        const suffix = DEVIATIONS[name] ? " (deviation)" : "";
        await t.step(name + suffix, () => runCallback(w, text));
      }
    },
  },
  {
    name:
      "recorded callback-reply vectors: the webhook's answer as alice gets it",
    async run(server, t) {
      await using w = await startWebhookEnv(server, {
        callbackContentType: "application/json",
      });
      for (const text of vectorTexts("callback-reply")) {
        const name = (JSON.parse(text) as Vector).name;
        const suffix = DEVIATIONS[name] ? " (deviation)" : "";
        await t.step(name + suffix, () => runCallbackReply(w, text));
      }
    },
  },
];
