// README "Receiving (webhooks)" with README "Differences from mod_rest", end to end over a real XMPP server: what the sender gets back for each webhook answer.

import assert from "node:assert/strict";
import type { XmlElement } from "../../src/xml/element.ts";
import { canonicalize } from "../../src/xml/serialize.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { FEATURE_CASES } from "./webhook_features.ts";
import { VECTOR_CASES } from "./webhook_vectors.ts";
import { WIRE_CASES } from "./webhook_wire.ts";
import {
  type Answer,
  comparable,
  reply,
  stanza,
  startWebhookEnv,
  type WebhookCase,
  type WebhookEnv,
} from "./webhook_stub.ts";

type Kind = "message" | "presence" | "iq";
const KINDS: readonly Kind[] = ["message", "presence", "iq"];
const ERR = NS.stanzas;

/** The three address forms of `rest_callback_events`. */
const TARGETS: Readonly<Record<string, (domain: string) => string>> = {
  bare: (d) => `bot@${d}`,
  host: (d) => d,
  full: (d) => `bot@${d}/res`,
};

/** What alice sends, per kind. */
const REQUESTS: Readonly<Record<Kind, (to: string, id: string) => string>> = {
  message: (to, id) =>
    `<message type="chat" to="${to}" id="${id}"><body>hello bot</body></message>`,
  presence: (to, id) => `<presence to="${to}" id="${id}"/>`,
  iq: (to, id) =>
    `<iq type="get" to="${to}" id="${id}"><query xmlns="jabber:iq:version"/></iq>`,
};

/** Stanzas that are posted but never answered, whatever the webhook says. */
const UNANSWERABLE: Readonly<Record<Kind, (to: string, id: string) => string>> =
  {
    message: (to, id) =>
      `<message type="error" to="${to}" id="${id}"><error type="cancel"><item-not-found xmlns="${ERR}"/></error></message>`,
    presence: (to, id) =>
      `<presence type="error" to="${to}" id="${id}"><error type="cancel"><item-not-found xmlns="${ERR}"/></error></presence>`,
    iq: (to, id) => `<iq type="result" to="${to}" id="${id}"/>`,
  };

/** One stanza of the matrix. */
interface Row {
  readonly id: string;
  readonly kind: Kind;
  readonly to: string;
  readonly answerable: boolean;
  readonly stanza: XmlElement;
}

/** Builds the reply alice should get for a row; undefined: no reply. */
type Expect = ((row: Row, alice: string) => XmlElement) | undefined;

/** A webhook answer and the reply it must produce, per stanza kind. */
interface MatrixResponse {
  readonly name: string;
  readonly answer: (kind: Kind) => Answer;
  readonly expect: Readonly<Record<Kind, Expect>>;
}

function matrixRows(domain: string, prefix: string): Row[] {
  const rows: Row[] = [];
  for (const kind of KINDS) {
    for (const [form, target] of Object.entries(TARGETS)) {
      const id = `${prefix}-${kind}-${form}`;
      const to = target(domain);
      const xml = REQUESTS[kind](to, id);
      rows.push({ id, kind, to, answerable: true, stanza: stanza(xml) });
    }
    const id = `${prefix}-${kind}-unanswerable`;
    const to = `quiet@${domain}`;
    const xml = UNANSWERABLE[kind](to, id);
    rows.push({ id, kind, to, answerable: false, stanza: stanza(xml) });
  }
  return rows;
}

const errorOf =
  (type: string, condition: string, text: string): Expect => (row, alice) =>
    stanza(
      `<${row.kind} type="error" id="${row.id}" from="${row.to}" to="${alice}"><error type="${type}"><${condition} xmlns="${ERR}"/><text xmlns="${ERR}">${text}</text></error></${row.kind}>`,
    );
const everyKind = (expect: Expect) => ({
  message: expect,
  presence: expect,
  iq: expect,
});
const result = (payload = ""): Expect => (row, alice) =>
  stanza(
    `<iq type="result" id="${row.id}" from="${row.to}" to="${alice}">${payload}</iq>`,
  );
/** A reply with a gateway-made id; its type comes from the webhook's body only. */
const fresh = (inner: string, type?: string): Expect => (row, alice) =>
  stanza(
    `<${row.kind}${
      type ? ` type="${type}"` : ""
    } id="*" from="${row.to}" to="${alice}">${inner}</${row.kind}>`,
  );
const byKind = (answers: Record<Kind, () => Response>) => (kind: Kind) =>
  answers[kind];
const always = (answer: () => Response) => () => answer;
const VERSION_XML =
  `<query xmlns="jabber:iq:version"><name>bot</name><version>1</version></query>`;
const NOTHING_BUT_IQ_RESULT = {
  message: undefined,
  presence: undefined,
  iq: result(),
};

/** Answers from a real HTTP server, and the reply each must produce. */
const ANSWERED: readonly MatrixResponse[] = [
  {
    name: "200 JSON",
    answer: byKind({
      message: () => reply.json(200, { body: "json reply" }),
      presence: () => reply.json(200, { kind: "presence", status: "json" }),
      iq: () => reply.json(200, { version: { name: "bot", version: "1" } }),
    }),
    // README "The reply": nothing is inherited; {"body"} gives a typeless message.
    expect: {
      message: fresh("<body>json reply</body>"),
      presence: fresh("<status>json</status>"),
      iq: result(VERSION_XML),
    },
  },
  {
    name: "200 XML",
    answer: byKind({
      message: () => reply.xml(200, "<message><body>xml</body></message>"),
      presence: () => reply.xml(200, "<presence><show>dnd</show></presence>"),
      iq: () => reply.xml(200, `<iq type="result">${VERSION_XML}</iq>`),
    }),
    expect: {
      message: fresh("<body>xml</body>"),
      presence: fresh("<show>dnd</show>"),
      iq: result(VERSION_XML),
    },
  },
  {
    // text/plain is a chat message: a kind mismatch for presence and iq.
    name: "200 text/plain",
    answer: always(() => reply.text(200, "plain reply")),
    expect: {
      message: fresh("<body>plain reply</body>", "chat"),
      presence: undefined,
      iq: result(),
    },
  },
  {
    // A kind-less JSON body is a message (README "The reply" kind inference).
    name: "200 JSON message for every kind",
    answer: always(() => reply.json(200, { body: "json reply" })),
    expect: {
      message: fresh("<body>json reply</body>"),
      presence: undefined,
      iq: result(),
    },
  },
  {
    name: "202",
    answer: always(() => reply.empty(202)),
    expect: NOTHING_BUT_IQ_RESULT,
  },
  {
    name: "204",
    answer: always(() => reply.empty(204)),
    expect: NOTHING_BUT_IQ_RESULT,
  },
  {
    // README "Differences from mod_rest": no reply (mod_rest sent an empty message/presence).
    name: "200 empty body",
    answer: always(() => reply.empty(200)),
    expect: NOTHING_BUT_IQ_RESULT,
  },
  {
    name: "400",
    answer: always(() => reply.empty(400)),
    expect: everyKind(errorOf("modify", "bad-request", "400 Bad Request")),
  },
  {
    name: "404",
    answer: always(() => reply.empty(404)),
    expect: everyKind(errorOf("cancel", "item-not-found", "404 Not Found")),
  },
  {
    // README "Differences from mod_rest": a non-2xx answer is an error even with a stanza body.
    name: "404 with a JSON message body",
    answer: always(() => reply.json(404, { body: "not an error" })),
    expect: everyKind(errorOf("cancel", "item-not-found", "404 Not Found")),
  },
  {
    name: "409 with a JSON error body",
    answer: always(() =>
      reply.json(409, {
        type: "error",
        error: { type: "cancel", condition: "gone", text: "moved away" },
      })
    ),
    expect: everyKind(errorOf("cancel", "gone", "moved away")),
  },
  {
    name: "500 with an HTML page",
    answer: always(() =>
      new Response("<html><body>oops</body></html>", {
        status: 500,
        headers: { "content-type": "text/html" },
      })
    ),
    expect: everyKind(
      errorOf("wait", "internal-server-error", "500 Internal Server Error"),
    ),
  },
  {
    name: "501",
    answer: always(() => reply.empty(501)),
    expect: everyKind(
      errorOf("cancel", "feature-not-implemented", "501 Not Implemented"),
    ),
  },
  {
    name: "503",
    answer: always(() => reply.empty(503)),
    expect: everyKind(
      errorOf("cancel", "service-unavailable", "503 Service Unavailable"),
    ),
  },
  {
    // README "Differences from mod_rest": a short text/plain body becomes the error text.
    name: "503 with a text/plain body",
    answer: always(() => reply.text(503, "back at noon")),
    expect: everyKind(errorOf("cancel", "service-unavailable", "back at noon")),
  },
];

/** A transport failure: wait/recipient-unavailable for iq and message, nothing for presence. */
function transportFailure(name: string, text: string): MatrixResponse {
  const error = errorOf("wait", "recipient-unavailable", text);
  return {
    name,
    answer: always(() => reply.empty(204)),
    expect: { message: error, presence: undefined, iq: error },
  };
}

/** Sends one row per kind and address form (and the unanswerable ones) at once, then compares every reply. */
async function checkMatrix(
  w: WebhookEnv,
  response: MatrixResponse,
  prefix: string,
  posted: boolean,
): Promise<void> {
  const rows = matrixRows(w.domain, prefix);
  w.stub.take();
  w.stub.answer = (request, signal) =>
    response.answer(request.path.split("/")[2] as Kind)(request, signal);
  const received = await w.exchange(...rows.map((row) => row.stanza));
  if (posted) {
    const requests = w.stub.take();
    const missing = rows.filter((row) =>
      !requests.some((r) => r.body.includes(`"${row.id}"`))
    );
    assert.deepEqual(missing.map((r) => r.id), [], "not posted");
  }
  const key = (s: XmlElement) => `<${s.name}> from ${s.attr("from")}`;
  const expected = new Map<string, XmlElement>();
  const want: Record<string, string[]> = {};
  for (const row of rows) {
    const build = row.answerable ? response.expect[row.kind] : undefined;
    if (!build) continue;
    const reply = build(row, w.alice.jid);
    expected.set(key(reply), reply);
    want[key(reply)] = [canonicalize(reply)];
  }
  const got: Record<string, string[]> = {};
  for (const s of received) {
    (got[key(s)] ??= []).push(comparable(s, expected.get(key(s))));
  }
  assert.deepEqual(got, want);
}

/** The reply matrix: every webhook answer x message/presence/iq x bare/host/full `to`. */
export const MATRIX_CASES: readonly WebhookCase[] = [
  {
    name:
      "each HTTP answer gives the sender the right reply (or none); error and result stanzas are posted, never answered",
    async run(server, t) {
      await using w = await startWebhookEnv(server);
      for (const [i, response] of ANSWERED.entries()) {
        await t.step(
          response.name,
          () => checkMatrix(w, response, `a${i}`, true),
        );
      }
    },
  },
  {
    name: "a webhook slower than callbackTimeout: recipient-unavailable",
    async run(server) {
      await using w = await startWebhookEnv(server, { callbackTimeout: 1 });
      const slow = transportFailure("slow", "Webhook timed out after 1 s");
      await checkMatrix(w, { ...slow, answer: () => reply.slow }, "slow", true);
    },
  },
  {
    name: "a refused connection: recipient-unavailable",
    async run(server) {
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = (listener.addr as Deno.NetAddr).port;
      listener.close();
      await using w = await startWebhookEnv(server, {
        callbackUrl: `http://127.0.0.1:${port}/hook/{kind}`,
      });
      const refused = transportFailure("refused", "Connection failed");
      await checkMatrix(w, refused, "refused", false);
    },
  },
];

/** Every end-to-end webhook case: the matrix, the features, the wire, the recorded vectors. */
export const WEBHOOK_CASES: readonly WebhookCase[] = [
  ...MATRIX_CASES,
  ...FEATURE_CASES,
  ...WIRE_CASES,
  ...VECTOR_CASES,
];
