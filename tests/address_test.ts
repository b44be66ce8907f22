// RFC 3986 host and port: the one `HOST:PORT` parser.

import assert from "node:assert/strict";
import {
  AddressError,
  formatHostPort,
  parseHostPort,
  type ParseHostPortOptions,
} from "../src/address.ts";

const COMPONENT = { defaultPort: 5347 };
const LISTEN = { anyPort: true };

const good: [string, ParseHostPortOptions, string, number][] = [
  ["127.0.0.1:5347", {}, "127.0.0.1", 5347],
  ["xmpp.example.net:5275", {}, "xmpp.example.net", 5275],
  ["localhost", COMPONENT, "localhost", 5347],
  ["[::1]:5347", {}, "::1", 5347],
  ["[::1]", COMPONENT, "::1", 5347],
  ["127.0.0.1:0", LISTEN, "127.0.0.1", 0],
  ["host:65535", {}, "host", 65535],
];

for (const [input, options, hostname, port] of good) {
  Deno.test({
    name: `parseHostPort("${input}", ${
      JSON.stringify(options)
    }) is ${hostname} port ${port}`,
    permissions: "none",
    fn() {
      const address = parseHostPort(input, options);
      assert.deepEqual(address, { hostname, port });
      assert.deepEqual(
        parseHostPort(formatHostPort(address), options),
        address,
      );
    },
  });
}

const bad: [string, ParseHostPortOptions, RegExp][] = [
  ["", COMPONENT, /expected HOST:PORT, got ""/],
  [":5347", COMPONENT, /expected HOST:PORT/],
  ["host:0", COMPONENT, /port 0 is out of range/],
  ["host:70000", COMPONENT, /port 70000 is out of range/],
  ["host:port", COMPONENT, /expected HOST:PORT/],
  ["::1:5347", COMPONENT, /expected HOST:PORT/],
  ["a b:1", COMPONENT, /expected HOST:PORT/],
  ["localhost", {}, /expected HOST:PORT, got "localhost"/],
];

for (const [input, options, reason] of bad) {
  Deno.test({
    name: `parseHostPort("${input}", ${
      JSON.stringify(options)
    }) throws an AddressError`,
    permissions: "none",
    fn() {
      assert.throws(
        () => parseHostPort(input, options),
        (error) =>
          error instanceof AddressError && error instanceof TypeError &&
          reason.test(error.reason),
      );
    },
  });
}
