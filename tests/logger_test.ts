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

Deno.test({
  name:
    "the default logger batches stderr writes and loses no line when the process exits",
  permissions: { run: true, read: true },
  async fn() {
    const logger = new URL("../src/logger.ts", import.meta.url).href;
    const script = [
      `import { createLogger } from ${JSON.stringify(logger)};`,
      `const log = createLogger();`,
      `for (let i = 0; i < 3000; i++) log.info("line", { i });`,
      `setTimeout(() => { log.warn("last"); Deno.exit(3); }, 10);`,
    ].join("\n");
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--no-check", script],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(code, 3);
    const lines = new TextDecoder().decode(stderr).trimEnd().split("\n");
    assert.equal(lines.length, 3001);
    lines.slice(0, 3000).forEach((line, i) =>
      assert.match(line, new RegExp(` INFO {2}line i=${i}$`))
    );
    assert.match(lines[3000], / WARN {2}last$/);
  },
});
