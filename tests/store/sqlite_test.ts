// The store conformance suite over the SQLite back-end (a file in a temporary directory), plus SQLite specifics.

import assert from "node:assert/strict";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { openStore } from "../../src/store/open.ts";
import { StoreError } from "../../src/store/types.ts";
import { defineStoreConformance, event } from "./conformance_cases.ts";

defineStoreConformance("SQLite", async () => {
  const dir = await Deno.makeTempDir({ prefix: "xmpp-rest-store-" });
  const path = `${dir}/events.sqlite`;
  let current = openSqliteStore({ path });
  return {
    get store() {
      return current;
    },
    async reopen() {
      await current.close();
      current = openSqliteStore({ path });
      return current;
    },
    async [Symbol.asyncDispose]() {
      await current.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
});

Deno.test("openStore() creates the data directory and uses WAL", async () => {
  const dir = await Deno.makeTempDir({ prefix: "xmpp-rest-store-" });
  try {
    const store = await openStore(`${dir}/a/b`);
    assert.equal(store.kind, "sqlite");
    await store.append([event(1)]);
    await store.close();
    const files = [...Deno.readDirSync(`${dir}/a/b`)].map((e) => e.name);
    assert.ok(files.includes("events.sqlite"), files.join());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openStore(':memory:') keeps events in memory", async () => {
  await using store = await openStore(":memory:");
  assert.equal(store.kind, "memory");
});

Deno.test("openStore() on a path that is a file throws StoreError", async () => {
  const file = await Deno.makeTempFile();
  try {
    await assert.rejects(() => openStore(`${file}/sub`), StoreError);
  } finally {
    await Deno.remove(file);
  }
});
