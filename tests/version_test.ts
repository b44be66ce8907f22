import assert from "node:assert/strict";
import { VERSION } from "../src/version.ts";

Deno.test({
  name: "VERSION equals the version in deno.json",
  permissions: { read: true },
  async fn() {
    const config = JSON.parse(
      await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
    );
    assert.equal(VERSION, config.version);
  },
});
