// The connection cap of the HTTP server: from the descriptor limit, and after an accept error.

import assert from "node:assert/strict";
import {
  capAfterAcceptError,
  defaultMaxConnections,
} from "../../src/http/connection_cap.ts";

Deno.test("defaultMaxConnections() keeps a tenth of the descriptors (at least 64) for everything else", () => {
  const cases: [number | undefined, number][] = [
    [undefined, 1000],
    [1024, 921],
    [256, 192],
    [65536, 58982],
    [70, 16],
  ];
  for (const [limit, expected] of cases) {
    assert.equal(defaultMaxConnections(limit), expected, String(limit));
  }
});

Deno.test("capAfterAcceptError() keeps a tenth of the open connections (at least 16) free, and never goes below 16", () => {
  const cases: [number, number][] = [
    [0, 16],
    [20, 16],
    [100, 84],
    [1000, 900],
  ];
  for (const [open, expected] of cases) {
    assert.equal(capAfterAcceptError(open), expected, String(open));
  }
});
