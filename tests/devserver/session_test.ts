// XEP-0114 server side as a pure state machine: header, handshake, stanzas, stream errors.

import assert from "node:assert/strict";
import {
  ServerSession,
  type ServerSessionAction,
  type ServerSessionOptions,
} from "../../src/devserver/session.ts";
import type { StreamErrorCondition } from "../../src/xmpp/conditions.ts";

const DIGEST = "0123456789abcdef0123456789abcdef01234567";
const HEADER =
  `<stream:stream xmlns="jabber:component:accept" xmlns:stream="http://etherx.jabber.org/streams" to="gw.localhost">`;
const encoder = new TextEncoder();

function session(overrides: Partial<ServerSessionOptions> = {}): ServerSession {
  return new ServerSession({
    secrets: { "gw.localhost": "s3cret" },
    streamId: "id1",
    isTaken: () => false,
    ...overrides,
  });
}

function feed(s: ServerSession, text: string): ServerSessionAction[] {
  return s.handle({ type: "data", chunk: encoder.encode(text) });
}

/** Drives a session through header and handshake; returns every action. */
function handshake(
  s: ServerSession,
  sent = DIGEST,
): ServerSessionAction[] {
  const actions = feed(s, HEADER + `<handshake>${sent}</handshake>`);
  return [...actions, ...s.handle({ type: "digest", expected: DIGEST })];
}

function streamError(actions: ServerSessionAction[]): string | undefined {
  const writes = actions.filter((a) => a.type === "write").map((a) => a.text)
    .join("");
  return /<stream:error><([a-z-]+) /.exec(writes)?.[1];
}

const refusals: [string, () => ServerSessionAction[], StreamErrorCondition][] =
  [
    [
      "an unknown host",
      () => feed(session(), HEADER.replace("gw.", "nope.")),
      "host-unknown",
    ],
    [
      "a header in the wrong namespace",
      () => feed(session(), HEADER.replace("http://etherx", "urn:x")),
      "invalid-namespace",
    ],
    [
      "a stanza before the handshake",
      () => feed(session(), HEADER + "<message to='a@localhost'/>"),
      "not-authorized",
    ],
    [
      "a wrong digest",
      () => handshake(session(), "f".repeat(40)),
      "not-authorized",
    ],
    [
      "a domain already served",
      () => handshake(session({ isTaken: () => true })),
      "conflict",
    ],
    [
      "a handshake the judge refuses",
      () => handshake(session({ judgeHandshake: () => "policy-violation" })),
      "policy-violation",
    ],
    [
      "malformed XML",
      () => feed(session(), HEADER + "<a></b>"),
      "not-well-formed",
    ],
  ];

for (const [name, run, condition] of refusals) {
  Deno.test({
    name: `ServerSession refuses ${name} with ${condition} and closes`,
    permissions: "none",
    fn() {
      const actions = run();
      assert.equal(streamError(actions), condition);
      assert.deepEqual(actions.at(-1), { type: "close" });
    },
  });
}

Deno.test({
  name:
    "ServerSession answers the header with its id, accepts the digest (case-insensitive) and goes online",
  permissions: "none",
  fn() {
    const s = session();
    const opened = feed(s, HEADER);
    assert.match(
      opened[0].type === "write" ? opened[0].text : "",
      /id='id1' from='gw.localhost'>$/,
    );
    const asked = feed(s, `<handshake>${DIGEST.toUpperCase()}</handshake>`);
    assert.deepEqual(asked, [{
      type: "verify",
      streamId: "id1",
      secret: "s3cret",
      received: DIGEST.toUpperCase(),
    }]);
    assert.equal(s.state, "verifying");
    assert.deepEqual(s.handle({ type: "digest", expected: DIGEST }), [
      { type: "write", text: "<handshake/>" },
      { type: "online", domain: "gw.localhost" },
    ]);
  },
});

Deno.test({
  name:
    "ServerSession fills in a missing from, refuses one outside the domain with invalid-from",
  permissions: "none",
  fn() {
    const s = session();
    handshake(s);
    const actions = feed(
      s,
      "<message to='a@localhost'/><message from='bot@gw.localhost' to='a@localhost'/>",
    );
    const stanzas = actions.flatMap((a) =>
      a.type === "stanza" ? [a.stanza.attr("from")] : []
    );
    assert.deepEqual(stanzas, ["gw.localhost", "bot@gw.localhost"]);
    assert.equal(actions.filter((a) => a.type === "element").length, 2);
    const refused = feed(s, "<message from='x@elsewhere' to='a@localhost'/>");
    assert.equal(streamError(refused), "invalid-from");
    assert.equal(s.state, "closed");
    assert.deepEqual(feed(s, "<message to='a@localhost'/>"), []);
  },
});

Deno.test({
  name:
    "ServerSession holds stanzas that arrive with the handshake until the digest is known",
  permissions: "none",
  fn() {
    const s = session();
    const early = feed(
      s,
      HEADER + `<handshake>${DIGEST}</handshake><message to='a@localhost'/>`,
    );
    assert.ok(!early.some((a) => a.type === "stanza"));
    const later = s.handle({ type: "digest", expected: DIGEST });
    assert.deepEqual(later.map((a) => a.type), [
      "write",
      "online",
      "element",
      "stanza",
    ]);
  },
});

Deno.test({
  name:
    "ServerSession closes when the component closes, and on shutdown with or without a stream error",
  permissions: "none",
  fn() {
    const s = session();
    handshake(s);
    assert.deepEqual(feed(s, "</stream:stream>"), [
      { type: "closed-by-component" },
      { type: "write", text: "</stream:stream>" },
      { type: "close" },
    ]);
    const t = session();
    handshake(t);
    assert.equal(
      streamError(t.handle({ type: "shutdown", condition: "system-shutdown" })),
      "system-shutdown",
    );
    const u = session();
    handshake(u);
    assert.deepEqual(u.handle({ type: "shutdown" }), [
      { type: "write", text: "</stream:stream>" },
      { type: "close" },
    ]);
  },
});
