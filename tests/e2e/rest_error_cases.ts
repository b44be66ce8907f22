// mod_rest request errors and authentication (README "Errors reference"; README "Differences from mod_rest") and stream outages, end to end.

import assert from "node:assert/strict";
import { NS } from "../../src/xmpp/namespaces.ts";
import { TEST_TOKEN } from "../support/gateway_env.ts";
import {
  basic,
  connectParty,
  MEDIA,
  parseStanza,
  post,
  receive,
  receivedBefore,
  receiveIq,
  type RestCase,
  type RestContext,
} from "./rest_support.ts";

/** What a refused request looks like. */
interface Refusal {
  name: string;
  status: number;
  condition: string;
  text?: string | RegExp;
  /** Response headers that must match. */
  headers?: Record<string, RegExp>;
  request: (ctx: RestContext) => {
    body: unknown;
    type?: string;
    path?: string;
    auth?: string | null;
    extra?: Record<string, string>;
  };
}

/** The size limit the gateway runs with by default (README "Differences from mod_rest"). */
const SIZE_LIMIT = 196608;

const msg = (ctx: RestContext, id: string, extra: object = {}) => ({
  kind: "message",
  id,
  to: ctx.alice.jid,
  body: "refused",
  ...extra,
});

const REFUSALS: Refusal[] = [
  {
    // README "Differences from mod_rest": 413 without reading the rest of the body.
    name: "body above the size limit",
    status: 413,
    condition: "resource-constraint",
    text: "Payload too large",
    request: (ctx) => ({
      body: msg(ctx, "r-413", { body: "x".repeat(SIZE_LIMIT) }),
    }),
  },
  {
    name: "unsupported Content-Type",
    status: 415,
    condition: "bad-format",
    text: "Unsupported media type",
    request: () => ({ body: "%PDF-1.7", type: "application/pdf" }),
  },
  {
    // README "Differences from mod_rest": mod_rest drops an invalid JSON "to" silently (202).
    name: "invalid to",
    status: 422,
    condition: "improper-addressing",
    text: "Invalid destination JID",
    request: (ctx) => ({
      body: msg(ctx, "r-to", { to: `@${ctx.server.host}` }),
    }),
  },
  {
    // RFC 7622 section 3.3: a bidi control (RFC 3454 table C.8) the server
    // would refuse; README "Differences from mod_rest".
    name: "to with a right-to-left override",
    status: 422,
    condition: "jid-malformed",
    text: /^Malformed destination JID: localpart contains U\+202E/,
    request: (ctx) => ({
      body: msg(ctx, "r-bidi-1", { to: `a\u202eb@${ctx.server.host}` }),
    }),
  },
  {
    // RFC 3454 section 6: right-to-left and left-to-right text mixed.
    name: "to mixing Hebrew and Latin letters",
    status: 422,
    condition: "jid-malformed",
    text: /mixes right-to-left and left-to-right characters/,
    request: (ctx) => ({
      body: msg(ctx, "r-bidi-2", { to: `\u05d0b@${ctx.server.host}` }),
    }),
  },
  {
    // README "Differences from mod_rest": mod_rest sends to the "own account" instead.
    name: "missing to",
    status: 422,
    condition: "improper-addressing",
    text: "Missing destination JID",
    request: (ctx) => ({ body: msg(ctx, "r-noto", { to: undefined }) }),
  },
  {
    name: "unparsable from",
    status: 422,
    condition: "invalid-from",
    text: "Invalid source JID",
    request: (ctx) => ({ body: msg(ctx, "r-from", { from: "a@@b" }) }),
  },
  {
    name: "iq with two children (XML)",
    status: 422,
    condition: "bad-format",
    text: "'iq' stanza must have exactly one child tag",
    request: (ctx) => ({
      type: MEDIA.xml,
      body: `<iq type='get' id='r-iq2' to='${ctx.alice.jid}'>` +
        `<ping xmlns='urn:xmpp:ping'/><query xmlns='jabber:iq:version'/></iq>`,
    }),
  },
  {
    name: "wrong JSON shape names its path",
    status: 422,
    condition: "bad-format",
    text: /\/thread\/id/,
    request: (ctx) => ({ body: msg(ctx, "r-shape", { thread: { id: 5 } }) }),
  },
  {
    name: "no Authorization",
    status: 401,
    condition: "not-authorized",
    text: "No credentials provided",
    headers: { "WWW-Authenticate": /Bearer realm="[^"]+\/rest".*Basic realm=/ },
    request: (ctx) => ({ body: msg(ctx, "r-401"), auth: null }),
  },
  {
    // README "Differences from mod_rest": mod_rest omits WWW-Authenticate for an unknown scheme.
    name: "unsupported scheme",
    status: 401,
    condition: "not-authorized",
    headers: { "WWW-Authenticate": /Basic realm=/ },
    request: (ctx) => ({
      body: msg(ctx, "r-digest"),
      auth: 'Digest username="x"',
    }),
  },
  {
    name: "wrong token",
    status: 403,
    condition: "not-authorized",
    text: "Credentials not accepted",
    request: (ctx) => ({ body: msg(ctx, "r-token"), auth: `${TEST_TOKEN}x` }),
  },
  {
    name: "wrong Basic password",
    status: 403,
    condition: "not-authorized",
    text: "Credentials not accepted",
    request: (ctx) => ({
      body: msg(ctx, "r-basic"),
      auth: basic(ctx.env.domain, "wrong"),
    }),
  },
  {
    name: "from outside the component domain",
    status: 403,
    condition: "not-authorized",
    text: "Not authorized to send stanza with requested 'from'",
    request: (ctx) => ({
      body: msg(ctx, "r-outside", { from: `eve@${ctx.server.host}` }),
    }),
  },
];

async function errorOf(
  res: Response,
): Promise<{ condition: string; text: string }> {
  const type = res.headers.get("Content-Type");
  const body = await res.text();
  if (type === MEDIA.json) {
    const json = JSON.parse(body);
    assert.equal(json.code, res.status);
    return { condition: json.error.condition, text: json.error.text };
  }
  assert.equal(type, MEDIA.xml, body);
  const error = parseStanza(body);
  assert.ok(error.is("error", NS.streams), body);
  return {
    condition: error.elements()[0].name,
    text: error.getChildText("text", NS.streamErrors) ?? "",
  };
}

function refusalCase(r: Refusal): RestCase {
  return {
    name: `${r.status} for ${r.name}`,
    async run(ctx) {
      const { body, type, path, auth, extra } = r.request(ctx);
      const headers: Record<string, string> = { ...extra };
      if (auth !== undefined) headers.Authorization = auth ?? "";
      const res = auth === null
        ? await fetch(`${ctx.env.url}${path ?? "/rest"}`, {
          method: "POST",
          headers: { "Content-Type": type ?? MEDIA.json },
          body: JSON.stringify(body),
        })
        : await post(ctx.env, body, { type, path, headers });
      assert.equal(res.status, r.status);
      for (const [name, pattern] of Object.entries(r.headers ?? {})) {
        assert.match(res.headers.get(name) ?? "", pattern, name);
      }
      const error = await errorOf(res);
      assert.equal(error.condition, r.condition);
      if (typeof r.text === "string") assert.equal(error.text, r.text);
      else if (r.text) assert.match(error.text, r.text);
    },
  };
}

/** Refused requests (413, 415, 422, 401, 403), Basic accepted, and nothing refused reaching alice. */
export const REFUSAL_CASES: readonly RestCase[] = [
  ...REFUSALS.map(refusalCase),
  {
    name: "Basic <domain>:<secret> is accepted",
    async run(ctx) {
      const secret = ctx.server.components[ctx.env.domain];
      const res = await post(
        ctx.env,
        msg(ctx, "r-basic-ok", { body: "basic" }),
        {
          headers: { Authorization: basic(ctx.env.domain, secret) },
        },
      );
      assert.equal(res.status, 202);
      assert.equal(
        (await receive(ctx.alice, "r-basic-ok")).getChildText("body"),
        "basic",
      );
    },
  },
  {
    name: "no refused request reached alice",
    async run(ctx) {
      const ids = [
        "r-413",
        "r-to",
        "r-from",
        "r-iq2",
        "r-shape",
        "r-401",
        "r-digest",
        "r-token",
        "r-basic",
        "r-outside",
      ];
      assert.deepEqual(await receivedBefore(ctx, ids), []);
    },
  },
];

/**
 * The stream going away and coming back. Order matters: the first case
 * stops the server, the last starts it again.
 */
export const OUTAGE_CASES: readonly RestCase[] = [
  {
    name: "an iq waiting for alice gets 503 when the server stops",
    async run({ env, alice, server }) {
      const pending = post(env, {
        kind: "iq",
        id: "o-wait",
        to: alice.jid,
        ping: true,
      }, {
        headers: { "Prosody-Rest-Timeout": "60" },
      });
      await receiveIq(alice, "o-wait");
      await server.stop();
      const res = await pending;
      assert.equal(res.status, 503);
      assert.ok(res.headers.get("Retry-After"));
      assert.equal((await errorOf(res)).condition, "service-unavailable");
    },
  },
  {
    name: "503 with Retry-After while the server is stopped",
    async run(ctx) {
      const res = await post(ctx.env, msg(ctx, "o-down"));
      assert.equal(res.status, 503);
      assert.match(res.headers.get("Retry-After") ?? "", /^\d+$/);
      assert.deepEqual(await errorOf(res), {
        condition: "service-unavailable",
        text: "XMPP stream is not connected",
      });
      const ready = await ctx.env.fetch("/readyz");
      assert.equal(ready.status, 503);
      await ready.body?.cancel();
    },
  },
  {
    name: "the gateway is back online by itself after the server starts",
    async run({ env, server }) {
      await server.start();
      await env.gateway.component.waitOnline({
        signal: AbortSignal.timeout(10_000),
      });
      await using again = await connectParty(server, "alice", "again");
      const res = await post(env, {
        kind: "message",
        id: "o-up",
        to: again.jid,
        body: "back",
      });
      assert.equal(res.status, 202);
      assert.equal((await receive(again, "o-up")).getChildText("body"), "back");
    },
  },
];
