import assert from "node:assert/strict";
import { BoundedMemo } from "../src/bounded_memo.ts";
import { parseJid, PREPARED_JIDS } from "../src/xmpp/jid.ts";

Deno.test("BoundedMemo keeps at most its limit, dropping the oldest entry first", () => {
  const cases: [limit: number, inputs: string[], kept: string[]][] = [
    [3, ["a", "b"], ["a", "b"]],
    [3, ["a", "b", "c", "d"], ["b", "c", "d"]],
    [2, ["a", "b", "a", "c"], ["b", "c"]], // setting "a" again keeps its (oldest) place
    [1, ["a", "b", "c"], ["c"]],
    [0, ["a", "b"], ["b"]], // at least one
  ];
  for (const [limit, inputs, kept] of cases) {
    const cache = new BoundedMemo<string>(limit);
    for (const input of inputs) {
      assert.equal(cache.set(input, input.toUpperCase()), input.toUpperCase());
    }
    const name = `${limit}: ${inputs.join(",")}`;
    assert.equal(cache.size, kept.length, name);
    for (const input of kept) {
      assert.equal(cache.get(input), input.toUpperCase(), name);
    }
    for (const input of inputs.filter((i) => !kept.includes(i))) {
      assert.equal(cache.get(input), undefined, name);
    }
  }
});

Deno.test("parseJid remembers prepared JIDs, bounded, and never an invalid one", () => {
  const first = parseJid("Cache.Test@Example.COM/Res");
  assert.equal(parseJid("Cache.Test@Example.COM/Res"), first);
  assert.equal(first.toString(), "cache.test@example.com/Res");
  for (let i = 0; i < PREPARED_JIDS; i++) parseJid(`u${i}@flood.example`);
  const again = parseJid("Cache.Test@Example.COM/Res");
  assert.notEqual(again, first, "pushed out by the flood, prepared again");
  assert.ok(again.equals(first));
  for (let i = 0; i < 2; i++) {
    assert.throws(() => parseJid("a@@b"), { name: "InvalidJidError" });
  }
});
