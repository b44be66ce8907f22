// RequestSlot: one value per request, kept apart per slot and per request.

import assert from "node:assert/strict";
import { RequestSlot } from "../../src/http/request_slot.ts";

Deno.test("RequestSlot keeps one value per request and slot; a request without one gives undefined", () => {
  const a = new RequestSlot<string>("a");
  const b = new RequestSlot<number>("a"); // the same label is another slot
  const first = new Request("http://gw/rest");
  const second = new Request("http://gw/rest");
  assert.equal(a.get(first), undefined);
  a.set(first, "one");
  b.set(first, 1);
  a.set(second, "two");
  assert.equal(a.get(first), "one");
  assert.equal(b.get(first), 1);
  assert.equal(a.get(second), "two");
  assert.equal(b.get(second), undefined);
  assert.deepEqual(Object.keys(first), [], "not an enumerable property");
});
