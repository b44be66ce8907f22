// Scoped credentials: route groups, stanza kinds and sender addresses, checked by the REST handler; scope objects read from the config file.

import assert from "node:assert/strict";
import { fromPattern, parseScopedCredential } from "../../src/http/scope.ts";
import {
  BASIC,
  DOMAIN,
  jsonError,
  postJson,
  request,
  setup,
  TOKEN,
} from "./helpers.ts";

const ALERTS = "Bearer alerts-token";
const credentials = [
  TOKEN,
  {
    credential: ALERTS,
    scope: {
      from: ["alerts", "alerts-*", `ops@${DOMAIN}`],
      kinds: ["message" as const],
      routes: ["send" as const],
    },
  },
  { credential: "Bearer domain-only", scope: { from: [DOMAIN] } },
];

const msg = (from?: string) => ({
  kind: "message",
  to: "user@example.com",
  body: "hi",
  ...(from === undefined ? {} : { from }),
});

/** [what, auth, request, status, text of the 403] */
const CASES: [string, string, () => Request, number, string?][] = [
  ["an unscoped credential sends anything", TOKEN, () => postJson(msg()), 202],
  ["Basic is unrestricted", BASIC, () => postJson(msg("x@" + DOMAIN)), 202],
  [
    "a scoped credential from an allowed localpart",
    ALERTS,
    () => postJson(msg(`alerts@${DOMAIN}`), { auth: ALERTS }),
    202,
  ],
  [
    "a scoped credential from a localpart matching a pattern, with a resource",
    ALERTS,
    () => postJson(msg(`alerts-db@${DOMAIN}/x`), { auth: ALERTS }),
    202,
  ],
  [
    "a scoped credential from node@domain listed in full",
    ALERTS,
    () => postJson(msg(`OPS@${DOMAIN}`), { auth: ALERTS }),
    202,
  ],
  [
    "a scoped credential without from (the domain, not listed)",
    ALERTS,
    () => postJson(msg(), { auth: ALERTS }),
    403,
    `Credential may not send from "${DOMAIN}" (allowed: alerts, alerts-*, ops@${DOMAIN})`,
  ],
  [
    "a scoped credential from another localpart",
    ALERTS,
    () => postJson(msg(`admin@${DOMAIN}`), { auth: ALERTS }),
    403,
    `Credential may not send from "admin@${DOMAIN}" (allowed: alerts, alerts-*, ops@${DOMAIN})`,
  ],
  [
    "a scoped credential sending a kind it may not",
    ALERTS,
    () =>
      postJson({
        kind: "presence",
        to: "u@example.com",
        from: `alerts@${DOMAIN}`,
      }, {
        auth: ALERTS,
      }),
    403,
    "Credential may not send presence stanzas (allowed: message)",
  ],
  [
    "a scoped credential on a route group it may not use",
    ALERTS,
    () =>
      request("GET", "/rest/ping/example.com", {
        auth: ALERTS,
        accept: "application/json",
      }),
    403,
    "Credential may not use the iq routes (allowed: send)",
  ],
  [
    "a credential limited to the domain itself, without from",
    "Bearer domain-only",
    () => postJson(msg(), { auth: "Bearer domain-only" }),
    202,
  ],
  [
    "a credential limited to the domain itself, from a node",
    "Bearer domain-only",
    () => postJson(msg(`a@${DOMAIN}`), { auth: "Bearer domain-only" }),
    403,
    `Credential may not send from "a@${DOMAIN}" (allowed: ${DOMAIN})`,
  ],
];

for (const [what, _auth, make, status, text] of CASES) {
  Deno.test(`scopes: ${what} -> ${status}`, async () => {
    const { port, handler } = setup({ credentials });
    const res = await handler(make());
    assert.equal(res.status, status);
    if (status === 403) {
      assert.deepEqual(await jsonError(res), {
        code: 403,
        type: "auth",
        condition: "not-authorized",
        text,
      });
      assert.equal(port.sent.length, 0, "nothing is sent");
    } else {
      await res.body?.cancel();
      assert.equal(port.sent.length, 1);
    }
  });
}

const PATTERNS: [string, string, boolean][] = [
  ["bot", "bot", true],
  ["bot", "bots", false],
  ["alerts-*", "alerts-", true],
  ["alerts-*", "alerts-db", true],
  ["alerts-*", "alert", false],
  ["*", "anyone", true],
  [DOMAIN, "", true],
  [DOMAIN, "bot", false],
  [`Bot@${DOMAIN}`, "bot", true],
  ["a.b", "axb", false], // the dot is literal
];
for (const [entry, local, matches] of PATTERNS) {
  Deno.test({
    name: `fromPattern(${JSON.stringify(entry)}) ${
      matches ? "matches" : "does not match"
    } localpart "${local}"`,
    permissions: "none",
    fn() {
      const pattern = fromPattern(entry, DOMAIN);
      assert.ok(pattern instanceof RegExp);
      assert.equal(pattern.test(local), matches);
    },
  });
}

const BAD: [string, Record<string, unknown>, RegExp][] = [
  ["no credential", { kinds: ["message"] }, /"credential" must be/],
  [
    "an unknown key",
    { credential: "Bearer x", scopes: [] },
    /unknown key "scopes"/,
  ],
  [
    "an unknown kind",
    { credential: "Bearer x", kinds: ["iq", "mesage"] },
    /"mesage" is not one of message, presence, iq/,
  ],
  [
    "an unknown route group",
    { credential: "Bearer x", routes: ["admin"] },
    /"admin" is not one of send, iq, events, operations/,
  ],
  [
    "from not a list",
    { credential: "Bearer x", from: "bot" },
    /"from" must be an array of strings/,
  ],
  ["from at another domain", {
    credential: "Bearer x",
    from: ["bot@example.com"],
  }, /not at the component domain/],
];
for (const [what, raw, error] of BAD) {
  Deno.test({
    name: `parseScopedCredential refuses ${what}`,
    permissions: "none",
    fn: () => assert.throws(() => parseScopedCredential(raw, DOMAIN), error),
  });
}
