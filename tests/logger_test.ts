import assert from "node:assert/strict";
import { createBatchedWriter, createLogger } from "../src/logger.ts";

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

Deno.test({
  name:
    "createBatchedWriter() hands lines over after the delay, at the limit or on flush, never one by one",
  permissions: "none",
  fn() {
    const cases: {
      name: string;
      steps: (
        w: { write(l: string): void; flush(): void },
        fire: () => void,
      ) => void;
      batches: string[];
    }[] = [
      {
        name: "lines wait for the timer",
        steps: (w, fire) => {
          w.write("a");
          w.write("b");
          fire();
        },
        batches: ["a\nb\n"],
      },
      {
        name: "nothing before the timer",
        steps: (w) => {
          w.write("a");
        },
        batches: [],
      },
      {
        name: "the limit flushes at once",
        steps: (w) => {
          w.write("12345");
          w.write("6789");
        },
        batches: ["12345\n6789\n"],
      },
      {
        name: "flush() hands over what waits, a later timer finds nothing",
        steps: (w, fire) => {
          w.write("a");
          w.flush();
          fire();
        },
        batches: ["a\n"],
      },
      {
        name: "a new batch gets a new timer",
        steps: (w, fire) => {
          w.write("a");
          fire();
          w.write("b");
          fire();
        },
        batches: ["a\n", "b\n"],
      },
    ];
    for (const c of cases) {
      const batches: string[] = [];
      const timers: (() => void)[] = [];
      const writer = createBatchedWriter({
        sink: (text) => batches.push(text),
        limit: 10,
        delayMs: 50,
        schedule: (flush, ms) => {
          assert.equal(ms, 50);
          timers.push(flush);
        },
      });
      c.steps(writer, () => timers.shift()?.());
      assert.deepEqual(batches, c.batches, c.name);
    }
  },
});

Deno.test({
  name: "createLogger() hands warnings and errors over at once, info waits",
  permissions: "none",
  fn() {
    const batches: string[] = [];
    const writer = createBatchedWriter({
      sink: (text) => batches.push(text),
      schedule: () => {},
    });
    const log = createLogger({
      write: writer.write,
      flush: writer.flush,
      now: fixed,
    });
    log.info("first");
    assert.deepEqual(batches, []);
    log.warn("second");
    assert.deepEqual(batches, [
      "2026-01-02T03:04:05.000Z INFO  first\n2026-01-02T03:04:05.000Z WARN  second\n",
    ]);
    log.error("third");
    assert.equal(batches.length, 2);
  },
});
