// mod_rest sending API (README "Sending (REST API)", README "Differences from mod_rest") end to end: cases written against XmppServer only.

import assert from "node:assert/strict";
import { NS } from "../../src/xmpp/namespaces.ts";
import {
  answer,
  MEDIA,
  parseStanza,
  post,
  receive,
  receivedBefore,
  receiveIq,
  type RestCase,
  type RestContext,
  versionPayload,
} from "./rest_support.ts";

const DISCO_INFO = "http://jabber.org/protocol/disco#info";
const DISCO_ITEMS = "http://jabber.org/protocol/disco#items";

/** A message POSTed in some format to some route, and what alice must get. */
interface DeliveryCase {
  name: string;
  id: string;
  request: (ctx: RestContext) => {
    body: unknown;
    type?: string;
    path?: string;
  };
  from?: (ctx: RestContext) => string;
  kind?: "message" | "presence";
  type?: string;
  child: [name: string, text: string];
}

const DELIVERIES: DeliveryCase[] = [
  {
    name: "JSON message",
    id: "d-json",
    request: ({ alice }) => ({
      body: {
        kind: "message",
        type: "chat",
        id: "d-json",
        to: alice.jid,
        body: "Hello <world> & all",
      },
    }),
    type: "chat",
    child: ["body", "Hello <world> & all"],
  },
  {
    name: "JSON message from bot@domain/res",
    id: "d-from",
    request: ({ alice, env }) => ({
      body: {
        kind: "message",
        id: "d-from",
        to: alice.jid,
        from: `bot@${env.domain}/res`,
        body: "from a bot",
      },
    }),
    from: ({ env }) => `bot@${env.domain}/res`,
    child: ["body", "from a bot"],
  },
  {
    name: "XML message",
    id: "d-xml",
    request: ({ alice }) => ({
      type: MEDIA.xml,
      body: `<message to='${alice.jid}' type='headline' id='d-xml'>` +
        `<subject>S</subject><body>x &amp; y</body></message>`,
    }),
    type: "headline",
    child: ["body", "x & y"],
  },
  {
    name: "form-urlencoded to /rest/message/chat/<jid>",
    id: "d-form",
    request: ({ alice }) => ({
      type: MEDIA.form,
      path: `/rest/message/chat/${alice.jid}`,
      body: "id=d-form&body=hi+there%21",
    }),
    type: "chat",
    child: ["body", "hi there!"],
  },
  {
    name: "text/plain to /rest/message/chat/<jid>",
    id: "",
    request: ({ alice }) => ({
      type: MEDIA.text,
      path: `/rest/message/chat/${alice.jid}`,
      body: "plain words",
    }),
    type: "chat",
    child: ["body", "plain words"],
  },
  {
    name: "JSON presence",
    id: "d-pres",
    request: ({ alice }) => ({
      body: {
        kind: "presence",
        id: "d-pres",
        to: alice.jid,
        show: "away",
        status: "brb",
      },
    }),
    kind: "presence",
    child: ["show", "away"],
  },
  {
    // README "Differences from mod_rest": text/plain to a presence path goes into <status>.
    name: "text/plain to /rest/presence/available/<jid> (status)",
    id: "",
    request: ({ alice }) => ({
      type: MEDIA.text,
      path: `/rest/presence/available/${alice.jid}`,
      body: "out to lunch",
    }),
    kind: "presence",
    child: ["status", "out to lunch"],
  },
];

function deliveryCase(c: DeliveryCase): RestCase {
  return {
    name: `${c.name} reaches alice (202)`,
    async run(ctx) {
      const { body, type, path } = c.request(ctx);
      const res = await post(ctx.env, body, { type, path });
      assert.equal(res.status, 202, await res.text());
      const kind = c.kind ?? "message";
      const [childName, childText] = c.child;
      // Without an id in the request, the gateway generates one: match on content.
      const got = c.id !== "" ? await receive(ctx.alice, c.id) : await ctx.alice
        .next((s) =>
          s.is(kind, NS.client) && s.getChildText(childName) === childText
        );
      assert.equal(got.name, kind);
      assert.equal(got.attr("from"), c.from?.(ctx) ?? ctx.env.domain);
      assert.equal(got.attr("to"), ctx.alice.jid);
      assert.equal(got.attr("type"), c.type);
      assert.ok(got.attr("id"), "the delivered stanza has an id");
      assert.equal(got.getChildText(childName), childText);
    },
  };
}

/** An iq to the server domain, and what its reply must contain. */
interface ServerIqCase {
  name: string;
  json: Record<string, unknown>;
  get: string;
  check: (reply: Record<string, unknown>, ctx: RestContext) => void;
  checkXml: (payload: { name: string; ns: string } | undefined) => void;
}

const SERVER_IQS: ServerIqCase[] = [
  {
    name: "ping",
    json: { ping: true },
    get: "ping",
    // No payload key in the reply (a server may stamp xml:lang: "lang").
    check: (r) =>
      assert.deepEqual(
        Object.keys(r).filter((k) => k !== "lang").sort(),
        ["from", "id", "kind", "to", "type"],
      ),
    checkXml: (p) => assert.equal(p, undefined),
  },
  {
    name: "version",
    json: { version: {} },
    get: "version",
    check: (r) => {
      const v = r.version as { name?: unknown };
      assert.equal(typeof v.name, "string");
      assert.ok((v.name as string).length > 0);
    },
    checkXml: (p) => assert.equal(p?.ns, "jabber:iq:version"),
  },
  {
    name: "disco#info",
    json: { disco: true },
    get: "disco",
    check: (r) => {
      const d = r.disco as {
        identities: { category: string }[];
        features: string[];
      };
      assert.ok(d.identities.some((i) => i.category === "server"));
      assert.ok(d.features.includes(DISCO_INFO));
    },
    checkXml: (p) => assert.equal(p?.ns, DISCO_INFO),
  },
  {
    // XEP-0030 section 4: a server lists its services, the component among them.
    name: "disco#items",
    json: { items: true },
    get: "items",
    check: (r, ctx) => {
      const items = r.items as { jid: string }[];
      assert.ok(
        items.some((i) => i.jid === ctx.env.domain),
        JSON.stringify(items),
      );
    },
    checkXml: (p) => assert.equal(p?.ns, DISCO_ITEMS),
  },
];

function assertServerReply(
  json: Record<string, unknown>,
  ctx: RestContext,
  id?: string,
): void {
  assert.equal(json.kind, "iq");
  assert.equal(json.type, "result", JSON.stringify(json));
  assert.equal(json.from, ctx.server.host);
  assert.equal(json.to, ctx.env.domain);
  if (id !== undefined) assert.equal(json.id, id);
}

function serverIqCases(c: ServerIqCase): RestCase[] {
  return [
    {
      name: `POST iq ${c.name} to the server: JSON reply`,
      async run(ctx) {
        const id = `s-${c.get}-json`;
        const res = await post(ctx.env, {
          kind: "iq",
          type: "get",
          id,
          to: ctx.server.host,
          ...c.json,
        }, { accept: MEDIA.json });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("Content-Type"), MEDIA.json);
        const json = await res.json();
        assertServerReply(json, ctx, id);
        c.check(json, ctx);
      },
    },
    {
      name: `POST iq ${c.name} to the server: XML reply (Accept)`,
      async run(ctx) {
        const id = `s-${c.get}-xml`;
        const res = await post(ctx.env, {
          kind: "iq",
          type: "get",
          id,
          to: ctx.server.host,
          ...c.json,
        }, { accept: MEDIA.xml });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("Content-Type"), MEDIA.xml);
        const iq = parseStanza(await res.text());
        assert.ok(iq.is("iq", NS.client));
        assert.equal(iq.attr("type"), "result");
        assert.equal(iq.attr("id"), id);
        assert.equal(iq.attr("from"), ctx.server.host);
        c.checkXml(iq.elements()[0]);
      },
    },
    {
      name: `GET /rest/${c.get}/<host>`,
      async run(ctx) {
        const res = await ctx.env.fetch(`/rest/${c.get}/${ctx.server.host}`, {
          headers: { Accept: MEDIA.json },
        });
        assert.equal(res.status, 200);
        const json = await res.json();
        assertServerReply(json, ctx);
        c.check(json, ctx);
      },
    },
  ];
}

const ALICE_IQS: RestCase[] = [
  {
    name: "iq to alice answered by alice: her version in the body",
    async run({ env, alice }) {
      const pending = post(env, {
        kind: "iq",
        id: "a-ver",
        to: alice.jid,
        version: {},
      });
      const iq = await receiveIq(alice, "a-ver");
      assert.equal(iq.attr("from"), env.domain);
      assert.ok(iq.getChild("query", "jabber:iq:version"));
      answer(alice, iq, versionPayload("AliceClient", "1.2.3"));
      const res = await pending;
      assert.equal(res.status, 200);
      const json = await res.json();
      assert.equal(json.type, "result");
      assert.equal(json.from, alice.jid);
      assert.deepEqual(json.version, { name: "AliceClient", version: "1.2.3" });
    },
  },
  {
    name: "GET /rest/disco/<alice>?node=... puts the node into the query",
    async run({ env, alice }) {
      const pending = env.fetch(`/rest/disco/${alice.jid}?node=urn%3Alab%3An`, {
        headers: { Accept: MEDIA.json },
      });
      const iq = await alice.next((s) =>
        s.getChild("query", DISCO_INFO) !== undefined
      );
      assert.equal(iq.getChild("query", DISCO_INFO)?.attr("node"), "urn:lab:n");
      answer(alice, iq);
      const res = await pending;
      assert.equal(res.status, 200);
      assert.equal((await res.json()).type, "result");
    },
  },
  {
    // README "Differences from mod_rest": a timeout is 504 (mod_rest: 500), same error body.
    // Prosody-Rest-Timeout is a number of seconds (mod_rest: tonumber).
    name: "iq alice never answers: 504 remote-server-timeout",
    async run({ env, alice }) {
      const res = await post(env, {
        kind: "iq",
        id: "a-silent",
        to: alice.jid,
        ping: true,
      }, {
        headers: { "Prosody-Rest-Timeout": "0.5" },
      });
      assert.equal(res.status, 504);
      assert.deepEqual(await res.json(), {
        type: "error",
        code: 504,
        error: {
          type: "wait",
          condition: "remote-server-timeout",
          text: "IQ stanza timed out",
        },
      });
      await receiveIq(alice, "a-silent"); // it was sent, just never answered
    },
  },
  {
    name: "iq to a nonexistent user: 200 with the error stanza",
    async run({ env, server }) {
      const res = await post(env, {
        kind: "iq",
        id: "n-1",
        to: `nobody@${server.host}`,
        version: {},
      });
      assert.equal(res.status, 200);
      const json = await res.json();
      assert.equal(json.type, "error");
      // RFC 6120 section 8.5.2.1.1: no such account -> service-unavailable.
      assert.equal(json.error.condition, "service-unavailable");
    },
  },
  {
    name: "POST /rest/echo returns the stanza and sends nothing",
    async run(ctx) {
      const res = await post(ctx.env, {
        kind: "message",
        id: "e-1",
        to: ctx.alice.jid,
        body: "echo only",
      }, { path: "/rest/echo", accept: MEDIA.xml });
      assert.equal(res.status, 200);
      const echoed = parseStanza(await res.text());
      assert.equal(echoed.attr("from"), ctx.env.domain);
      assert.equal(echoed.getChildText("body"), "echo only");
      assert.deepEqual(await receivedBefore(ctx, ["e-1"]), []);
    },
  },
];

/** Stanzas delivered to alice, iqs to the server and to alice, GET shortcuts, echo. */
export const SENDING_CASES: readonly RestCase[] = [
  ...DELIVERIES.map(deliveryCase),
  ...SERVER_IQS.flatMap(serverIqCases),
  ...ALICE_IQS,
];
