// RFC 6120 section 8.2.3: pending iqs matched to replies by id and sender, timeouts, aborts, captures, drops.

import assert from "node:assert/strict";
import type { Timers } from "../../src/component/connection.ts";
import { IqTracker } from "../../src/component/iq_tracker.ts";
import { el, type XmlElement } from "../../src/xml/element.ts";
import {
  IqConflictError,
  IqTimeoutError,
  StreamDownError,
} from "../../src/xmpp/port.ts";

/** Timers that fire only when the test says so. */
class ManualTimers implements Timers {
  #next = 0;
  readonly pending = new Map<number, () => void>();
  setTimeout(callback: () => void): number {
    this.pending.set(++this.#next, callback);
    return this.#next;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  fireAll(): void {
    for (const [id, callback] of [...this.pending]) {
      this.pending.delete(id);
      callback();
    }
  }
}

const DOMAIN = "gw.localhost";
const request = (id: string, to?: string) =>
  el("iq", "jabber:client", { type: "get", id, to });
const reply = (id: string, from?: string, type = "result") =>
  el("iq", "jabber:client", { type, id, from, to: DOMAIN });

/** Settles within the test or reports "pending". */
async function outcome(promise: Promise<XmlElement>): Promise<string> {
  const result = await Promise.race([
    promise.then((r) => `reply:${r.attr("type")}`, (e) => `error:${e.name}`),
    new Promise<string>((r) =>
      queueMicrotask(() => queueMicrotask(() => r("pending")))
    ),
  ]);
  return result;
}

const matching = [
  { to: "localhost", from: "localhost", matches: true },
  { to: "LocalHost", from: "localhost.", matches: true },
  { to: "alice@localhost", from: "alice@localhost", matches: true },
  { to: "Alice@localhost", from: "alice@LOCALHOST", matches: true },
  { to: "alice@localhost", from: "localhost", matches: false },
  { to: "alice@localhost", from: "alice@localhost/phone", matches: false },
  { to: "alice@localhost/phone", from: "alice@localhost/phone", matches: true },
  { to: "alice@localhost/phone", from: "alice@localhost", matches: false },
  { to: "alice@localhost", from: undefined, matches: false },
  { to: undefined, from: undefined, matches: true },
  { to: undefined, from: DOMAIN, matches: true },
  { to: undefined, from: "localhost", matches: false },
  { to: DOMAIN, from: undefined, matches: true },
  { to: DOMAIN, from: DOMAIN, matches: true },
];

for (const { to, from, matches } of matching) {
  Deno.test({
    name: `IqTracker: a reply from ${from ?? "(none)"} ${
      matches ? "matches" : "does not match"
    } a request to ${to ?? "(none)"}`,
    permissions: "none",
    async fn() {
      const tracker = new IqTracker(DOMAIN, new ManualTimers());
      const tracked = tracker.track(request("q1", to), { timeoutMs: 1000 });
      assert.equal(tracker.resolve(reply("q1", from)), matches);
      assert.equal(
        await outcome(tracked.promise),
        matches ? "reply:result" : "pending",
      );
      assert.equal(tracker.size, matches ? 0 : 1);
    },
  });
}

Deno.test({
  name:
    "IqTracker: an error reply settles the request too; other ids and types do not",
  permissions: "none",
  async fn() {
    const tracker = new IqTracker(DOMAIN, new ManualTimers());
    const tracked = tracker.track(request("q1", "localhost"), {
      timeoutMs: 1000,
    });
    assert.equal(tracker.resolve(reply("q2", "localhost")), false);
    assert.equal(tracker.resolve(reply("q1", "localhost", "get")), false);
    assert.equal(
      tracker.resolve(
        el("message", "jabber:client", { id: "q1", from: "localhost" }),
      ),
      false,
    );
    assert.equal(tracker.resolve(reply("q1", "localhost", "error")), true);
    assert.equal(await outcome(tracked.promise), "reply:error");
  },
});

Deno.test({
  name:
    "IqTracker: the same id to the same recipient conflicts; to another recipient it does not",
  permissions: "none",
  fn() {
    const tracker = new IqTracker(DOMAIN, new ManualTimers());
    tracker.track(request("q1", "alice@localhost"), { timeoutMs: 1000 });
    assert.throws(
      () =>
        tracker.track(request("q1", "ALICE@localhost"), { timeoutMs: 1000 }),
      IqConflictError,
    );
    tracker.track(request("q1", "bob@localhost"), { timeoutMs: 1000 });
    assert.equal(tracker.size, 2);
  },
});

Deno.test({
  name: "IqTracker: the timeout rejects with IqTimeoutError and frees the id",
  permissions: "none",
  async fn() {
    const timers = new ManualTimers();
    const tracker = new IqTracker(DOMAIN, timers);
    const tracked = tracker.track(request("q1", "localhost"), {
      timeoutMs: 1234,
    });
    timers.fireAll();
    const error = await tracked.promise.catch((e) => e);
    assert.ok(error instanceof IqTimeoutError);
    assert.equal(error.timeoutMs, 1234);
    assert.equal(error.id, "q1");
    assert.equal(tracker.size, 0);
    tracker.track(request("q1", "localhost"), { timeoutMs: 1000 });
  },
});

Deno.test({
  name: "IqTracker: a reply clears the timer",
  permissions: "none",
  fn() {
    const timers = new ManualTimers();
    const tracker = new IqTracker(DOMAIN, timers);
    tracker.track(request("q1", "localhost"), { timeoutMs: 1000 });
    assert.equal(timers.pending.size, 1);
    tracker.resolve(reply("q1", "localhost"));
    assert.equal(timers.pending.size, 0);
  },
});

Deno.test({
  name:
    "IqTracker: aborting rejects with the signal's reason; an aborted signal refuses at once",
  permissions: "none",
  async fn() {
    const timers = new ManualTimers();
    const tracker = new IqTracker(DOMAIN, timers);
    const controller = new AbortController();
    const tracked = tracker.track(request("q1", "localhost"), {
      timeoutMs: 1000,
      signal: controller.signal,
    });
    controller.abort(new Error("client went away"));
    await assert.rejects(tracked.promise, /client went away/);
    assert.equal(tracker.size, 0);
    assert.equal(timers.pending.size, 0);
    assert.throws(
      () =>
        tracker.track(request("q2", "localhost"), {
          timeoutMs: 1000,
          signal: controller.signal,
        }),
      /client went away/,
    );
  },
});

Deno.test({
  name:
    "IqTracker: rejectAll() rejects every pending iq at once with StreamDownError naming the id",
  permissions: "none",
  async fn() {
    const timers = new ManualTimers();
    const tracker = new IqTracker(DOMAIN, timers);
    const a = tracker.track(request("a", "localhost"), { timeoutMs: 1000 });
    const b = tracker.track(request("b", "alice@localhost"), {
      timeoutMs: 1000,
    });
    tracker.rejectAll(new Error("Connection lost"));
    for (const [id, tracked] of [["a", a], ["b", b]] as const) {
      const error = await tracked.promise.catch((e) => e);
      assert.ok(error instanceof StreamDownError);
      assert.match(error.message, new RegExp(`iq "${id}": Connection lost$`));
    }
    assert.equal(tracker.size, 0);
    assert.equal(timers.pending.size, 0);
  },
});

Deno.test({
  name:
    "IqTracker: captures see stanzas while their iq waits; a throwing capture fails its iq",
  permissions: "none",
  async fn() {
    const tracker = new IqTracker(DOMAIN, new ManualTimers());
    const seen: string[] = [];
    const tracked = tracker.track(request("mam", "alice@localhost"), {
      timeoutMs: 1000,
      capture: (stanza) => {
        seen.push(stanza.attr("id") ?? "");
        if (stanza.attr("id") === "boom") throw new Error("bad capture");
        return stanza.name === "message";
      },
    });
    assert.equal(
      tracker.capture(el("message", "jabber:client", { id: "m1" })),
      true,
    );
    assert.equal(
      tracker.capture(el("presence", "jabber:client", { id: "p1" })),
      false,
    );
    assert.deepEqual(seen, ["m1", "p1"]);
    tracker.capture(el("message", "jabber:client", { id: "boom" }));
    await assert.rejects(tracked.promise, /bad capture/);
    assert.equal(
      tracker.capture(el("message", "jabber:client", { id: "m2" })),
      false,
    );
  },
});

Deno.test("IqTracker keeps iqs that share an id apart by recipient, whichever settles first", async () => {
  const orders: [string, string[]][] = [
    ["first sent settles first", ["a@x", "b@x", "c@x"]],
    ["last sent settles first", ["c@x", "b@x", "a@x"]],
    ["middle settles first", ["b@x", "a@x", "c@x"]],
  ];
  for (const [name, order] of orders) {
    const tracker = new IqTracker(DOMAIN, new ManualTimers());
    const tracked = new Map(
      ["a@x", "b@x", "c@x"].map((to) => [
        to,
        tracker.track(request("same", to), { timeoutMs: 1000 }),
      ]),
    );
    assert.throws(
      () => tracker.track(request("same", "b@x"), { timeoutMs: 1000 }),
      IqConflictError,
      name,
    );
    assert.equal(tracker.size, 3, name);
    for (const [i, to] of order.entries()) {
      assert.equal(tracker.resolve(reply("same", to)), true, `${name}: ${to}`);
      assert.equal(
        tracker.resolve(reply("same", to)),
        false,
        `${name}: ${to} again`,
      );
      assert.equal(tracker.size, 2 - i, name);
      const got = await tracked.get(to)!.promise;
      assert.equal(got.attr("from"), to, name);
      for (const other of order.slice(i + 1)) {
        assert.equal(
          await outcome(tracked.get(other)!.promise),
          "pending",
          name,
        );
      }
    }
    // Once all settled, the id may be used again for any recipient.
    tracker.track(request("same", "b@x"), { timeoutMs: 1000 });
    assert.equal(tracker.size, 1, name);
  }
});
