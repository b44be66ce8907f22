import assert from "node:assert/strict";
import {
  admissionDelayMs,
  admissionPause,
  MAX_ADMISSION_DELAY_MS,
} from "../../src/component/admission.ts";

Deno.test({
  name:
    "admissionDelayMs(): nothing below an eighth of either bound, then in proportion up to the most at the bound",
  permissions: "none",
  fn() {
    const bounds = { stanzas: 800, units: 8000 };
    const cases: [string, number, number, number][] = [
      ["empty", 0, 0, 0],
      ["at an eighth of the stanzas", 100, 0, 0],
      ["just over an eighth", 101, 0, (1 / 700) * MAX_ADMISSION_DELAY_MS],
      ["half way between", 450, 0, MAX_ADMISSION_DELAY_MS / 2],
      ["at the stanza bound", 800, 0, MAX_ADMISSION_DELAY_MS],
      ["over the bound", 1600, 0, MAX_ADMISSION_DELAY_MS],
      ["the text decides when deeper", 10, 4500, MAX_ADMISSION_DELAY_MS / 2],
      ["the stanzas decide when deeper", 450, 1000, MAX_ADMISSION_DELAY_MS / 2],
    ];
    for (const [name, stanzas, units, expected] of cases) {
      const got = admissionDelayMs({ stanzas, units }, bounds);
      assert.ok(Math.abs(got - expected) < 1e-9, `${name}: ${got}`);
    }
  },
});

Deno.test({
  name: "admissionPause(): none below an eighth, else a pause of the delay",
  permissions: "none",
  async fn() {
    const bounds = { stanzas: 800, units: 8000 };
    assert.equal(
      admissionPause({ queued: 50, queuedUnits: 10 }, bounds),
      undefined,
    );
    const started = performance.now();
    const pause = admissionPause({ queued: 800, queuedUnits: 0 }, bounds);
    assert.ok(pause instanceof Promise);
    await pause;
    assert.ok(performance.now() - started >= MAX_ADMISSION_DELAY_MS - 1);
  },
});
