// XEP-0114 transport helpers: server addresses.

import assert from "node:assert/strict";
import {
  formatServerAddress,
  parseServerAddress,
} from "../../src/component/connection.ts";

const good = [
  { input: "127.0.0.1:5347", hostname: "127.0.0.1", port: 5347 },
  { input: "xmpp.example.net:5275", hostname: "xmpp.example.net", port: 5275 },
  { input: "localhost", hostname: "localhost", port: 5347 },
  { input: "[::1]:5347", hostname: "::1", port: 5347 },
  { input: "[::1]", hostname: "::1", port: 5347 },
];

for (const { input, hostname, port } of good) {
  Deno.test({
    name: `parseServerAddress("${input}") is ${hostname} port ${port}`,
    permissions: "none",
    fn() {
      const address = parseServerAddress(input);
      assert.deepEqual(address, { hostname, port });
      assert.deepEqual(
        parseServerAddress(formatServerAddress(address)),
        address,
      );
    },
  });
}

for (
  const input of [
    "",
    ":5347",
    "host:0",
    "host:70000",
    "host:port",
    "::1:5347",
    "a b:1",
  ]
) {
  Deno.test({
    name: `parseServerAddress("${input}") throws a TypeError`,
    permissions: "none",
    fn() {
      assert.throws(() => parseServerAddress(input), TypeError);
    },
  });
}
