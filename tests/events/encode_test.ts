import assert from "node:assert/strict";
import {
  encodeEvent,
  encodeEventPage,
  eventToJson,
  eventToXml,
} from "../../src/events/encode.ts";
import type { StoredEvent } from "../../src/store/types.ts";

const base: StoredEvent = {
  id: 7,
  receivedAt: Date.UTC(2026, 11, 3, 8, 30, 15, 123),
  kind: "message",
  from: "alice@localhost/r",
  to: "bot@rest.localhost",
  conversation: "alice@localhost bot@rest.localhost",
  stanza:
    '<message from="alice@localhost/r" to="bot@rest.localhost" type="chat"><body>a &amp; b</body></message>',
};

const cases: [string, StoredEvent, unknown][] = [
  ["a message in mod_rest's mapping", base, {
    id: 7,
    received_at: "2026-12-03T08:30:15.123Z",
    kind: "message",
    stanza: {
      kind: "message",
      type: "chat",
      from: "alice@localhost/r",
      to: "bot@rest.localhost",
      body: "a & b",
    },
  }],
  ["a presence", {
    ...base,
    kind: "presence",
    stanza:
      '<presence from="alice@localhost/r" to="bot@rest.localhost"><show>away</show></presence>',
  }, {
    id: 7,
    received_at: "2026-12-03T08:30:15.123Z",
    kind: "presence",
    stanza: {
      kind: "presence",
      from: "alice@localhost/r",
      to: "bot@rest.localhost",
      show: "away",
      type: "available",
    },
  }],
  ["a stanza with no JSON form (a JID the mapping refuses) as its XML text", {
    ...base,
    stanza:
      '<message from="a@b@c" to="bot@rest.localhost"><body>x</body></message>',
  }, {
    id: 7,
    received_at: "2026-12-03T08:30:15.123Z",
    kind: "message",
    xml:
      '<message from="a@b@c" to="bot@rest.localhost"><body>x</body></message>',
  }],
];
for (const [name, event, want] of cases) {
  Deno.test({
    name: `eventToJson(): ${name}`,
    permissions: "none",
    fn() {
      assert.deepEqual(JSON.parse(eventToJson(event)), want);
      assert.equal(encodeEvent(event, "json"), eventToJson(event));
    },
  });
}

Deno.test({
  name:
    "eventToXml() wraps the stored stanza; encodeEventPage() in both formats",
  permissions: "none",
  fn() {
    assert.equal(
      eventToXml(base),
      `<event id="7" received-at="2026-12-03T08:30:15.123Z" kind="message">${base.stanza}</event>`,
    );
    assert.equal(
      encodeEventPage([], 12, "xml"),
      '<events next-offset="12"></events>',
    );
    assert.deepEqual(
      JSON.parse(encodeEventPage([base, { ...base, id: 8 }], 9, "json")).events
        .map((e: { id: number }) => e.id),
      [7, 8],
    );
    assert.deepEqual(JSON.parse(encodeEventPage([], 1, "json")), {
      events: [],
      next_offset: 1,
    });
  },
});
