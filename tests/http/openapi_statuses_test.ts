// The documented statuses against the real REST handler: every sample answer is documented, and every documented status has a sample.

import assert from "node:assert/strict";
import { openApiDocument } from "../../src/http/openapi/mod.ts";
import { PAYLOAD_EXAMPLES } from "../../src/http/openapi/examples.ts";
import { QUERY_SHORTCUTS } from "../../src/http/openapi/queries.ts";
import type { RestHandlerOptions } from "../../src/http/rest_handler.ts";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { serialize } from "../../src/xml/serialize.ts";
import { IqConflictError } from "../../src/xmpp/port.ts";
import type { FakePort } from "../support/fake_port.ts";
import {
  JSON_TYPE,
  post,
  postJson,
  request,
  resultFor,
  setup,
  TEXT,
  XML,
} from "./helpers.ts";

const doc = openApiDocument();

type Answer = (iq: XmlElement) => XmlElement | Error | "timeout";

/** One request and the status it must get. */
interface Sample {
  readonly op: string;
  readonly status: number;
  readonly make: () => Request;
  readonly answer?: Answer;
  readonly offline?: boolean;
  readonly options?: Partial<RestHandlerOptions>;
}

const pong: Answer = (iq) => resultFor(iq);
const badPayload: Answer = (iq) =>
  resultFor(iq, el("payload", "urn:xmpp:json-msg:0", {}, "not json"));
const boom: Answer = () => new Error("boom");
const conflict: Answer = () => new IqConflictError("x");
const big = "x".repeat(300);
const ping = { kind: "iq", to: "example.org", ping: true };
const chat = { kind: "message", to: "user@example.org", body: "Hi" };
const badXml =
  `<message to="a@example.org"><payload xmlns="urn:xmpp:json-msg:0">{</payload></message>`;

/** A body whose first byte never comes. */
const stalled = () => new ReadableStream<Uint8Array>({ start() {} });

/** The samples every body-taking route shares, for a path and its ping/message requests. */
function bodySamples(
  op: string,
  path: string,
  iq: () => Request,
  message: () => Request,
): Sample[] {
  return [
    { op, status: 400, make: () => post(path, "{", JSON_TYPE) },
    { op, status: 401, make: () => postJson(chat, { auth: null }, path) },
    {
      op,
      status: 403,
      make: () => postJson(chat, { auth: "Bearer no" }, path),
    },
    {
      op,
      status: 413,
      make: () => post(path, big, TEXT),
      options: { sizeLimit: 100 },
    },
    { op, status: 415, make: () => post(path, "x", "image/png") },
    {
      op,
      status: 408,
      make: () => request("POST", path, { body: stalled(), type: JSON_TYPE }),
      options: { bodyTimeout: 0.05 },
    },
    { op, status: 200, make: iq, answer: pong },
    { op, status: 202, make: message },
    { op, status: 409, make: iq, answer: conflict },
    { op, status: 500, make: iq, answer: boom },
    { op, status: 502, make: iq, answer: badPayload },
    { op, status: 503, make: iq, offline: true },
    { op, status: 504, make: iq, answer: () => "timeout" },
  ];
}

const accept = { accept: JSON_TYPE };
const SEND = "POST /rest/{kind}/{type}/{to}";
const QUERY = "GET /rest/{query}/{to}";
const ECHO = "POST /rest/echo";

const SAMPLES: Sample[] = [
  // POST /rest/ is the POST /rest operation spelled with a trailing slash.
  ...["/rest", "/rest/"].flatMap((path) => [
    ...bodySamples(
      "POST /rest",
      path,
      () => postJson(ping, accept, path),
      () => postJson(chat, {}, path),
    ),
    {
      op: "POST /rest",
      status: 422,
      make: () => postJson({ body: "Hi" }, {}, path),
    },
  ]),
  ...bodySamples(
    SEND,
    "/rest/iq/ping/example.org",
    () => post("/rest/iq/ping/example.org", null, null, accept),
    () => post("/rest/message/chat/user@example.org", "Hi", TEXT),
  ),
  {
    op: SEND,
    status: 400,
    make: () => post("/rest/mfoo/chat/a@example.org", "Hi", TEXT),
  },
  {
    op: SEND,
    status: 422,
    make: () => post("/rest/message/chat/", "Hi", TEXT),
  },
  { op: ECHO, status: 200, make: () => postJson(chat, {}, "/rest/echo") },
  { op: ECHO, status: 400, make: () => post("/rest/echo", "<message", XML) },
  {
    op: ECHO,
    status: 401,
    make: () => postJson(chat, { auth: null }, "/rest/echo"),
  },
  {
    op: ECHO,
    status: 403,
    make: () => postJson({ ...chat, from: "a@example.org" }, {}, "/rest/echo"),
  },
  {
    op: ECHO,
    status: 413,
    make: () => post("/rest/echo", big, TEXT),
    options: { sizeLimit: 100 },
  },
  { op: ECHO, status: 415, make: () => post("/rest/echo", "Hi", null) },
  {
    op: ECHO,
    status: 408,
    make: () =>
      request("POST", "/rest/echo", { body: stalled(), type: JSON_TYPE }),
    options: { bodyTimeout: 0.05 },
  },
  { op: ECHO, status: 422, make: () => post("/rest/echo", "<foo/>", XML) },
  {
    op: ECHO,
    status: 502,
    make: () => post("/rest/echo", badXml, XML, accept),
  },
  ...[
    [200, "/rest/ping/example.org", pong],
    [400, "/rest/ping/example.org?novalue", pong],
    [409, "/rest/ping/example.org", conflict],
    [422, "/rest/nonsense/example.org", pong],
    [500, "/rest/ping/example.org", boom],
    [502, "/rest/ping/example.org", badPayload],
    [504, "/rest/ping/example.org", () => "timeout"],
  ].map(([status, path, answer]) => ({
    op: QUERY,
    status: status as number,
    answer: answer as Answer,
    make: () => request("GET", path as string, accept),
  })),
  {
    op: QUERY,
    status: 401,
    make: () => request("GET", "/rest/ping/a", { auth: null }),
  },
  {
    op: QUERY,
    status: 403,
    make: () => request("GET", "/rest/ping/a", { auth: "Bearer no" }),
  },
  {
    op: QUERY,
    status: 503,
    make: () => request("GET", "/rest/ping/a"),
    offline: true,
  },
];

/** Statuses no request can produce without a bug (the generic 500 of echo). */
const EXEMPT = new Set([`${ECHO} 500`]);

function documented(op: string): string[] {
  const [method, path] = op.split(" ");
  const item = doc.paths[path] as Record<string, { responses: object }>;
  return Object.keys(item[method.toLowerCase()].responses);
}

async function run(sample: Sample): Promise<{ res: Response; port: FakePort }> {
  const { port, handler } = setup(sample.options);
  port.answerIq = sample.answer ?? pong;
  if (sample.offline) port.online = false;
  const res = await handler(sample.make());
  await res.body?.cancel();
  return { res, port };
}

for (const sample of SAMPLES) {
  Deno.test({
    name:
      `openapi statuses: ${sample.op} answers ${sample.status}, which is documented`,
    permissions: "none",
    async fn() {
      const { res } = await run(sample);
      assert.equal(res.status, sample.status);
      assert.ok(documented(sample.op).includes(String(res.status)));
    },
  });
}

Deno.test({
  name:
    "openapi statuses: every documented status of a REST route has a sample",
  permissions: "none",
  fn() {
    const ops = [...new Set(SAMPLES.map((s) => s.op))];
    assert.equal(ops.length, 4);
    for (const op of ops) {
      const covered = new Set(
        SAMPLES.filter((s) => s.op === op).map((s) => String(s.status)),
      );
      const missing = documented(op).filter((s) =>
        !covered.has(s) && !EXEMPT.has(`${op} ${s}`)
      );
      assert.deepEqual(missing, [], op);
    }
  },
});

Deno.test({
  name:
    "openapi statuses: the query shortcuts document the generic query's statuses",
  permissions: "none",
  fn() {
    for (const key of Object.keys(QUERY_SHORTCUTS)) {
      assert.deepEqual(
        documented(`GET /rest/${key}/{to}`),
        documented(QUERY),
        key,
      );
    }
  },
});

for (const [key, shortcut] of Object.entries(QUERY_SHORTCUTS)) {
  Deno.test({
    name:
      `openapi statuses: GET /rest/${key}/{to} puts every documented parameter into the iq`,
    permissions: "none",
    async fn() {
      const params = Object.entries(
        shortcut.params as Record<string, { example: string | number }>,
      );
      const query = new URLSearchParams(
        params.map(([name, p]) => [name, String(p.example)]),
      ).toString();
      const path = `/rest/${key}/example.org${query ? "?" + query : ""}`;
      const { res, port } = await run({
        op: QUERY,
        status: 200,
        make: () => request("GET", path),
      });
      assert.equal(res.status, 200);
      const sent = serialize(port.sent[0]);
      assert.equal(port.sent[0].elements().length, 1, sent);
      for (const [name, p] of params) {
        for (const piece of String(p.example).split(",")) {
          assert.ok(sent.includes(piece), `${name}=${piece} not in ${sent}`);
        }
      }
    },
  });
}

for (const [name, example] of Object.entries(PAYLOAD_EXAMPLES)) {
  Deno.test({
    name:
      `openapi statuses: the payload example ${name} works on the path it names`,
    permissions: "none",
    async fn() {
      const path = /`POST (\S+)`/.exec(example.summary)?.[1];
      assert.ok(path, example.summary);
      const { res, port } = await run({
        op: SEND,
        status: 200,
        make: () => postJson(example.value, {}, path),
      });
      assert.equal(res.status, 200);
      const sent = serialize(port.sent[0]);
      for (const value of Object.values(example.value)) {
        assert.ok(sent.includes(String(value)), sent);
      }
    },
  });
}
