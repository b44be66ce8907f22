// RFC 6120 section 4.9 stream errors as ComponentStreamError messages (XEP-0114 handshake and online phases).

import assert from "node:assert/strict";
import {
  ComponentStreamError,
  readStreamError,
  refusalFields,
} from "../../src/component/errors.ts";
import { serverHostOf } from "../../src/component/server_ping.ts";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";

const context = { server: "127.0.0.1:5347", domain: "gw.localhost" };

const cases = [
  {
    condition: "not-authorized",
    phase: "handshake",
    text: undefined,
    message:
      "Component handshake rejected by 127.0.0.1:5347: not-authorized (wrong secret for gw.localhost, or gw.localhost not configured as a component on the server?)",
  },
  {
    condition: "host-unknown",
    phase: "handshake",
    text: "gw.localhost does not match",
    message:
      'Component handshake rejected by 127.0.0.1:5347: host-unknown (is gw.localhost configured as a component on the server?): "gw.localhost does not match"',
  },
  {
    condition: "conflict",
    phase: "handshake",
    text: undefined,
    message:
      "Component handshake rejected by 127.0.0.1:5347: conflict (another component is already connected as gw.localhost)",
  },
  {
    condition: "invalid-from",
    phase: "online",
    text: undefined,
    message:
      "Component stream closed by 127.0.0.1:5347: invalid-from (a stanza's from was not in gw.localhost)",
  },
  {
    condition: "system-shutdown",
    phase: "online",
    text: undefined,
    message:
      "Component stream closed by 127.0.0.1:5347: system-shutdown (the server is shutting down)",
  },
  {
    condition: "reset",
    phase: "online",
    text: "bye",
    message: 'Component stream closed by 127.0.0.1:5347: reset: "bye"',
  },
] as const;

for (const { condition, phase, text, message } of cases) {
  Deno.test({
    name:
      `ComponentStreamError for ${condition} during ${phase} reads "${message}"`,
    permissions: "none",
    fn() {
      const error = new ComponentStreamError(condition, text, {
        ...context,
        phase,
      });
      assert.equal(error.message, message);
      assert.equal(error.condition, condition);
      assert.equal(error.text, text);
      assert.equal(error.name, "ComponentStreamError");
    },
  });
}

Deno.test({
  name:
    "readStreamError() reads the condition and text; an unknown condition reads as undefined-condition",
  permissions: "none",
  fn() {
    const known = el(
      "error",
      NS.streams,
      {},
      el("conflict", NS.streamErrors),
      el("text", NS.streamErrors, {}, "Component already connected"),
    );
    assert.deepEqual(readStreamError(known), {
      condition: "conflict",
      text: "Component already connected",
    });
    const unknown = el(
      "error",
      NS.streams,
      {},
      el("x-custom", NS.streamErrors),
    );
    assert.deepEqual(readStreamError(unknown), {
      condition: "undefined-condition",
      text: undefined,
    });
  },
});

const refused = el("message", NS.client, { to: "a@b", id: "m1", type: "chat" });
const REFUSALS: [string, unknown, typeof refused | undefined, unknown][] = [
  [
    "a stream error after a stanza names both",
    new ComponentStreamError("policy-violation", "too big", {
      ...context,
      phase: "online",
    }),
    refused,
    {
      condition: "policy-violation",
      text: "too big",
      kind: "message",
      type: "chat",
      id: "m1",
      to: "a@b",
    },
  ],
  ["another error: nothing", new Error("reset"), refused, undefined],
  [
    "nothing written: nothing",
    new ComponentStreamError("conflict", undefined, {
      ...context,
      phase: "online",
    }),
    undefined,
    undefined,
  ],
];

for (const [name, error, stanza, expected] of REFUSALS) {
  Deno.test(`refusalFields(): ${name}`, () => {
    assert.deepEqual(refusalFields(error, stanza), expected);
  });
}

for (
  const [domain, host] of [
    ["gw.example.net", "example.net"],
    ["localhost", "localhost"],
  ]
) {
  Deno.test(`serverHostOf(${domain}) is ${host}`, () => {
    assert.equal(serverHostOf(domain), host);
  });
}
