// README "Options", "The reply" with README "Differences from mod_rest", end to end: receipts, groupchat, URL templates, filters.

import assert from "node:assert/strict";
import { NS } from "../../src/xmpp/namespaces.ts";
import {
  compareStanzas,
  fill,
  idOf,
  jsonOf,
  reply,
  stanza,
  startWebhookEnv,
  type WebhookCase,
  type WebhookEnv,
  WebhookStub,
} from "./webhook_stub.ts";

const ERR = NS.stanzas;

/** Alice sends `request`; what she receives must equal `expected` (`id="*"`: any id). */
async function expectReplies(
  w: WebhookEnv,
  request: string,
  expected: readonly string[],
): Promise<void> {
  const received = await w.exchange(stanza(fill(request, w)));
  const { got, want } = compareStanzas(
    received,
    expected.map((xml) => stanza(fill(xml, w))),
  );
  assert.deepEqual(got, want);
}

/** Prosody-style percent-encoding of the characters the JIDs here use (lower-case hex). */
function pct(jid: string): string {
  return jid.replaceAll("@", "%40").replaceAll("/", "%2f");
}

const RECEIPT_ROWS = [
  {
    name: "204 -> the receipt alone, original type, new id",
    answer: () => reply.empty(204),
    request:
      `<message type="chat" to="bot@{D}" id="rc-1"><body>ack?</body><request xmlns="urn:xmpp:receipts"/></message>`,
    expected: [
      `<message type="chat" id="*" from="bot@{D}" to="{A}"><received xmlns="urn:xmpp:receipts" id="rc-1"/></message>`,
    ],
  },
  {
    name: "202, typeless message to the host -> the receipt alone, typeless",
    answer: () => reply.empty(202),
    request:
      `<message to="{D}" id="rc-2"><body>ack?</body><request xmlns="urn:xmpp:receipts"/></message>`,
    expected: [
      `<message id="*" from="{D}" to="{A}"><received xmlns="urn:xmpp:receipts" id="rc-2"/></message>`,
    ],
  },
  {
    name: "200 JSON -> the receipt added to the reply",
    answer: () => reply.json(200, { body: "got it" }),
    request:
      `<message type="chat" to="bot@{D}" id="rc-3"><body>ack?</body><request xmlns="urn:xmpp:receipts"/></message>`,
    expected: [
      `<message id="*" from="bot@{D}" to="{A}"><body>got it</body><received xmlns="urn:xmpp:receipts" id="rc-3"/></message>`,
    ],
  },
  {
    name: "404 -> the error only",
    answer: () => reply.empty(404),
    request:
      `<message type="chat" to="bot@{D}" id="rc-4"><body>ack?</body><request xmlns="urn:xmpp:receipts"/></message>`,
    expected: [
      `<message type="error" id="rc-4" from="bot@{D}" to="{A}"><error type="cancel"><item-not-found xmlns="${ERR}"/><text xmlns="${ERR}">404 Not Found</text></error></message>`,
    ],
  },
  {
    name: "no id -> no receipt (XEP-0184 section 5.1)",
    answer: () => reply.empty(204),
    request:
      `<message type="chat" to="bot@{D}"><body>ack?</body><request xmlns="urn:xmpp:receipts"/></message>`,
    expected: [],
  },
];

/** Receipts, groupchat, URL templates, filters. */
export const FEATURE_CASES: readonly WebhookCase[] = [
  {
    name: "XEP-0184 receipts carry the original id",
    async run(server, t) {
      await using w = await startWebhookEnv(server);
      for (const row of RECEIPT_ROWS) {
        await t.step(row.name, async () => {
          w.stub.answer = row.answer;
          await expectReplies(w, row.request, row.expected);
        });
      }
    },
  },
  {
    name: "a groupchat reply goes to the bare JID of the sender",
    async run(server) {
      await using w = await startWebhookEnv(server, {
        callbackContentType: "application/json",
      });
      w.stub.answer = () =>
        reply.json(200, { type: "groupchat", body: "to the room" });
      const bare = w.alice.jid.split("/")[0];
      const received = await w.exchange(stanza(
        fill(
          `<message type="groupchat" to="bot@{D}" id="gc-1"><body>hi</body></message>`,
          w,
        ),
      ));
      const posted = JSON.parse(
        (await w.stub.waitFor((r) => r.body.includes('"gc-1"'))).body,
      );
      assert.deepEqual([posted.type, posted.from], ["groupchat", w.alice.jid]);
      // Neither Prosody 0.12 nor ejabberd delivers a groupchat message to a
      // user's bare JID (no MUC claims it): both bounce it service-unavailable
      // from that bare JID, which shows where the reply went.
      assert.deepEqual(received, []);
      const bounce = await w.stub.waitFor((r) => jsonOf(r)?.type === "error");
      const json = jsonOf(bounce)!;
      assert.deepEqual(
        [json.from, json.to, (json.error as { condition?: string })?.condition],
        [bare, `bot@${w.domain}`, "service-unavailable"],
      );
    },
  },
  {
    name:
      "URL placeholders {kind}/{type}/{to}/{from} are rendered percent-encoded",
    async run(server) {
      await using stub = new WebhookStub();
      await using w = await startWebhookEnv(server, {
        callbackUrl: stub.url("/hook/{kind}/{type}/{to}/{from}"),
      }, stub);
      const a = pct(w.alice.jid);
      const d = w.domain;
      const options = await stub.waitFor((r) => r.method === "OPTIONS");
      assert.equal(options.path, `/hook/meta/info/${d}/${d}`);
      await w.exchange(
        stanza(
          `<message type="chat" to="bot@${d}" id="u1"><body>x</body></message>`,
        ),
        // README "Differences from mod_rest": a missing value renders as "" (mod_rest left "{type}").
        stanza(`<presence to="${d}" id="u2"/>`),
        stanza(
          `<iq type="get" to="bot@${d}/a b+é" id="u3"><ping xmlns="urn:xmpp:ping"/></iq>`,
        ),
      );
      // Delivered concurrently: compare as sets.
      assert.deepEqual(
        w.stub.takePosts().map((r) => r.path).sort(),
        [
          `/hook/message/chat/bot%40${d}/${a}`,
          `/hook/presence//${d}/${a}`,
          `/hook/iq/get/bot%40${d}%2fa%20b%2b%c3%a9/${a}`,
        ].sort(),
      );
    },
  },
  {
    name:
      "callbackStanzas: unselected kinds are not posted (iq -> service-unavailable)",
    async run(server) {
      await using w = await startWebhookEnv(server, {
        callbackStanzas: ["message"],
      });
      const received = await w.exchange(
        stanza(
          fill(
            `<iq type="get" to="bot@{D}" id="s-iq"><ping xmlns="urn:xmpp:ping"/></iq>`,
            w,
          ),
        ),
        stanza(fill(`<presence to="bot@{D}" id="s-presence"/>`, w)),
        stanza(
          fill(
            `<message type="chat" to="bot@{D}" id="s-msg"><body>x</body></message>`,
            w,
          ),
        ),
      );
      assert.deepEqual(w.stub.takePosts().map(idOf), ["s-msg"]);
      const { got, want } = compareStanzas(received, [
        stanza(
          fill(
            `<iq type="error" id="s-iq" from="bot@{D}" to="{A}"><error type="cancel"><service-unavailable xmlns="${ERR}"/></error></iq>`,
            w,
          ),
        ),
      ]);
      assert.deepEqual(got, want);
    },
  },
  {
    name: "callbackEvents: unselected address forms are not posted",
    async run(server) {
      await using w = await startWebhookEnv(server, {
        callbackEvents: ["bare"],
      });
      const received = await w.exchange(
        stanza(
          fill(
            `<message type="chat" to="bot@{D}/r" id="e-full"><body>x</body></message>`,
            w,
          ),
        ),
        stanza(
          fill(
            `<iq type="get" to="bot@{D}/r" id="e-iq-full"><ping xmlns="urn:xmpp:ping"/></iq>`,
            w,
          ),
        ),
        stanza(
          fill(
            `<iq type="get" to="{D}" id="e-iq-host"><ping xmlns="urn:xmpp:ping"/></iq>`,
            w,
          ),
        ),
        stanza(
          fill(
            `<message type="chat" to="bot@{D}" id="e-bare"><body>x</body></message>`,
            w,
          ),
        ),
      );
      assert.deepEqual(w.stub.takePosts().map(idOf), ["e-bare"]);
      const unavailable = (id: string, from: string) =>
        stanza(
          fill(
            `<iq type="error" id="${id}" from="${from}" to="{A}"><error type="cancel"><service-unavailable xmlns="${ERR}"/></error></iq>`,
            w,
          ),
        );
      const { got, want } = compareStanzas(received, [
        unavailable("e-iq-full", `bot@${w.domain}/r`),
        unavailable("e-iq-host", w.domain),
      ]);
      assert.deepEqual(got, want);
    },
  },
];
