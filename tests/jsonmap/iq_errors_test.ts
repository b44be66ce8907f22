import assert from "node:assert/strict";
import { CODECS } from "../../src/jsonmap/registry.ts";
import { type FieldCodec, JsonMappingError } from "../../src/jsonmap/types.ts";
import type { StanzaKind } from "../../src/xmpp/stanza.ts";

function codec(key: string, kind: StanzaKind): FieldCodec {
  const found = CODECS.find((c) => c.key === key && c.kinds.includes(kind));
  assert.ok(found, `no codec for ${key} on ${kind}`);
  return found;
}

function write(
  key: string,
  value: unknown,
  options: { kind?: StanzaKind; coerce?: boolean } = {},
): unknown {
  const kind = options.kind ?? "iq";
  return codec(key, kind).write(value, {
    kind,
    path: `/${key}`,
    coerce: options.coerce ?? false,
  });
}

// [key, value, JSON pointer of the error, reason]
const WRONG_SHAPES: [string, unknown, string, RegExp][] = [
  ["disco", [1], "/disco", /expected true, a node string or an object/],
  ["disco", 5, "/disco", /expected true/],
  ["disco", { node: 1 }, "/disco/node", /expected a string/],
  ["disco", { features: "x" }, "/disco/features", /expected an array/],
  ["disco", { features: ["a", 1] }, "/disco/features/1", /expected a string/],
  ["disco", { identities: ["x"] }, "/disco/identities/0", /expected an object/],
  [
    "disco",
    { identities: [{ type: "pc" }] },
    "/disco/identities/0/category",
    /expected a string/,
  ],
  [
    "disco",
    { identities: [{ category: "client", type: "pc", name: 3 }] },
    "/disco/identities/0/name",
    /expected a string/,
  ],
  ["disco", { extensions: [] }, "/disco/extensions", /expected an object/],
  [
    "disco",
    { extensions: { "urn:x": "y" } },
    "/disco/extensions/urn:x",
    /expected an object/,
  ],
  [
    "disco",
    { extensions: { "http://jabber.org/network/serverinfo": { a: {} } } },
    "/disco/extensions/http:~1~1jabber.org~1network~1serverinfo/a",
    /expected a string, number or boolean/,
  ],
  ["items", 5, "/items", /expected true, a node string, an object or an array/],
  ["items", [5], "/items/0", /expected a JID string or an object/],
  ["items", ["a@b", [1]], "/items/1", /expected a JID string or an object/],
  ["items", [{ jid: 1 }], "/items/0/jid", /expected a string/],
  ["items", { node: false }, "/items/node", /expected a string/],
  ["command", 5, "/command", /expected a node string or an object/],
  ["command", ["x"], "/command", /expected a node string or an object/],
  ["command", { node: 7 }, "/command/node", /expected a string/],
  ["command", { actions: 3 }, "/command/actions", /expected an object/],
  [
    "command",
    { actions: { next: "yes" } },
    "/command/actions/next",
    /expected a boolean/,
  ],
  [
    "command",
    { actions: { execute: true } },
    "/command/actions/execute",
    /expected a string/,
  ],
  ["command", { note: "hi" }, "/command/note", /expected an object/],
  [
    "command",
    { actions: { next: true }, note: 5 },
    "/command/note",
    /expected an object/,
  ],
  [
    "command",
    { form: { type: "submit" }, data: "x" },
    "/command/data",
    /expected an object/,
  ],
  ["command", { note: { text: 1 } }, "/command/note/text", /expected a string/],
  ["command", { data: [] }, "/command/data", /expected an object/],
  [
    "command",
    { data: { a: {} } },
    "/command/data/a",
    /expected a string, number or boolean/,
  ],
  [
    "command",
    { data: { a: ["x", null] } },
    "/command/data/a/1",
    /expected a string, number or boolean/,
  ],
  [
    "command",
    { form: { fields: [{ var: 1 }] } },
    "/command/form/fields/0/var",
    /expected a string/,
  ],
  ["dataform", "x", "/dataform", /expected an object/],
  ["dataform", { type: 1 }, "/dataform/type", /expected a string/],
  ["dataform", { fields: {} }, "/dataform/fields", /expected an array/],
  ["dataform", { fields: [7] }, "/dataform/fields/0", /expected an object/],
  [
    "dataform",
    { fields: [{ options: [{ value: 1 }] }] },
    "/dataform/fields/0/options/0/value",
    /expected a string/,
  ],
  [
    "dataform",
    { fields: [{ options: {} }] },
    "/dataform/fields/0/options",
    /expected an array/,
  ],
  [
    "dataform",
    { fields: [{ value: ["a", {}] }] },
    "/dataform/fields/0/value/1",
    /expected a string, number or boolean/,
  ],
  [
    "dataform",
    { fields: [{ values: "a" }] },
    "/dataform/fields/0/values",
    /expected an array/,
  ],
  [
    "dataform",
    { fields: [{ required: "yes" }] },
    "/dataform/fields/0/required",
    /expected a boolean/,
  ],
  ["formdata", [], "/formdata", /expected an object/],
  ["stats", {}, "/stats", /expected an array/],
  ["stats", "users", "/stats", /expected an array/],
  ["stats", ["x"], "/stats/0", /expected an object/],
  ["stats", [{ value: "3" }], "/stats/0/value", /expected a number/],
  ["stats", [{ name: "a", unit: 1 }], "/stats/0/unit", /expected a string/],
  [
    "upload_request",
    { size: "big" },
    "/upload_request/size",
    /expected an integer of at least 0/,
  ],
  [
    "upload_request",
    { size: 1.5 },
    "/upload_request/size",
    /expected an integer/,
  ],
  ["upload_request", "a.txt", "/upload_request", /expected an object/],
  [
    "upload_request",
    { "content-type": 1 },
    "/upload_request/content-type",
    /expected a string/,
  ],
  ["upload_slot", { put: "u" }, "/upload_slot/put", /expected an object/],
  [
    "upload_slot",
    { put: { headers: [{ name: 1 }] } },
    "/upload_slot/put/headers/0/name",
    /expected a string/,
  ],
  ["version", "1.0", "/version", /expected an object/],
  ["version", { name: 5 }, "/version/name", /expected a string/],
  [
    "version",
    { name: "a\u0000b" },
    "/version/name",
    /expected a string without characters XML forbids \(U\+0000\)/,
  ],
  ["ping", "yes", "/ping", /expected a boolean/],
  ["ping", 1, "/ping", /expected a boolean/],
  [
    "lastactivity",
    { seconds: "7" },
    "/lastactivity/seconds",
    /expected an integer/,
  ],
  ["lastactivity", { status: 7 }, "/lastactivity/status", /expected a string/],
  ["oob", { url: 1 }, "/oob/url", /expected a string/],
  ["gateway", { prompt: [] }, "/gateway/prompt", /expected a string/],
  [
    "register",
    { registered: "yes" },
    "/register/registered",
    /expected a boolean/,
  ],
  ["register", { username: 42 }, "/register/username", /expected a string/],
  ["extdisco", { services: {} }, "/extdisco/services", /expected an array/],
  [
    "extdisco",
    { services: [{ port: "x" }] },
    "/extdisco/services/0/port",
    /expected an integer/,
  ],
  [
    "extdisco",
    { services: [{ restricted: "no" }] },
    "/extdisco/services/0/restricted",
    /expected a boolean/,
  ],
  ["block", { jid: "a@b" }, "/block", /expected an array/],
  [
    "block",
    [{ report: { stanza_ids: [{ id: 1 }] } }],
    "/block/0/report/stanza_ids/0/id",
    /expected a string/,
  ],
  ["blocklist", "x", "/blocklist", /expected an array/],
  ["blocklist", [{ jid: ["a"] }], "/blocklist/0/jid", /expected a string/],
  ["archive", 5, "/archive", /expected an object/],
  ["archive", { queryid: 1 }, "/archive/queryid", /expected a string/],
  ["archive", { with: 5 }, "/archive/with", /expected a string/],
  ["archive", { ids: 5 }, "/archive/ids", /expected an array/],
  ["archive", { ids: ["a", 2] }, "/archive/ids/1", /expected a string/],
  ["archive", { max: "ten" }, "/archive/max", /expected an integer/],
  ["archive", { max: -1 }, "/archive/max", /expected an integer of at least 0/],
  ["archive", { after: 3 }, "/archive/after", /expected a string/],
  ["archive", { page: [] }, "/archive/page", /expected an object/],
  [
    "archive",
    { page: { max: "10" } },
    "/archive/page/max",
    /expected an integer/,
  ],
  [
    "archive",
    { form: { fields: 1 } },
    "/archive/form/fields",
    /expected an array/,
  ],
  ["result", { page: [] }, "/result/page", /expected an object/],
  [
    "result",
    { page: { count: "9" } },
    "/result/page/count",
    /expected an integer/,
  ],
  ["rsm", "x", "/rsm", /expected an object/],
  ["rsm", { max: "x" }, "/rsm/max", /expected an integer/],
  ["rsm", { after: 5 }, "/rsm/after", /expected a string/],
];

for (const [key, value, path, reason] of WRONG_SHAPES) {
  Deno.test({
    name: `write() of ${key}: ${JSON.stringify(value)} throws at ${path}`,
    permissions: "none",
    fn() {
      assert.throws(() => write(key, value), (error: unknown) => {
        assert.ok(error instanceof JsonMappingError, String(error));
        assert.equal(error.path, path);
        assert.match(error.reason, reason);
        return true;
      });
    },
  });
}

Deno.test({
  name:
    "write() names the path on message and presence for the keys of every kind",
  permissions: "none",
  fn() {
    for (const kind of ["message", "presence"] as const) {
      for (
        const [key, value, path] of [
          ["rsm", { max: "x" }, "/rsm/max"],
          ["dataform", { fields: [1] }, "/dataform/fields/0"],
        ] as const
      ) {
        assert.throws(
          () => write(key, value, { kind }),
          (e: unknown) => e instanceof JsonMappingError && e.path === path,
        );
      }
    }
  },
});

// Values that are wrong without coercion but fine in form/query input.
const COERCED: [string, unknown][] = [
  ["stats", {}],
  ["blocklist", {}],
  ["lastactivity", { seconds: "7" }],
  ["ping", "true"],
  ["ping", ""],
  ["register", { registered: "1" }],
  ["rsm", { max: "10", index: "2" }],
  ["extdisco", { services: [{ port: "3478", restricted: "0" }] }],
  ["command", { actions: { next: "true" } }],
  ["dataform", { fields: [{ required: "true" }] }],
];

for (const [key, value] of COERCED) {
  Deno.test({
    name: `write() of ${key}: ${JSON.stringify(value)} throws unless coercing`,
    permissions: "none",
    fn() {
      assert.throws(() => write(key, value), JsonMappingError);
      assert.doesNotThrow(() => write(key, value, { coerce: true }));
    },
  });
}

Deno.test({
  name:
    "write() turns a numeric string size and max into numbers without coercion, as mod_rest",
  permissions: "none",
  fn() {
    assert.doesNotThrow(() => write("upload_request", { size: "42" }));
    assert.doesNotThrow(() => write("archive", { max: "10" }));
  },
});

Deno.test({
  name: "write() of false or null maps to nothing for the hand-written keys",
  permissions: "none",
  fn() {
    for (const key of ["disco", "items", "command", "dataform", "formdata"]) {
      assert.deepEqual(write(key, false), []);
      assert.deepEqual(write(key, null), []);
    }
    assert.deepEqual(write("ping", false), []);
  },
});
