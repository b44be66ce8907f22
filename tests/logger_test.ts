import assert from "node:assert/strict";
import { createLogger } from "../src/logger.ts";

const fixed = () => new Date("2026-01-02T03:04:05.000Z");

Deno.test({
  name:
    "createLogger() writes text lines with quoted fields and filters by level",
  permissions: "none",
  fn() {
    const lines: string[] = [];
    const log = createLogger({
      level: "info",
      write: (l) => lines.push(l),
      now: fixed,
    });
    log.debug("hidden");
    log.info("stream online", {
      domain: "gw.example",
      n: 3,
      note: "two words",
    });
    log.error("boom");
    assert.deepEqual(lines, [
      '2026-01-02T03:04:05.000Z INFO  stream online domain=gw.example n=3 note="two words"',
      "2026-01-02T03:04:05.000Z ERROR boom",
    ]);
  },
});

Deno.test({
  name: "createLogger() writes JSON lines",
  permissions: "none",
  fn() {
    const lines: string[] = [];
    const log = createLogger({
      format: "json",
      level: "debug",
      write: (l) => lines.push(l),
      now: fixed,
    });
    log.debug("x", { a: 1 });
    assert.deepEqual(JSON.parse(lines[0]), {
      time: "2026-01-02T03:04:05.000Z",
      level: "debug",
      msg: "x",
      a: 1,
    });
  },
});
