// XEP-0114 sections 2-3: the pure component session, event by event (no sockets, no timers).

import assert from "node:assert/strict";
import {
  ComponentConnectionError,
  ComponentStreamError,
} from "../../src/component/errors.ts";
import {
  ComponentSession,
  type SessionAction,
  type SessionConfig,
  type SessionEvent,
} from "../../src/component/session.ts";

const HEADER =
  "<?xml version='1.0'?><stream:stream xml:lang='en' id='abc' xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' from='gw.localhost'>";
const ERR = (condition: string, text = "") =>
  `<stream:error><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>${
    text
      ? `<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>${text}</text>`
      : ""
  }</stream:error></stream:stream>`;

const config: SessionConfig = {
  domain: "gw.localhost",
  server: "127.0.0.1:5347",
  reconnect: true,
  backoff: { baseMs: 100, capMs: 1000 },
  keepaliveMs: 30_000,
  handshakeTimeoutMs: 5_000,
  closeTimeoutMs: 1_000,
  random: () => 0.5,
};

const data = (chunk: string): SessionEvent => ({ type: "data", chunk });
const START: SessionEvent[] = [{ type: "start" }, { type: "connected" }];
const HANDSHAKING: SessionEvent[] = [...START, data(HEADER)];
const ONLINE: SessionEvent[] = [...HANDSHAKING, data("<handshake/>")];

/** Feeds events; returns the session and the actions of the last event. */
function feed(
  events: SessionEvent[],
  overrides: Partial<SessionConfig> = {},
): { session: ComponentSession; last: SessionAction[]; all: SessionAction[] } {
  const session = new ComponentSession({ ...config, ...overrides });
  let last: SessionAction[] = [];
  const all: SessionAction[] = [];
  for (const event of events) {
    last = session.handle(event);
    all.push(...last);
  }
  return { session, last, all };
}

const writes = (actions: SessionAction[]) =>
  actions.flatMap((a) => a.type === "write" ? [a.data] : []);
const types = (actions: SessionAction[]) =>
  actions.filter((a) => a.type !== "log" && a.type !== "state").map((a) =>
    a.type === "set-timer" || a.type === "clear-timer"
      ? `${a.type}:${a.timer}`
      : a.type
  );

interface Case {
  name: string;
  events: SessionEvent[];
  config?: Partial<SessionConfig>;
  check(result: ReturnType<typeof feed>): void;
}

const cases: Case[] = [
  {
    name: "start dials and arms the handshake timer",
    events: [{ type: "start" }],
    check({ session, last }) {
      assert.equal(session.state.name, "connecting");
      assert.deepEqual(types(last), ["dial", "set-timer:handshake"]);
      assert.deepEqual(last.find((a) => a.type === "set-timer"), {
        type: "set-timer",
        timer: "handshake",
        delayMs: 5_000,
      });
    },
  },
  {
    name:
      "connected writes the jabber:component:accept stream header to the domain",
    events: START,
    check({ session, last }) {
      assert.equal(session.state.name, "handshaking");
      assert.deepEqual(writes(last), [
        '<stream:stream xmlns="jabber:component:accept" xmlns:stream="http://etherx.jabber.org/streams" to="gw.localhost">',
      ]);
    },
  },
  {
    name: "the server header's id is handed out for the digest",
    events: HANDSHAKING,
    check({ session, last }) {
      assert.deepEqual(last.find((a) => a.type === "compute-digest"), {
        type: "compute-digest",
        streamId: "abc",
      });
      assert.deepEqual(session.state, {
        name: "handshaking",
        attempt: 0,
        streamId: "abc",
      });
    },
  },
  {
    name: "the digest is written as <handshake>",
    events: [...HANDSHAKING, {
      type: "digest",
      streamId: "abc",
      digest: "f00",
    }],
    check({ last }) {
      assert.deepEqual(writes(last), ["<handshake>f00</handshake>"]);
    },
  },
  {
    name: "a digest for another stream id is ignored",
    events: [...HANDSHAKING, {
      type: "digest",
      streamId: "old",
      digest: "f00",
    }],
    check({ last }) {
      assert.deepEqual(last, []);
    },
  },
  {
    name:
      "the server's <handshake/> puts the stream online and starts the keepalive",
    events: ONLINE,
    check({ session, last }) {
      assert.deepEqual(session.state, { name: "online", streamId: "abc" });
      assert.deepEqual(types(last), [
        "clear-timer:handshake",
        "set-timer:keepalive",
      ]);
    },
  },
  {
    name: "the keepalive timer writes one space and re-arms",
    events: [...ONLINE, { type: "timer", timer: "keepalive" }],
    check({ last }) {
      assert.deepEqual(writes(last), [" "]);
      assert.deepEqual(types(last), ["write", "set-timer:keepalive"]);
    },
  },
  {
    name: "keepaliveMs 0 arms no keepalive",
    events: ONLINE,
    config: { keepaliveMs: 0 },
    check({ last }) {
      assert.deepEqual(types(last), ["clear-timer:handshake"]);
    },
  },
  {
    name:
      "stanzas arrive in jabber:client (the component namespace is aliased)",
    events: [
      ...ONLINE,
      data(
        "<message from='a@localhost' to='gw.localhost'><body>hi</body></message>",
      ),
    ],
    check({ last }) {
      const stanza = last.find((a) => a.type === "stanza");
      assert.ok(stanza?.type === "stanza");
      assert.equal(stanza.stanza.ns, "jabber:client");
      assert.equal(stanza.stanza.getChildText("body"), "hi");
    },
  },
  {
    name:
      "not-authorized during the handshake schedules a reconnect and logs an error",
    events: [
      ...HANDSHAKING,
      data(ERR("not-authorized", "Given token does not match")),
    ],
    check({ session, last }) {
      const state = session.state;
      assert.equal(state.name, "waiting-to-reconnect");
      assert.ok(state.error instanceof ComponentStreamError);
      assert.equal(state.error.condition, "not-authorized");
      assert.equal(state.error.phase, "handshake");
      assert.equal(state.error.text, "Given token does not match");
      assert.equal(state.delayMs, 50);
      assert.deepEqual(types(last), [
        "clear-timer:handshake",
        "clear-timer:keepalive",
        "close-socket",
        "set-timer:reconnect",
      ]);
      const log = last.find((a) => a.type === "log");
      assert.equal(log?.type === "log" && log.level, "error");
    },
  },
  {
    name: "an id-less header followed by host-unknown reports host-unknown",
    events: [
      ...START,
      data(
        "<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:component:accept' id=''>" +
          ERR("host-unknown"),
      ),
    ],
    check({ session, all }) {
      const state = session.state;
      assert.ok(state.name === "waiting-to-reconnect");
      assert.ok(state.error instanceof ComponentStreamError);
      assert.equal(state.error.condition, "host-unknown");
      assert.ok(!all.some((a) => a.type === "compute-digest"));
    },
  },
  {
    name: "an id-less header followed by anything else is a bad stream",
    events: [
      ...START,
      data(
        "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:component:accept'><handshake/>",
      ),
    ],
    check({ session }) {
      const state = session.state;
      assert.ok(state.name === "waiting-to-reconnect");
      assert.ok(state.error instanceof ComponentConnectionError);
      assert.equal(state.error.reason, "bad-stream");
    },
  },
  {
    name: "failed connects back off exponentially with full jitter",
    events: [
      { type: "start" },
      { type: "connect-failed", error: new Error("refused") },
      { type: "timer", timer: "reconnect" },
      { type: "connect-failed", error: new Error("refused") },
      { type: "timer", timer: "reconnect" },
      { type: "connect-failed", error: new Error("refused") },
    ],
    check({ session, all }) {
      const delays = all.flatMap((a) =>
        a.type === "set-timer" && a.timer === "reconnect" ? [a.delayMs] : []
      );
      assert.deepEqual(delays, [50, 100, 200]);
      const state = session.state;
      assert.ok(state.name === "waiting-to-reconnect");
      assert.equal(state.attempt, 3);
      assert.ok(state.error instanceof ComponentConnectionError);
      assert.equal(state.error.reason, "connect-failed");
      assert.match(
        state.error.message,
        /^Cannot connect to 127\.0\.0\.1:5347: refused$/,
      );
    },
  },
  {
    name: "the attempt count starts over after being online",
    events: [
      { type: "start" },
      { type: "connect-failed", error: new Error("refused") },
      { type: "timer", timer: "reconnect" },
      { type: "connected" },
      data(HEADER),
      data("<handshake/>"),
      { type: "disconnected" },
    ],
    check({ session }) {
      const state = session.state;
      assert.ok(state.name === "waiting-to-reconnect");
      assert.equal(state.attempt, 1);
      assert.equal(state.delayMs, 50);
      assert.ok(state.error instanceof ComponentConnectionError);
      assert.equal(state.error.reason, "connection-lost");
    },
  },
  {
    name: "with reconnect off a failure ends in closed with the error",
    events: [...HANDSHAKING, data(ERR("not-authorized"))],
    config: { reconnect: false },
    check({ session, last }) {
      const state = session.state;
      assert.ok(state.name === "closed");
      assert.ok(state.error instanceof ComponentStreamError);
      assert.ok(!types(last).includes("set-timer:reconnect"));
    },
  },
  {
    name:
      "bad XML from the server is answered with its stream error, then the socket closes",
    events: [...ONLINE, data("<message><body></message>")],
    check({ session, last }) {
      assert.deepEqual(writes(last), [
        '<stream:error><not-well-formed xmlns="urn:ietf:params:xml:ns:xmpp-streams"/></stream:error></stream:stream>',
      ]);
      assert.ok(
        types(last).indexOf("write") < types(last).indexOf("close-socket"),
      );
      const state = session.state;
      assert.ok(state.name === "waiting-to-reconnect");
      assert.ok(state.error instanceof ComponentConnectionError);
      assert.equal(state.error.reason, "bad-stream");
    },
  },
  {
    name: "a stream error while online has phase online",
    events: [...ONLINE, data(ERR("system-shutdown"))],
    check({ session }) {
      const state = session.state;
      assert.ok(state.name === "waiting-to-reconnect");
      assert.ok(state.error instanceof ComponentStreamError);
      assert.equal(state.error.phase, "online");
      assert.equal(state.error.condition, "system-shutdown");
    },
  },
  {
    name:
      "the server closing the stream is answered with our close and a reconnect",
    events: [...ONLINE, data("</stream:stream>")],
    check({ session, last }) {
      assert.deepEqual(writes(last), ["</stream:stream>"]);
      const state = session.state;
      assert.ok(state.name === "waiting-to-reconnect");
      assert.ok(state.error instanceof ComponentConnectionError);
      assert.equal(state.error.reason, "closed-by-server");
    },
  },
  {
    name: "the handshake timer fails a stuck handshake",
    events: [...HANDSHAKING, { type: "timer", timer: "handshake" }],
    check({ session }) {
      const state = session.state;
      assert.ok(state.name === "waiting-to-reconnect");
      assert.ok(state.error instanceof ComponentConnectionError);
      assert.equal(state.error.reason, "handshake-timeout");
    },
  },
  {
    name: "stop while online writes our close and waits for the server's",
    events: [...ONLINE, { type: "stop" }],
    check({ session, last }) {
      assert.equal(session.state.name, "closing");
      assert.deepEqual(writes(last), ["</stream:stream>"]);
      assert.deepEqual(types(last), [
        "clear-timer:keepalive",
        "write",
        "set-timer:close",
      ]);
    },
  },
  {
    name: "closing ends when the server closes its stream",
    events: [...ONLINE, { type: "stop" }, data("</stream:stream>")],
    check({ session, last }) {
      assert.deepEqual(session.state, { name: "closed" });
      assert.deepEqual(types(last), ["clear-timer:close", "close-socket"]);
    },
  },
  {
    name: "closing ends when the close timer fires",
    events: [...ONLINE, { type: "stop" }, { type: "timer", timer: "close" }],
    check({ session, last }) {
      assert.deepEqual(session.state, { name: "closed" });
      assert.ok(types(last).includes("close-socket"));
    },
  },
  {
    name: "stanzas arriving while closing are not delivered",
    events: [...ONLINE, { type: "stop" }, data("<message to='gw.localhost'/>")],
    check({ last }) {
      assert.ok(!last.some((a) => a.type === "stanza"));
    },
  },
  {
    name:
      "stop while waiting to reconnect cancels the timer; a late timer is ignored",
    events: [
      { type: "start" },
      { type: "connect-failed", error: new Error("refused") },
      { type: "stop" },
      { type: "timer", timer: "reconnect" },
    ],
    check({ session, all, last }) {
      assert.deepEqual(session.state, { name: "closed" });
      assert.ok(types(all).includes("clear-timer:reconnect"));
      assert.deepEqual(last, []);
    },
  },
  {
    name: "stop while connecting closes at once; a late connected is ignored",
    events: [{ type: "start" }, { type: "stop" }, { type: "connected" }],
    check({ session, all, last }) {
      assert.deepEqual(session.state, { name: "closed" });
      assert.ok(types(all).includes("close-socket"));
      assert.deepEqual(last, []);
    },
  },
  {
    name: "start while online does nothing",
    events: [...ONLINE, { type: "start" }],
    check({ session, last }) {
      assert.equal(session.state.name, "online");
      assert.deepEqual(last, []);
    },
  },
];

for (const c of cases) {
  Deno.test({
    name: `ComponentSession: ${c.name}`,
    permissions: "none",
    fn: () => c.check(feed(c.events, c.config)),
  });
}

Deno.test({
  name: "ComponentSession: every transition is reported once as a state action",
  permissions: "none",
  fn() {
    const { all } = feed([
      ...ONLINE,
      { type: "stop" },
      data("</stream:stream>"),
    ]);
    const names = all.flatMap((a) =>
      a.type === "state" ? [`${a.previous.name}>${a.state.name}`] : []
    );
    assert.deepEqual(names, [
      "closed>connecting",
      "connecting>handshaking",
      "handshaking>handshaking",
      "handshaking>online",
      "online>closing",
      "closing>closed",
    ]);
  },
});
