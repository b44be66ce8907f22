import assert from "node:assert/strict";
import {
  BASIC,
  canon,
  DOMAIN,
  jsonError,
  post,
  postJson,
  request,
  setup,
  XML,
} from "./helpers.ts";

const CHALLENGE =
  'Bearer realm="rest.example.net/rest", Basic realm="rest.example.net/rest"';
const MSG = { kind: "message", to: "user@example.com", body: "hi" };

const authCases: [string, string | null, number, string | null, string][] = [
  ["no Authorization header", null, 401, CHALLENGE, "No credentials provided"],
  [
    "an unsupported scheme",
    "Digest username=x",
    401,
    CHALLENGE,
    "No credentials provided",
  ],
  [
    "a wrong Bearer token",
    "Bearer wrong",
    403,
    null,
    "Credentials not accepted",
  ],
  [
    "a Basic with the wrong secret",
    "Basic " + btoa(`${DOMAIN}:nope`),
    403,
    null,
    "Credentials not accepted",
  ],
  ["a malformed Basic", "Basic %%%", 403, null, "Credentials malformed"],
  [
    "a Basic without colon",
    "Basic " + btoa("justauser"),
    403,
    null,
    "Credentials malformed",
  ],
];

for (const [name, auth, status, challenge, text] of authCases) {
  Deno.test(`POST /rest with ${name} is ${status} and sends nothing`, async () => {
    const { port, handler } = setup();
    const res = await handler(postJson(MSG, { auth }));
    assert.equal(res.status, status);
    assert.equal(res.headers.get("WWW-Authenticate"), challenge);
    const err = await jsonError(res);
    assert.deepEqual(err, {
      code: status,
      type: "auth",
      condition: "not-authorized",
      text,
    });
    assert.equal(port.sent.length, 0);
  });
}

Deno.test("auth failures are checked before the body is read", async () => {
  const { handler } = setup();
  const res = await handler(post("/rest", "<not xml", XML, { auth: null }));
  assert.equal(res.status, 401);
});

Deno.test("GET shortcuts require authentication too", async () => {
  const { port, handler } = setup();
  const res = await handler(
    request("GET", "/rest/ping/example.com", { auth: null }),
  );
  assert.equal(res.status, 401);
  assert.equal(res.headers.get("WWW-Authenticate"), CHALLENGE);
  assert.equal(port.sent.length, 0);
});

Deno.test("the 401 body follows Accept: XML stream-error shape", async () => {
  const { handler } = setup();
  const res = await handler(postJson(MSG, { auth: null, accept: XML }));
  assert.equal(res.status, 401);
  assert.equal(res.headers.get("Content-Type"), XML);
  assert.equal(
    await res.text(),
    '<error xmlns="http://etherx.jabber.org/streams"><not-authorized xmlns="urn:ietf:params:xml:ns:xmpp-streams"/><text xmlns="urn:ietf:params:xml:ns:xmpp-streams">No credentials provided</text></error>',
  );
});

const accepted: [string, string][] = [
  ["the configured Bearer token", "Bearer dmVyeSBzZWNyZXQgdG9rZW4K"],
  ["the token with a lower-case scheme", "bearer dmVyeSBzZWNyZXQgdG9rZW4K"],
  ["Basic domain:secret", BASIC],
];
for (const [name, auth] of accepted) {
  Deno.test(`POST /rest with ${name} is accepted (202)`, async () => {
    const { port, handler } = setup();
    const res = await handler(postJson(MSG, { auth }));
    assert.equal(res.status, 202);
    assert.equal(port.sent.length, 1);
  });
}

const fromCases: [string, string | undefined, number, string][] = [
  ["absent (defaults to the domain)", undefined, 202, DOMAIN],
  ["the domain", DOMAIN, 202, DOMAIN],
  ["a node at the domain", `bot@${DOMAIN}`, 202, `bot@${DOMAIN}`],
  ["a full JID at the domain", `bot@${DOMAIN}/res`, 202, `bot@${DOMAIN}/res`],
  ["upper-case, normalised", `Bot@REST.example.net`, 202, `bot@${DOMAIN}`],
  ["another domain", "bot@example.com", 403, ""],
  ["the parent domain", "example.net", 403, ""],
];
for (const [name, from, status, sentFrom] of fromCases) {
  Deno.test(`JSON from ${name} gives ${status}`, async () => {
    const { port, handler } = setup();
    const res = await handler(postJson({ ...MSG, from }));
    assert.equal(res.status, status);
    if (status === 202) {
      assert.equal(port.sent[0].attr("from"), sentFrom);
    } else {
      assert.deepEqual(await jsonError(res), {
        code: 403,
        type: "auth",
        condition: "not-authorized",
        text: "Not authorized to send stanza with requested 'from'",
      });
      assert.equal(port.sent.length, 0);
    }
  });
}

Deno.test("an XML stanza with a foreign from is 403 and not sent", async () => {
  const { port, handler } = setup();
  const res = await handler(
    post(
      "/rest",
      "<message to='a@example.com' from='x@example.org'><body>x</body></message>",
      XML,
    ),
  );
  assert.equal(res.status, 403);
  assert.equal(res.headers.get("Content-Type"), XML);
  assert.match(await res.text(), /Not authorized to send stanza/);
  assert.equal(canon(port.sent[0]), "(nothing)");
});

Deno.test("an unparsable from is 422 invalid-from", async () => {
  const { handler } = setup();
  const res = await handler(
    post("/rest", "<message to='a@example.com' from='a@@b'/>", XML, {
      accept: "application/json",
    }),
  );
  assert.equal(res.status, 422);
  assert.deepEqual(await jsonError(res), {
    code: 422,
    type: "modify",
    condition: "invalid-from",
    text: "Invalid source JID",
  });
});

Deno.test("with Basic turned off, Basic domain:secret is a 401 that says so and offers only Bearer", async () => {
  const { port, handler } = setup({ basicAuth: false });
  const res = await handler(postJson(MSG, { auth: BASIC }));
  assert.equal(res.status, 401);
  assert.equal(
    res.headers.get("WWW-Authenticate"),
    'Bearer realm="rest.example.net/rest"',
  );
  assert.equal(
    (await jsonError(res)).text,
    "HTTP Basic authentication is turned off (rest_basic_auth)",
  );
  assert.equal(port.sent.length, 0);
  const bearer = await handler(postJson(MSG));
  assert.equal(bearer.status, 202);
});

Deno.test("with Basic turned off, a configured Basic credential is still accepted", async () => {
  const configured = "Basic " + btoa("app:pw");
  const { handler } = setup({ basicAuth: false, credentials: [configured] });
  assert.equal(
    (await handler(postJson(MSG, { auth: configured }))).status,
    202,
  );
  // Basic is a configured scheme here, so domain:secret is just not accepted.
  assert.equal((await handler(postJson(MSG, { auth: BASIC }))).status, 403);
});

for (const path of ["/rest/nonsense", "/rest/", "/rest/message/chat/x@y"]) {
  Deno.test(`a wrong credential on POST ${path} is a 403, never a 200`, async () => {
    const { handler } = setup();
    const res = await handler(postJson(MSG, { auth: "Bearer wrong" }, path));
    assert.equal(res.status, 403);
    await res.body?.cancel();
  });
}

for (
  const [what, to, text] of [
    [
      "a right-to-left override",
      "a\u202eb@example.com",
      /^Malformed destination JID: localpart contains U\+202E/,
    ],
    [
      "Hebrew and Latin mixed",
      "\u05d0b@example.com",
      /mixes right-to-left and left-to-right/,
    ],
  ] as const
) {
  Deno.test(`a JSON to with ${what} is a 422 jid-malformed and nothing is sent`, async () => {
    const { port, handler } = setup();
    const res = await handler(postJson({ ...MSG, to }));
    assert.equal(res.status, 422);
    const err = await jsonError(res);
    assert.equal(err.condition, "jid-malformed");
    assert.match(err.text, text);
    assert.equal(port.sent.length, 0);
  });
}
