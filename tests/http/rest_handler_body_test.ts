import assert from "node:assert/strict";
import {
  C,
  canon,
  FORM,
  JSON_TYPE,
  jsonError,
  post,
  postJson,
  request,
  setup,
  TEXT,
  XML,
} from "./helpers.ts";

const TO = "user@example.com";

/** [name, content type, body, status, canonical sent stanza or error condition] */
const cases: [string, string | null, string, number, string][] = [
  [
    "XML message",
    XML,
    `<message to='${TO}' type='chat' id='m1'><body>Hi</body></message>`,
    202,
    `<message xmlns="${C}" from="rest.example.net" id="m1" to="${TO}" type="chat"><body>Hi</body></message>`,
  ],
  [
    "XML with explicit jabber:client and extra attributes",
    XML,
    `<message xmlns='jabber:client' to='${TO}' foo='bar' xml:lang='en'><body>Hi</body></message>`,
    202,
    `<message xmlns="${C}" from="rest.example.net" id="id1" to="${TO}" xml:lang="en"><body>Hi</body></message>`,
  ],
  [
    "XML with whitespace between children",
    XML,
    `<message to='${TO}'>\n  <body>Hi</body>\n</message>\n`,
    202,
    `<message xmlns="${C}" from="rest.example.net" id="id1" to="${TO}"><body>Hi</body></message>`,
  ],
  [
    "XML with a declaration",
    XML,
    `<?xml version='1.0'?><message to='${TO}'/>`,
    400,
    "not-well-formed",
  ],
  [
    "malformed XML",
    XML,
    `<message to='${TO}'><body></message>`,
    400,
    "not-well-formed",
  ],
  [
    "two XML stanzas",
    XML,
    `<message to='${TO}'/><message to='${TO}'/>`,
    400,
    "not-well-formed",
  ],
  [
    "XML in another namespace",
    XML,
    `<message xmlns='jabber:server' to='${TO}'/>`,
    422,
    "invalid-namespace",
  ],
  [
    "XML that is not a stanza",
    XML,
    `<foo to='${TO}'/>`,
    422,
    "unsupported-stanza-type",
  ],
  [
    "XML without to",
    XML,
    `<message><body>x</body></message>`,
    422,
    "improper-addressing",
  ],
  [
    "XML with an invalid to",
    XML,
    `<message to='a@@b'/>`,
    422,
    "improper-addressing",
  ],
  [
    "JSON message",
    JSON_TYPE,
    JSON.stringify({
      kind: "message",
      type: "chat",
      to: TO,
      body: "Hi",
      id: "j1",
    }),
    202,
    `<message xmlns="${C}" from="rest.example.net" id="j1" to="${TO}" type="chat"><body>Hi</body></message>`,
  ],
  [
    "JSON with parameters in Content-Type, any case",
    "Application/JSON; charset=UTF-8",
    JSON.stringify({ to: TO, body: "Hi" }),
    202,
    `<message xmlns="${C}" from="rest.example.net" id="id1" to="${TO}"><body>Hi</body></message>`,
  ],
  [
    "JSON presence with show",
    JSON_TYPE,
    JSON.stringify({ kind: "presence", to: TO, show: "away" }),
    202,
    `<presence xmlns="${C}" from="rest.example.net" id="id1" to="${TO}"><show>away</show></presence>`,
  ],
  ["malformed JSON", JSON_TYPE, `{"to":`, 400, "not-well-formed"],
  ["a JSON array", JSON_TYPE, `[1,2]`, 400, "not-well-formed"],
  ["a JSON string", JSON_TYPE, `"hello"`, 400, "not-well-formed"],
  ["JSON null", JSON_TYPE, `null`, 400, "not-well-formed"],
  ["an empty JSON body", JSON_TYPE, ``, 400, "not-well-formed"],
  // mod_rest: an unknown kind is a parse failure ("unknown-kind"), a 400.
  [
    "an unknown JSON kind",
    JSON_TYPE,
    `{"kind":"mail","to":"a@b"}`,
    400,
    "not-well-formed",
  ],
  [
    "JSON without to",
    JSON_TYPE,
    JSON.stringify({ body: "x" }),
    422,
    "improper-addressing",
  ],
  [
    "JSON with an invalid to",
    JSON_TYPE,
    JSON.stringify({ to: "a@@b", body: "x" }),
    422,
    "improper-addressing",
  ],
  [
    "JSON with an invalid from",
    JSON_TYPE,
    JSON.stringify({ to: TO, from: "a@@b", body: "x" }),
    422,
    "invalid-from",
  ],
  [
    "JSON with a wrong-shaped value",
    JSON_TYPE,
    JSON.stringify({ to: TO, body: 5 }),
    422,
    "bad-format",
  ],
  [
    "a form message",
    FORM,
    `to=${encodeURIComponent(TO)}&body=Hi+there&type=chat`,
    202,
    `<message xmlns="${C}" from="rest.example.net" id="id1" to="${TO}" type="chat"><body>Hi there</body></message>`,
  ],
  [
    "a form presence with a coerced priority",
    FORM,
    `kind=presence&to=${TO}&priority=5`,
    202,
    `<presence xmlns="${C}" from="rest.example.net" id="id1" to="${TO}"><priority>5</priority></presence>`,
  ],
  [
    "a form without = (text, so no to)",
    FORM,
    `Hello+world`,
    422,
    "improper-addressing",
  ],
  [
    "text/plain without a path (no to)",
    TEXT,
    `Hello`,
    422,
    "improper-addressing",
  ],
  ["no Content-Type without a path", null, ``, 415, "bad-format"],
  ["an unsupported Content-Type", "application/pdf", `%PDF`, 415, "bad-format"],
  ["text/html", "text/html", `<p>x</p>`, 415, "bad-format"],
];

for (const [name, type, body, status, want] of cases) {
  Deno.test(`POST /rest with ${name} is ${status}`, async () => {
    const { port, handler } = setup();
    const res = await handler(post("/rest", body, type, { accept: JSON_TYPE }));
    assert.equal(res.status, status);
    if (status === 202) {
      assert.equal(await res.text(), "");
      assert.equal(canon(port.sent[0]), want);
    } else {
      assert.equal(res.headers.get("Content-Type"), JSON_TYPE);
      const err = await jsonError(res);
      assert.equal(err.code, status);
      assert.equal(err.condition, want);
      assert.equal(port.sent.length, 0);
    }
  });
}

Deno.test("a wrong-shaped JSON value names its path in the 422 text", async () => {
  const { handler } = setup();
  const res = await handler(
    postJson({ kind: "presence", to: TO, priority: "high" }),
  );
  assert.equal(res.status, 422);
  const err = await jsonError(res);
  assert.equal(err.condition, "bad-format");
  assert.match(err.text, /\/priority/);
});

Deno.test("JSON error stanza is sent as an error stanza (mod_rest crashed)", async () => {
  const { port, handler } = setup();
  const res = await handler(postJson({
    kind: "message",
    type: "error",
    id: "e1",
    to: TO,
    error: { type: "cancel", condition: "item-not-found", text: "gone" },
  }));
  assert.equal(res.status, 202);
  assert.equal(
    canon(port.sent[0]),
    `<message xmlns="${C}" from="rest.example.net" id="e1" to="${TO}" type="error"><error type="cancel"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">gone</text></error></message>`,
  );
});

Deno.test("POST /rest/ with JSON works like POST /rest (mod_rest: 400)", async () => {
  const { port, handler } = setup();
  const res = await handler(postJson({ to: TO, body: "x" }, {}, "/rest/"));
  assert.equal(res.status, 202);
  assert.equal(port.sent.length, 1);
});

Deno.test("invalid UTF-8 in a body is 400", async () => {
  const { handler } = setup();
  const req = request("POST", "/rest", {
    body: new Uint8Array([0x7b, 0xff, 0x7d]),
    type: JSON_TYPE,
  });
  assert.equal((await handler(req)).status, 400);
});

// --- size limit --------------------------------------------------------------

Deno.test("a body of exactly sizeLimit bytes is accepted", async () => {
  const body = JSON.stringify({ to: TO, body: "" });
  const padded = body.slice(0, -1) + " ".repeat(20) + "}";
  const { port, handler } = setup({ sizeLimit: padded.length });
  const res = await handler(post("/rest", padded, JSON_TYPE));
  assert.equal(res.status, 202);
  assert.equal(port.sent.length, 1);
});

Deno.test("a body one byte over sizeLimit is 413 resource-constraint", async () => {
  const { port, handler } = setup({ sizeLimit: 100 });
  const body = JSON.stringify({ to: TO, body: "x".repeat(100) });
  const res = await handler(post("/rest", body, JSON_TYPE));
  assert.equal(res.status, 413);
  assert.deepEqual(await jsonError(res), {
    code: 413,
    type: "modify",
    condition: "resource-constraint",
    text: "Payload too large",
  });
  assert.equal(port.sent.length, 0);
});

Deno.test("a Content-Length above the limit is 413 before reading anything", async () => {
  let pulls = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls++;
      controller.enqueue(new Uint8Array(10));
    },
  });
  const { handler } = setup({ sizeLimit: 1000 });
  const req = request("POST", "/rest", {
    body: stream,
    type: JSON_TYPE,
    headers: { "Content-Length": "5000" },
  });
  const res = await handler(req);
  assert.equal(res.status, 413);
  assert.ok(pulls <= 1, `pulled ${pulls} chunks`);
});

Deno.test("a streamed body is cut off with 413 as soon as it passes the limit", async () => {
  let pulled = 0;
  let cancelled = false;
  const chunk = new Uint8Array(1024).fill(0x20);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += chunk.length;
      controller.enqueue(chunk);
      // an endless body: it never closes by itself
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  const { port, handler } = setup({ sizeLimit: 4096 });
  const req = request("POST", "/rest", { body: stream, type: JSON_TYPE });
  const res = await handler(req);
  assert.equal(res.status, 413);
  assert.ok(cancelled, "stream cancelled");
  assert.ok(pulled <= 4096 + 2 * 1024, `read ${pulled} bytes`);
  assert.equal(port.sent.length, 0);
});

Deno.test("an oversized body with an unsupported type is still 413 first", async () => {
  const { handler } = setup({ sizeLimit: 10 });
  const req = request("POST", "/rest", {
    body: "x".repeat(50),
    type: "application/pdf",
    headers: { "Content-Length": "50" },
  });
  assert.equal((await handler(req)).status, 413);
});

Deno.test("415 error body without Accept is XML (never HTML)", async () => {
  const { handler } = setup();
  const res = await handler(post("/rest", "x", "application/pdf"));
  assert.equal(res.status, 415);
  assert.equal(res.headers.get("Content-Type"), XML);
  assert.match(
    await res.text(),
    /<bad-format xmlns="urn:ietf:params:xml:ns:xmpp-streams"\/>/,
  );
});

Deno.test("an error answers JSON requests without Accept in JSON", async () => {
  const { handler } = setup();
  const res = await handler(
    post("/rest", JSON.stringify({ body: "x" }), JSON_TYPE),
  );
  assert.equal(res.status, 422);
  assert.equal(res.headers.get("Content-Type"), JSON_TYPE);
  assert.deepEqual(await jsonError(res), {
    code: 422,
    type: "modify",
    condition: "improper-addressing",
    text: "Missing destination JID",
  });
});

Deno.test("an error honours Accept over the request format", async () => {
  const { handler } = setup();
  const res = await handler(
    post("/rest", JSON.stringify({ body: "x" }), JSON_TYPE, { accept: XML }),
  );
  assert.equal(res.headers.get("Content-Type"), XML);
  assert.match(await res.text(), /Missing destination JID/);
});

// --- hostile input never escapes as an exception or HTML -------------------------

const hostile: [string, string | null, string][] = [
  [
    "an entity declaration",
    XML,
    `<!DOCTYPE m [<!ENTITY a "aaaa">]><message to='${TO}'>&a;</message>`,
  ],
  ["a comment", XML, `<message to='${TO}'><!-- x --></message>`],
  [
    "a control character in JSON text",
    JSON_TYPE,
    JSON.stringify({ to: TO, body: "a\u0001b" }),
  ],
  ["a lone surrogate in JSON", JSON_TYPE, `{"to":"${TO}","body":"\\ud800"}`],
  [
    "__proto__ in JSON",
    JSON_TYPE,
    `{"__proto__":{"kind":"iq"},"to":"${TO}","body":"x"}`,
  ],
  ["deeply nested JSON", JSON_TYPE, "[".repeat(5000) + "]".repeat(5000)],
  ["a control character in a form", FORM, `to=${TO}&body=%01`],
  ["__proto__ in a form", FORM, `__proto__=x&to=${TO}&body=y`],
  [
    "a huge number",
    JSON_TYPE,
    `{"kind":"presence","to":"${TO}","priority":1e400}`,
  ],
  ["binary XML", XML, "\u0000\u0001<message/>"],
];
for (const [name, type, body] of hostile) {
  Deno.test(`POST /rest with ${name} answers without throwing`, async () => {
    const { handler } = setup();
    const res = await handler(post("/rest", body, type));
    assert.ok(
      res.status === 202 || (res.status >= 400 && res.status < 500),
      String(res.status),
    );
    if (res.status !== 202) {
      assert.match(
        res.headers.get("Content-Type") ?? "",
        /xmpp\+xml|json|urlencoded/,
      );
    }
  });
}

Deno.test("a form request's error body is XML (README: Differences from mod_rest), even when Accept asks for form", async () => {
  for (const accept of [null, "*/*", "application/x-www-form-urlencoded"]) {
    const { handler } = setup();
    const headers: Record<string, string> = {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: "Bearer wrong",
    };
    if (accept) headers.Accept = accept;
    const res = await handler(
      new Request("http://gw.test/rest", {
        method: "POST",
        headers,
        body: "to=a@b&body=x",
      }),
    );
    assert.equal(res.status, 403);
    assert.equal(res.headers.get("Content-Type"), "application/xmpp+xml");
    assert.match(
      await res.text(),
      /^<error xmlns="http:\/\/etherx.jabber.org\/streams"><not-authorized /,
    );
  }
});
