import assert from "node:assert/strict";
import {
  denoIdleHost,
  IDLE_COLLECT_DEFAULTS,
  type IdleCollectHost,
  shouldCollect,
  startIdleCollect,
} from "../src/idle_collect.ts";

const MiB = 1024 * 1024;

Deno.test({
  name: "shouldCollect(): only a quiet process with a grown young generation",
  permissions: "none",
  fn() {
    const cases: [string, number, number, boolean][] = [
      ["quiet and grown", 0.001, 16 * MiB, true],
      ["quiet, at the threshold", 0.02, 4 * MiB, true],
      ["quiet, not grown", 0.001, 1 * MiB, false],
      ["busy and grown", 0.5, 16 * MiB, false],
      ["just over the CPU share", 0.021, 16 * MiB, false],
    ];
    for (const [name, cpuShare, youngBytes, expected] of cases) {
      assert.equal(shouldCollect({ cpuShare, youngBytes }), expected, name);
    }
    assert.equal(IDLE_COLLECT_DEFAULTS.intervalSeconds, 10);
  },
});

/** A host whose CPU use per look and young generation the test sets. */
function fakeHost(cpuShare: number, youngBytes: number) {
  let clock = 0, cpu = 0;
  const collected: number[] = [];
  const host: IdleCollectHost = {
    // Every reading moves time on by 10 ms and CPU by the share of it.
    now: () => (clock += 10),
    cpuMicros: () => (cpu += cpuShare * 10_000),
    youngBytes: () => youngBytes,
    collect: () => collected.push(clock),
  };
  return { host, collected };
}

Deno.test({
  name:
    "startIdleCollect() collects when quiet and grown, then calls afterCollect; never when busy or small; stops",
  permissions: "none",
  async fn() {
    const cases: [string, number, number, boolean][] = [
      ["quiet and grown", 0, 16 * MiB, true],
      ["busy", 0.9, 16 * MiB, false],
      ["small", 0, 1 * MiB, false],
    ];
    for (const [name, share, young, expected] of cases) {
      const { host, collected } = fakeHost(share, young);
      let after = 0;
      const stop = startIdleCollect({
        intervalSeconds: 0.01,
        host,
        afterCollect: () => after++,
      });
      await new Promise((r) => setTimeout(r, 80));
      stop();
      const made = collected.length;
      assert.equal(made > 0, expected, name);
      assert.equal(after, made, name);
      await new Promise((r) => setTimeout(r, 40));
      assert.equal(collected.length, made, `${name}: stopped`);
    }
    const { host, collected } = fakeHost(0, 16 * MiB);
    startIdleCollect({ intervalSeconds: 0, host })();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(collected.length, 0, "interval 0: off");
  },
});

Deno.test({
  name:
    "denoIdleHost(): a full collection gives a grown young generation back, and no gc appears on the global object",
  permissions: "none",
  fn() {
    const host = denoIdleHost();
    assert.ok(host, "this Deno allows a full collection");
    let keep: unknown[] = [];
    for (let i = 0; i < 300_000; i++) keep.push({ i, list: [i] });
    keep = [];
    assert.ok(
      host.youngBytes() >= IDLE_COLLECT_DEFAULTS.grownYoungBytes,
      `grown: ${host.youngBytes()}`,
    );
    host.collect();
    assert.ok(
      host.youngBytes() < IDLE_COLLECT_DEFAULTS.grownYoungBytes,
      `given back: ${host.youngBytes()}`,
    );
    assert.equal(keep.length, 0);
    assert.equal("gc" in globalThis, false);
    assert.ok(host.cpuMicros() > 0);
  },
});

Deno.test({
  name: "startIdleCollect() stops quietly when a reading or collection fails",
  permissions: "none",
  async fn() {
    let looks = 0;
    const host: IdleCollectHost = {
      now: () => ++looks,
      cpuMicros: () => 0,
      youngBytes: () => 64 * MiB,
      collect: () => {
        throw new Error("no collection here");
      },
    };
    startIdleCollect({ intervalSeconds: 0.01, host });
    await new Promise((r) => setTimeout(r, 80));
    const after = looks;
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(after > 1, "it looked");
    assert.equal(looks, after, "and then stopped");
  },
});
