import assert from "node:assert/strict";
import { IQ_QUERY_KEYS, matchRoute, ROUTES } from "../../src/http/routes.ts";
import { HttpError } from "../../src/http/errors.ts";
import { CODECS } from "../../src/jsonmap/registry.ts";

const matches: [string, string, string, Record<string, string>][] = [
  // Unknown words still match (mod_rest's patterns); the handler refuses them.
  ["GET", "/rest/nonsense/example.com", "query", {
    query: "nonsense",
    to: "example.com",
  }],
  ["POST", "/rest/mfoo/chat/example.com", "send_path", {
    kind: "mfoo",
    type: "chat",
    to: "example.com",
  }],
  ["POST", "/rest", "send", {}],
  ["POST", "/rest/", "send", {}],
  ["POST", "/rest/echo", "echo", {}],
  ["POST", "/rest/message/chat/user@example.com", "send_path", {
    kind: "message",
    type: "chat",
    to: "user@example.com",
  }],
  ["POST", "/rest/iq/disco/example.com", "send_path", {
    kind: "iq",
    type: "disco",
    to: "example.com",
  }],
  ["POST", "/rest/presence/available/", "send_path", {
    kind: "presence",
    type: "available",
    to: "",
  }],
  ["POST", "/rest/message/chat/room@muc.example/nick/with/slash", "send_path", {
    kind: "message",
    type: "chat",
    to: "room@muc.example/nick/with/slash",
  }],
  ["POST", "/rest/message/chat/a%40b.example%2Fres", "send_path", {
    kind: "message",
    type: "chat",
    to: "a@b.example/res",
  }],
  ["POST", "/rest/iq/upload_request/upload.example", "send_path", {
    kind: "iq",
    type: "upload_request",
    to: "upload.example",
  }],
  ["GET", "/rest/ping/example.com", "query", {
    query: "ping",
    to: "example.com",
  }],
  ["GET", "/rest/upload_request/up.example", "query", {
    query: "upload_request",
    to: "up.example",
  }],
];

for (const [method, path, id, params] of matches) {
  Deno.test({
    name: `matchRoute() maps ${method} ${path} to ${id}`,
    permissions: "none",
    fn() {
      const match = matchRoute(method, path);
      assert.equal(match?.route.id, id);
      assert.deepEqual(match?.params, params);
    },
  });
}

const misses: [string, string][] = [
  ["GET", "/rest"],
  ["GET", "/rest/"],
  ["PUT", "/rest"],
  ["DELETE", "/rest/echo"],
  ["GET", "/rest/version"],
  ["POST", "/rest/xyz/chat/example.com"],
  ["POST", "/rest/message/chat"],
  ["POST", "/rest/message//example.com"],
  ["POST", "/rest/message/ch-at/example.com"],
  ["POST", "/restx"],
  ["POST", "/other"],
  ["POST", "/rest/echo/more"],
];

for (const [method, path] of misses) {
  Deno.test({
    name: `matchRoute() finds no route for ${method} ${path}`,
    permissions: "none",
    fn() {
      assert.equal(matchRoute(method, path), undefined);
    },
  });
}

Deno.test({
  name: "matchRoute() refuses broken percent-encoding with a 400",
  permissions: "none",
  fn() {
    assert.throws(
      () => matchRoute("POST", "/rest/message/chat/a%zz"),
      (e) => e instanceof HttpError && e.status === 400,
    );
  },
});

Deno.test({
  name: "ROUTES is data: every template parameter is described",
  permissions: "none",
  fn() {
    for (const route of ROUTES) {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      assert.deepEqual(
        names.sort(),
        Object.keys(route.params).sort(),
        route.path,
      );
    }
  },
});

Deno.test({
  name: "IQ_QUERY_KEYS includes the simple queries mod_rest's README lists",
  permissions: "none",
  fn() {
    for (
      const key of [
        "archive",
        "disco",
        "extdisco",
        "items",
        "lastactivity",
        "oob",
        "payload",
        "ping",
        "stats",
        "version",
        "upload_request",
      ]
    ) {
      assert.ok((IQ_QUERY_KEYS as readonly string[]).includes(key), key);
    }
  },
});

Deno.test({
  name:
    "IQ_QUERY_KEYS covers every iq-only key of the JSON mapping (responses aside)",
  permissions: "none",
  fn() {
    const responseOnly = ["result", "upload_slot"];
    for (const codec of CODECS) {
      if (codec.kinds.length !== 1 || codec.kinds[0] !== "iq") continue;
      if (responseOnly.includes(codec.key)) continue;
      assert.ok(
        (IQ_QUERY_KEYS as readonly string[]).includes(codec.key),
        codec.key,
      );
    }
  },
});
