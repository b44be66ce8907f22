// The shared mod_rest golden vectors (tests/fixtures/vectors, via "post" and "iq-response") end to end over a real server.

import assert from "node:assert/strict";
import type { XmlElement } from "../../src/xml/element.ts";
import { canonicalize } from "../../src/xml/serialize.ts";
import { tryParseJid } from "../../src/xmpp/jid.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { IQ_QUERY_KEYS } from "../../src/http/routes.ts";
import {
  answer,
  MEDIA,
  parseStanza,
  post,
  type RestCase,
  type RestContext,
} from "./rest_support.ts";
import { loadVectors, type Vector } from "../support/vectors.ts";

/** The recorded names that stand for this run's component, user and host. */
const RECORDED = {
  domain: "rest.localhost",
  client: "alice@localhost/vectors",
  host: "localhost",
};

/** Rewrites recorded addresses (component, alice's full JID, the host) to this run's, in one pass. */
function rewriter(ctx: RestContext): <T>(value: T) => T {
  const map: Record<string, string> = {
    [RECORDED.domain]: ctx.env.domain,
    [RECORDED.client]: ctx.alice.jid,
    [RECORDED.host]: ctx.server.host,
  };
  const re =
    /alice@localhost\/vectors|rest\.localhost|(?<![\w.-])localhost(?![\w-])/g;
  return <T>(value: T) => {
    if (value === null || value === undefined) return value;
    const text = typeof value === "string" ? value : JSON.stringify(value);
    const rewritten = text.replace(re, (m) => map[m]);
    return (typeof value === "string" ? rewritten : JSON.parse(rewritten)) as T;
  };
}

/**
 * Who receives a stanza of `kind` sent to `to`: alice's session (her full
 * JID, or her bare JID for a message or presence, since she is available),
 * or else the server (an iq to her bare JID is answered by her account).
 */
function recipient(
  to: unknown,
  kind: string,
  ctx: RestContext,
): "alice" | "server" {
  const jid = typeof to === "string" ? tryParseJid(to) : undefined;
  if (jid === undefined) return "server";
  if (jid.toString() === ctx.alice.jid) return "alice";
  const aliceBare = tryParseJid(ctx.alice.jid)!.bare().toString();
  return jid.toString() === aliceBare && kind !== "iq" ? "alice" : "server";
}

/** The stanza kind of a vector: as recorded, else `kind`, else implied by an iq type or payload key. */
function kindOf(
  input: Record<string, unknown>,
  recorded: string | null | undefined,
): string {
  if (recorded) return parseStanza(recorded).name;
  if (typeof input.kind === "string") return input.kind;
  if (input.type === "get" || input.type === "set") return "iq";
  return IQ_QUERY_KEYS.some((k) => k in input) ? "iq" : "message";
}

/**
 * The status xmpp-rest answers with where README "Differences from mod_rest" departs from the
 * recording: a JSON error stanza is sent (mod_rest: 500 crash), a missing
 * or invalid `to` is a 422 (mod_rest: own account / silent drop).
 */
function expectedStatus(v: Vector, input: Record<string, unknown>): number {
  if (v.http!.status === 500 && input.type === "error") return 202;
  if (input.to === undefined || tryParseJid(String(input.to)) === undefined) {
    return 422;
  }
  return v.http!.status;
}

/** Rebuilds an element bottom-up through `f`. */
function mapTree(
  e: XmlElement,
  f: (e: XmlElement, parent?: XmlElement) => XmlElement,
  parent?: XmlElement,
): XmlElement {
  const children = e.children.map((c) =>
    typeof c === "string" ? c : mapTree(c, f, e)
  );
  return f(e.withChildren(children), parent);
}

/**
 * Corrected recordings where mod_rest's output is a defect README "Differences from mod_rest"
 * fixes and no rule can recover it: mod_rest nests the second data-form
 * field inside the first and drops its `options`.
 */
const CORRECTED: Record<string, string> = {
  "message-dataform":
    `<message xmlns="jabber:client" from="rest.localhost" id="j2x-31" to="alice@localhost/vectors" type="normal"><x xmlns="jabber:x:data" type="form"><title>Survey</title><instructions>Please answer</instructions><field label="Name" type="text-single" var="name"><desc>Your name</desc><required/><value>Al</value></field><field label="Colors" type="list-multi" var="colors"><value>red</value><option label="Red"><value>red</value></option><option label="Blue"><value>blue</value></option></field></x></message>`,
};

/**
 * Turns mod_rest's recorded stanza into what xmpp-rest sends, by the
 * deviations README "Differences from mod_rest" lists: `archive` implies `type="set"` only on iq
 * (mod_rest also puts it on a message); `command.data` forms carry
 * `type="submit"`.
 */
function xmppRestExpectation(recorded: XmlElement): XmlElement {
  return mapTree(recorded, (e, parent) => {
    if (
      e.is("message", NS.client) && parent === undefined &&
      e.attr("type") === "set"
    ) {
      return e.withAttrs({ type: undefined });
    }
    if (
      e.is("x", "jabber:x:data") && parent?.is("command", NS.commands) &&
      !e.attr("type")
    ) {
      return e.withAttrs({ type: "submit" });
    }
    return e;
  });
}

/**
 * Normalises a stanza for comparison: generated ids dropped when the input
 * had none; `xml:lang` dropped when the input set no `lang` (the server
 * stamps its default on delivery); `type="normal"` on a message dropped
 * (RFC 6121 section 5.2.2: the default; some servers strip it); a MAM
 * `queryid` dropped when `recorded` has none (README "iq: waiting for the reply": a
 * re-implementation must always assign one).
 */
function normalised(
  stanza: XmlElement,
  input: Record<string, unknown>,
  recorded?: XmlElement,
): string {
  const top = stanza.withAttrs({
    id: input.id === undefined ? undefined : stanza.attr("id"),
    "xml:lang": input.lang === undefined ? undefined : stanza.attr("xml:lang"),
    type: stanza.is("message", NS.client) && stanza.attr("type") === "normal"
      ? undefined
      : stanza.attr("type"),
  });
  const recordedQuery = recorded?.getChild("query", NS.mam);
  return canonicalize(mapTree(top, (e, parent) => {
    if (
      parent !== top || !e.is("query", NS.mam) || recordedQuery?.attr("queryid")
    ) return e;
    if (stanza !== recorded) {
      assert.ok(e.attr("queryid"), "a MAM query always gets a queryid");
    }
    return e.withAttrs({ queryid: undefined });
  }));
}

function postCase(v: Vector): RestCase {
  return {
    name: `vector ${v.name} (post)`,
    async run(ctx) {
      const rewrite = rewriter(ctx);
      const input = rewrite(v.input) as Record<string, unknown>;
      const status = expectedStatus(v, input);
      const expected = rewrite(CORRECTED[v.name] ?? v.output_canonical);
      const kind = kindOf(input, expected);
      const toAlice = recipient(input.to, kind, ctx) === "alice";
      const from = input.from ?? ctx.env.domain;
      const pending = post(ctx.env, input, { accept: MEDIA.json });
      let got: XmlElement | undefined;
      if (toAlice && status < 400) {
        got = await ctx.alice.next((s) =>
          s.attr("from") === from &&
          (input.id === undefined || s.attr("id") === input.id)
        );
        // An iq waits for its reply: alice answers with an empty result.
        if (got.is("iq", NS.client)) answer(ctx.alice, got);
      }
      const res = await pending;
      const body = await res.text();
      assert.equal(res.status, status, body);
      if (kind === "iq" && toAlice && status === 200) {
        assert.equal(JSON.parse(body).type, "result");
      }
      if (got === undefined) return;
      if (expected) {
        const want = xmppRestExpectation(parseStanza(expected));
        assert.equal(
          normalised(got, input, want),
          normalised(want, input, want),
        );
      } else {
        // README "Differences from mod_rest": the JSON error stanza mod_rest crashed on is sent.
        assert.equal(got.attr("type"), input.type);
        assert.equal(got.name, kind);
      }
    },
  };
}

/** JSON with `lang: "en"` (stamped by the recording client's stream) and, where generated, `id` removed. */
function normalisedJson(
  json: Record<string, unknown>,
  request: Record<string, unknown>,
) {
  const { lang, id, ...rest } = json;
  return {
    ...rest,
    ...(lang !== undefined && lang !== "en" && { lang }),
    ...(request.id !== undefined && { id }),
  };
}

function iqResponseCase(v: Vector): RestCase {
  return {
    name: `vector ${v.name} (iq-response)`,
    async run(ctx) {
      const rewrite = rewriter(ctx);
      const request = rewrite(v.request!);
      const toAlice =
        recipient(request.to, kindOf(request, null), ctx) === "alice";
      const pending = post(ctx.env, request, { accept: MEDIA.json });
      if (toAlice) {
        const iq = await ctx.alice.next((s) =>
          s.is("iq", NS.client) && s.attr("from") === ctx.env.domain &&
          (request.id === undefined || s.attr("id") === request.id)
        );
        // alice answers with the recorded reply, addressed to this run's iq.
        const reply = parseStanza(rewrite(v.input as string));
        ctx.alice.send(
          reply.withAttrs({
            id: iq.attr("id"),
            to: iq.attr("from"),
            from: undefined,
          }),
        );
      }
      const res = await pending;
      const body = await res.text();
      assert.equal(res.status, v.http!.status, body);
      assert.equal(res.headers.get("Content-Type"), v.http!.content_type);
      const json = JSON.parse(body);
      const output = rewrite(v.output) as Record<string, unknown>;
      if (toAlice) {
        assert.deepEqual(
          normalisedJson(json, request),
          normalisedJson(output, request),
        );
      } else {
        // The server answers itself: its payload is its own, the envelope is checked.
        assert.equal(json.kind, "iq");
        assert.equal(json.from, output.from);
      }
    },
  };
}

/** Every `post` and `iq-response` vector as a case. */
export const VECTOR_CASES: readonly RestCase[] = [
  ...loadVectors("post").map((f) => f.vector).map(postCase),
  ...loadVectors("iq-response").map((f) => f.vector).map(iqResponseCase),
];
