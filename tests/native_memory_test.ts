import assert from "node:assert/strict";
import {
  type MallocTrimHost,
  openMallocTrim,
  startMemoryTrim,
} from "../src/native_memory.ts";

const trimmed = () => true;

Deno.test({
  name:
    "openMallocTrim() trims only on Linux with the FFI permission granted and a C library that has malloc_trim",
  permissions: "none",
  fn() {
    const host = (over: Partial<MallocTrimHost>): MallocTrimHost => ({
      os: "linux",
      ffiGranted: () => true,
      open: () => trimmed,
      ...over,
    });
    const cases: { name: string; host: MallocTrimHost; trims: boolean }[] = [
      { name: "linux, granted", host: host({}), trims: true },
      { name: "macOS", host: host({ os: "darwin" }), trims: false },
      { name: "windows", host: host({ os: "windows" }), trims: false },
      {
        name: "not granted",
        host: host({ ffiGranted: () => false }),
        trims: false,
      },
      {
        name: "the query throws",
        host: host({
          ffiGranted: () => {
            throw new Error("no permissions API");
          },
        }),
        trims: false,
      },
      {
        name: "no glibc (musl)",
        host: host({
          open: () => {
            throw new Error("libc.so.6: cannot open shared object file");
          },
        }),
        trims: false,
      },
    ];
    for (const { name, host, trims } of cases) {
      assert.equal(openMallocTrim(host) !== undefined, trims, name);
    }
  },
});

Deno.test({
  name:
    "openMallocTrim() without the FFI permission opens nothing and asks nothing",
  permissions: "none",
  fn() {
    assert.equal(openMallocTrim(), undefined);
  },
});

Deno.test({
  name: "openMallocTrim() with the FFI permission calls glibc's malloc_trim",
  ignore: Deno.build.os !== "linux",
  permissions: { ffi: true },
  fn() {
    const trim = openMallocTrim();
    assert.ok(trim, "glibc's malloc_trim is there");
    // Free some native memory first, then trim: the call returns a boolean.
    for (let i = 0; i < 64; i++) new TextEncoder().encode("x".repeat(65_536));
    assert.equal(typeof trim(), "boolean");
  },
});

Deno.test({
  name:
    "startMemoryTrim() trims every interval until stopped; 0 starts nothing",
  permissions: "none",
  async fn() {
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let calls = 0;
    const stop = startMemoryTrim({
      intervalSeconds: 0.02,
      trim: () => (calls++, true),
    });
    // A held timer: the unref'd interval alone would let the test end.
    await wait(200);
    stop();
    const seen = calls;
    assert.ok(seen >= 2, `trimmed ${seen} times in 200 ms`);
    await wait(100);
    assert.equal(calls, seen, "nothing after stop");

    let off = 0;
    startMemoryTrim({ intervalSeconds: 0, trim: () => (off++, true) })();
    await wait(60);
    assert.equal(off, 0);
  },
});
