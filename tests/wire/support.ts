import assert from "node:assert/strict";
import type { WireResult } from "../../src/wire/decode.ts";

/** Asserts a wire result: a failure whose reason matches a RegExp, else `{ ok: true, value: expected }`. */
export function assertWireResult(
  result: WireResult<unknown>,
  expected: unknown,
): void {
  if (expected instanceof RegExp) {
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.reason, expected);
  } else {
    assert.deepEqual(result, { ok: true, value: expected });
  }
}
