// README "The startup probe", "The request", end to end: the webhook request on the wire (body formats, headers) and the startup OPTIONS probe.

import assert from "node:assert/strict";
import { VERSION } from "../../src/version.ts";
import type { GatewayOptions } from "../../src/gateway.ts";
import {
  fill,
  idOf,
  stanza,
  startWebhookEnv,
  type WebhookCase,
  type WebhookEnv,
  WebhookStub,
} from "./webhook_stub.ts";

/** mod_rest's `Accept` (without CBOR), as recorded in the vectors. */
const ACCEPT =
  "application/xmpp+xml, application/json, application/x-www-form-urlencoded, text/plain";

/** Body formats: the configured type, what the request carries, and the fields its body decodes to. */
const FORMAT_ROWS: readonly {
  name: string;
  options: Partial<GatewayOptions>;
  contentType: string;
  decode: (body: string) => Record<string, unknown>;
  fields: readonly string[];
}[] = [
  {
    name: "application/xmpp+xml (default), no xmlns on the stanza",
    options: {},
    contentType: "application/xmpp+xml",
    decode: (body) => {
      assert.doesNotMatch(body, /^<message\b[^>]*\sxmlns=/);
      const s = stanza(body);
      return {
        kind: s.name,
        ...s.attrs,
        body: s.getChildText("body"),
      };
    },
    fields: ["kind", "type", "id", "from", "to", "xml:lang", "body"],
  },
  {
    name: "application/json",
    options: { callbackContentType: "application/json" },
    contentType: "application/json",
    decode: (body) => JSON.parse(body),
    fields: ["kind", "type", "id", "from", "to", "lang", "body"],
  },
  {
    name: "json (alias)",
    options: { callbackContentType: "json" },
    contentType: "application/json",
    decode: (body) => JSON.parse(body),
    fields: ["kind", "type", "id", "from", "to", "lang", "body"],
  },
  {
    name: "application/x-www-form-urlencoded",
    options: { callbackContentType: "application/x-www-form-urlencoded" },
    contentType: "application/x-www-form-urlencoded",
    decode: (body) => Object.fromEntries(new URLSearchParams(body)),
    fields: ["kind", "type", "id", "from", "to", "lang", "body"],
  },
  {
    name: "text/plain (the body text only)",
    options: { callbackContentType: "text/plain" },
    contentType: "text/plain",
    decode: (body) => ({ body }),
    fields: ["body"],
  },
];

/** Startup probe answers and the body format they leave in use. */
const PROBE_ROWS: readonly {
  name: string;
  options: Partial<GatewayOptions>;
  probe: () => Response;
  contentType: string;
}[] = [
  {
    name: "200 with Accept: application/json -> JSON",
    options: {},
    probe: () =>
      new Response(null, { headers: { accept: "application/json" } }),
    contentType: "application/json",
  },
  {
    name: "200 with Accept listing form first among known types -> form",
    options: {},
    probe: () =>
      new Response(null, {
        headers: {
          accept: "text/html, application/x-www-form-urlencoded, */*;q=0.1",
        },
      }),
    contentType: "application/x-www-form-urlencoded",
  },
  {
    name: "200 with Accept: application/xmpp+xml, configured JSON -> XML",
    options: { callbackContentType: "application/json" },
    probe: () =>
      new Response(null, { headers: { accept: "application/xmpp+xml" } }),
    contentType: "application/xmpp+xml",
  },
  {
    name: "404 with Accept: application/json -> unchanged (XML)",
    options: {},
    probe: () =>
      new Response(null, {
        status: 404,
        headers: { accept: "application/json" },
      }),
    contentType: "application/xmpp+xml",
  },
];

/** Waits (bounded) until the probe has set the body format; the POST below checks it. */
async function probeSettled(w: WebhookEnv, contentType: string): Promise<void> {
  await w.stub.waitFor((r) => r.method === "OPTIONS");
  for (let i = 0; i < 500; i++) {
    if (w.env.gateway.webhook?.contentType === contentType) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Body formats, request headers and the probe. */
export const WIRE_CASES: readonly WebhookCase[] = [
  {
    name: "body formats and request headers on the wire",
    async run(server, t) {
      await using stub = new WebhookStub();
      for (const row of FORMAT_ROWS) {
        await t.step(row.name, async () => {
          await using w = await startWebhookEnv(server, {
            callbackUrl: stub.url("/hook/{kind}/{to}"),
            ...row.options,
          }, stub);
          // One at a time, so the requests arrive in this order. The server
          // stamps its default xml:lang ("en") where none is given.
          for (const lang of ["", ' xml:lang="de"']) {
            await w.exchange(stanza(fill(
              `<message type="chat" to="bot@{D}" id="f-${
                lang ? "de" : "en"
              }"${lang}><body>hi &amp; bye</body></message>`,
              w,
            )));
          }
          const requests = w.stub.takePosts();
          assert.equal(requests.length, 2);
          for (const [i, lang] of ["en", "de"].entries()) {
            const { headers, body } = requests[i];
            assert.deepEqual({
              type: headers.get("content-type"),
              accept: headers.get("accept"),
              language: headers.get("content-language"),
              agent: headers.get("user-agent"),
            }, {
              type: row.contentType,
              accept: ACCEPT,
              language: lang,
              agent: `xmpp-rest/${VERSION}`,
            });
            const all: Record<string, string> = {
              kind: "message",
              type: "chat",
              id: `f-${lang}`,
              from: w.alice.jid,
              to: `bot@${w.domain}`,
              lang,
              "xml:lang": lang,
              body: "hi & bye",
            };
            const want = Object.fromEntries(row.fields.map((f) => [f, all[f]]));
            assert.deepEqual(row.decode(body), want);
          }
        });
      }
    },
  },
  {
    name: "the startup OPTIONS probe picks the body format from Accept",
    async run(server, t) {
      await using stub = new WebhookStub();
      for (const row of PROBE_ROWS) {
        await t.step(row.name, async () => {
          stub.take();
          stub.options = row.probe;
          await using w = await startWebhookEnv(server, row.options, stub);
          await probeSettled(w, row.contentType);
          const [probe] = stub.take();
          assert.deepEqual(
            [probe.method, probe.path, probe.headers.get("user-agent")],
            ["OPTIONS", "/hook/meta", `xmpp-rest/${VERSION}`],
          );
          await w.exchange(
            stanza(
              fill(
                `<message type="chat" to="bot@{D}" id="p-1"><body>x</body></message>`,
                w,
              ),
            ),
          );
          const [post] = w.stub.takePosts();
          assert.equal(post.headers.get("content-type"), row.contentType);
          assert.equal(idOf(post), "p-1");
        });
      }
    },
  },
];
