import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import {
  IqConflictError,
  QueueFullError,
  StanzaTooLargeError,
  StreamDownError,
} from "../../src/xmpp/port.ts";
import { errorReply } from "../../src/xmpp/stanza.ts";
import {
  C,
  CapturePort,
  DOMAIN,
  FORM,
  JSON_TYPE,
  jsonError,
  post,
  postJson,
  resultFor,
  setup,
  XML,
} from "./helpers.ts";

const TO = "user@example.com/res";
const PING = { kind: "iq", type: "get", id: "p1", to: TO, ping: true };
const VERSION = { kind: "iq", type: "get", id: "v1", to: TO, version: {} };

function versionReply(iq: ReturnType<typeof el>) {
  return resultFor(
    iq,
    el(
      "query",
      NS.version,
      {},
      el("name", NS.version, {}, "Client"),
      el("version", NS.version, {}, "1.0"),
    ),
  );
}

Deno.test("an iq result comes back as 200 JSON for a JSON request", async () => {
  const { port, handler } = setup();
  port.answerIq = versionReply;
  const res = await handler(postJson(VERSION));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("Content-Type"), JSON_TYPE);
  assert.deepEqual(await res.json(), {
    kind: "iq",
    type: "result",
    id: "v1",
    from: TO,
    to: DOMAIN,
    version: { name: "Client", version: "1.0" },
  });
});

Deno.test("an iq error reply is 200 with the error stanza", async () => {
  const { port, handler } = setup();
  port.answerIq = (iq) =>
    errorReply(iq, {
      type: "cancel",
      condition: "item-not-found",
      text: "No such thing",
    });
  const res = await handler(postJson(VERSION));
  assert.equal(res.status, 200);
  const json = await res.json();
  assert.equal(json.type, "error");
  assert.deepEqual(json.error, {
    type: "cancel",
    condition: "item-not-found",
    text: "No such thing",
  });
});

Deno.test("an iq reply comes back as XML without xmlns for an XML request", async () => {
  const { port, handler } = setup();
  port.answerIq = versionReply;
  const res = await handler(
    post(
      "/rest",
      `<iq type='get' id='x1' to='${TO}'><query xmlns='jabber:iq:version'/></iq>`,
      XML,
    ),
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("Content-Type"), XML);
  assert.equal(
    await res.text(),
    `<iq type="result" id="x1" from="${TO}" to="${DOMAIN}"><query xmlns="jabber:iq:version"><name>Client</name><version>1.0</version></query></iq>`,
  );
});

/** [Accept, request type, expected response type] */
const acceptCases: [string | undefined, string, string][] = [
  [undefined, JSON_TYPE, JSON_TYPE],
  ["*/*", JSON_TYPE, JSON_TYPE],
  [XML, JSON_TYPE, XML],
  [FORM, JSON_TYPE, FORM],
  [`${JSON_TYPE};q=0.5, ${XML};q=0.9`, JSON_TYPE, XML],
  [`${XML}, ${JSON_TYPE}`, JSON_TYPE, XML],
  [`${JSON_TYPE}, ${XML}`, JSON_TYPE, JSON_TYPE],
  [`application/*`, JSON_TYPE, JSON_TYPE],
  [`${JSON_TYPE};q=0, */*;q=0.1`, JSON_TYPE, XML],
  ["text/html", JSON_TYPE, JSON_TYPE],
  [`text/html, application/*;q=0.2`, FORM, FORM],
];
for (const [accept, type, want] of acceptCases) {
  Deno.test(`iq reply with Accept ${accept ?? "(none)"} for ${type} is ${want}`, async () => {
    const { port, handler } = setup();
    port.answerIq = versionReply;
    const req = type === JSON_TYPE
      ? post(
        "/rest",
        JSON.stringify(VERSION),
        type,
        accept === undefined ? {} : { accept },
      )
      : post(
        `/rest/iq/version/${TO}`,
        "x=1",
        type,
        accept === undefined ? {} : { accept },
      );
    const res = await handler(req);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get("Content-Type"), want);
    const text = await res.text();
    if (want === JSON_TYPE) assert.equal(JSON.parse(text).kind, "iq");
    if (want === XML) assert.match(text, /^<iq /);
    if (want === FORM) {
      assert.equal(new URLSearchParams(text).get("kind"), "iq");
    }
  });
}

Deno.test("form output keeps top-level scalars only", async () => {
  const { port, handler } = setup();
  port.answerIq = versionReply;
  const res = await handler(postJson(VERSION, { accept: FORM }));
  const form = new URLSearchParams(await res.text());
  assert.equal(form.get("type"), "result");
  assert.equal(form.get("from"), TO);
  assert.equal(form.get("version"), null);
});

// --- timeouts ----------------------------------------------------------------

const timeoutCases: [
  string,
  Record<string, string>,
  Record<string, number>,
  number,
][] = [
  ["default 120 s", {}, {}, 120_000],
  ["Prosody-Rest-Timeout", { "Prosody-Rest-Timeout": "5" }, {}, 5_000],
  ["a fractional header", { "Prosody-Rest-Timeout": "0.5" }, {}, 500],
  ["a header above the cap", { "Prosody-Rest-Timeout": "1000" }, {}, 300_000],
  ["a non-numeric header", { "Prosody-Rest-Timeout": "soon" }, {}, 120_000],
  [
    "an infinite header is capped",
    { "Prosody-Rest-Timeout": "1e999" },
    {},
    300_000,
  ],
  ["configured iqTimeout", {}, { iqTimeout: 30 }, 30_000],
  [
    "configured iqMaxTimeout caps the header",
    { "Prosody-Rest-Timeout": "100" },
    { iqMaxTimeout: 60 },
    60_000,
  ],
  [
    "configured iqMaxTimeout caps the default",
    {},
    { iqMaxTimeout: 10 },
    10_000,
  ],
];
for (const [name, headers, options, ms] of timeoutCases) {
  Deno.test(`iq wait with ${name} is ${ms} ms`, async () => {
    const { port, handler } = setup(options);
    port.answerIq = (iq) => resultFor(iq);
    const res = await handler(postJson(PING, { headers }));
    assert.equal(res.status, 200);
    assert.deepEqual(port.timeouts, [ms]);
  });
}

// As mod_rest (no lower bound): zero or a negative timeout times out at once,
// and the iq is never sent.
for (const value of ["0", "-3", "-0.5", "-1e999"]) {
  Deno.test(`Prosody-Rest-Timeout: ${value} is 504 at once and sends nothing`, async () => {
    const { port, handler } = setup();
    port.answerIq = (iq) => resultFor(iq);
    const res = await handler(
      postJson(PING, { headers: { "Prosody-Rest-Timeout": value } }),
    );
    assert.equal(res.status, 504);
    assert.equal((await jsonError(res)).condition, "remote-server-timeout");
    assert.deepEqual(port.sent, []);
    assert.deepEqual(port.timeouts, []);
  });
}

// --- port failures -------------------------------------------------------------

Deno.test("an iq timeout is 504 wait/remote-server-timeout (mod_rest: 500)", async () => {
  const { port, handler } = setup();
  port.answerIq = () => "timeout";
  const res = await handler(postJson(PING));
  assert.equal(res.status, 504);
  assert.deepEqual(await jsonError(res), {
    code: 504,
    type: "wait",
    condition: "remote-server-timeout",
    text: "IQ stanza timed out",
  });
});

Deno.test("an iq timeout answers an XML request with a stream-error body", async () => {
  const { port, handler } = setup();
  port.answerIq = () => "timeout";
  const res = await handler(
    post(
      "/rest",
      `<iq type='get' to='${TO}'><ping xmlns='urn:xmpp:ping'/></iq>`,
      XML,
    ),
  );
  assert.equal(res.status, 504);
  assert.equal(
    await res.text(),
    '<error xmlns="http://etherx.jabber.org/streams"><remote-server-timeout xmlns="urn:ietf:params:xml:ns:xmpp-streams"/><text xmlns="urn:ietf:params:xml:ns:xmpp-streams">IQ stanza timed out</text></error>',
  );
});

Deno.test("a duplicate in-flight iq id is 409 conflict (mod_rest: 500)", async () => {
  const { port, handler } = setup();
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  port.answerIq = async (iq) => {
    await held;
    return resultFor(iq);
  };
  const first = handler(postJson(PING));
  const second = await handler(postJson(PING));
  assert.equal(second.status, 409);
  assert.deepEqual(await jsonError(second), {
    code: 409,
    type: "cancel",
    condition: "conflict",
    text: "IQ stanza id attribute already used",
  });
  release();
  assert.equal((await first).status, 200);
});

Deno.test("an IqConflictError from the port is 409", async () => {
  const { port, handler } = setup();
  port.answerIq = () => new IqConflictError("p1");
  assert.equal((await handler(postJson(PING))).status, 409);
});

for (const kind of ["message", "iq"]) {
  Deno.test(`a ${kind} while the stream is down is 503 with Retry-After, at once`, async () => {
    const { port, handler } = setup();
    port.online = false;
    const json = kind === "iq" ? PING : { kind, to: TO, body: "x" };
    const res = await handler(postJson(json));
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("Retry-After"), "5");
    const err = await jsonError(res);
    assert.equal(err.code, 503);
    assert.equal(err.condition, "service-unavailable");
    assert.equal(port.sent.length, 0);
  });
}

Deno.test("a stream that drops while an iq waits is 503", async () => {
  const { port, handler } = setup({ retryAfter: 9 });
  port.answerIq = () => new StreamDownError();
  const res = await handler(postJson(PING));
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("Retry-After"), "9");
});

Deno.test("a full write queue is 503 resource-constraint", async () => {
  const { port, handler } = setup();
  port.send = () => {
    throw new QueueFullError(100);
  };
  const res = await handler(postJson({ to: TO, body: "x" }));
  assert.equal(res.status, 503);
  assert.equal((await jsonError(res)).condition, "resource-constraint");
  assert.ok(res.headers.get("Retry-After"));
});

Deno.test("a stanza over the size limit as serialised is 413 Payload too large, for a message and for an iq", async () => {
  const { port, handler } = setup();
  port.send = () => {
    throw new StanzaTooLargeError(600_000, 196_608);
  };
  port.answerIq = () => new StanzaTooLargeError(600_000, 196_608);
  for (const body of [{ to: TO, body: ">" }, PING]) {
    const res = await handler(postJson(body));
    assert.equal(res.status, 413);
    const error = await jsonError(res);
    assert.equal(error.condition, "resource-constraint");
    assert.equal(error.text, "Payload too large");
  }
});

Deno.test("an unexpected port failure is 500 with an error body", async () => {
  const { port, handler } = setup();
  port.answerIq = () => new RangeError("boom");
  const res = await handler(postJson(PING));
  assert.equal(res.status, 500);
  assert.equal((await jsonError(res)).condition, "internal-server-error");
});

// --- iq validation ---------------------------------------------------------------

const iqErrors: [string, string, string, string][] = [
  [
    "type result",
    `<iq type='result' to='${TO}'><ping xmlns='urn:xmpp:ping'/></iq>`,
    "invalid-xml",
    "'iq' stanza must be of type 'get' or 'set'",
  ],
  [
    "no type",
    `<iq to='${TO}'><ping xmlns='urn:xmpp:ping'/></iq>`,
    "invalid-xml",
    "'iq' stanza must be of type 'get' or 'set'",
  ],
  [
    "no child",
    `<iq type='get' to='${TO}'/>`,
    "bad-format",
    "'iq' stanza must have exactly one child tag",
  ],
  [
    "two children",
    `<iq type='get' to='${TO}'><ping xmlns='urn:xmpp:ping'/><ping xmlns='urn:xmpp:ping'/></iq>`,
    "bad-format",
    "'iq' stanza must have exactly one child tag",
  ],
];
for (const [name, xml, condition, text] of iqErrors) {
  Deno.test(`an iq with ${name} is 422 ${condition} and not sent`, async () => {
    const { port, handler } = setup();
    const res = await handler(post("/rest", xml, XML, { accept: JSON_TYPE }));
    assert.equal(res.status, 422);
    assert.deepEqual(await jsonError(res), {
      code: 422,
      type: "modify",
      condition,
      text,
    });
    assert.equal(port.sent.length, 0);
  });
}

Deno.test("a JSON iq without payload is 422 bad-format", async () => {
  const { handler } = setup();
  const res = await handler(postJson({ kind: "iq", type: "get", to: TO }));
  assert.equal(res.status, 422);
  assert.equal((await jsonError(res)).condition, "bad-format");
});

// --- replies that JSON cannot carry ------------------------------------------------

Deno.test("a reply that cannot be mapped to JSON is 502 with an explanation", async () => {
  const { port, handler } = setup();
  port.answerIq = (iq) =>
    el("iq", C, { type: "result", id: iq.attr("id"), from: "a@@b" });
  const res = await handler(postJson(PING));
  assert.equal(res.status, 502);
  const err = await jsonError(res);
  assert.equal(err.code, 502);
  assert.match(err.text, /JSON/);
  assert.match(err.text, /application\/xmpp\+xml/);
});

Deno.test("the same reply is fine as XML", async () => {
  const { port, handler } = setup();
  port.answerIq = (iq) =>
    el("iq", C, { type: "result", id: iq.attr("id"), from: "a@@b" });
  const res = await handler(postJson(PING, { accept: XML }));
  assert.equal(res.status, 200);
  assert.equal(await res.text(), `<iq type="result" id="p1" from="a@@b"/>`);
});

// --- MAM: several stanzas in a container -------------------------------------------

function mamResult(
  queryid: string,
  id: string,
  body: string,
  from = "user@example.com",
) {
  return el(
    "message",
    C,
    { from, to: DOMAIN },
    el(
      "result",
      NS.mam,
      { queryid, id },
      el(
        "forwarded",
        NS.forward,
        {},
        el("delay", NS.delay, { stamp: "2024-01-01T00:00:00Z" }),
        el("message", C, {
          from: "bob@example.com",
          to: "user@example.com",
          type: "chat",
        }, el("body", C, {}, body)),
      ),
    ),
  );
}

Deno.test("an archive query collects its result messages into an <xmpp> container", async () => {
  const port = new CapturePort(DOMAIN);
  const { handler } = setup({}, port);
  port.incoming = [
    mamResult("id1", "a1", "one"),
    el("message", C, { from: "x@example.com" }, el("body", C, {}, "unrelated")),
    mamResult("other", "zz", "not ours"),
    mamResult("id1", "a2", "two"),
    mamResult("id1", "a3", "spoofed", "mallory@example.com"),
  ];
  port.answerIq = (iq) =>
    resultFor(
      iq,
      el(
        "fin",
        NS.mam,
        { complete: "true" },
        el("set", NS.rsm, {}, el("count", NS.rsm, {}, "2")),
      ),
    );
  const res = await handler(
    postJson({
      kind: "iq",
      to: "user@example.com",
      id: "q",
      archive: { with: "bob@example.com" },
    }, { accept: XML }),
  );
  assert.equal(res.status, 200);
  const sent = port.sent[0].getChild("query", NS.mam);
  assert.equal(sent?.attr("queryid"), "id1");
  const text = await res.text();
  assert.match(text, /^<xmpp><message /);
  assert.match(text, /<\/iq><\/xmpp>$/);
  assert.match(text, /one[\s\S]*two[\s\S]*<iq type="result"/);
  assert.doesNotMatch(text, /unrelated|not ours|spoofed/);
  assert.equal(port.delivered.length, 3);
});

Deno.test('an archive container as JSON is {"xmpp":[…]} with the iq last', async () => {
  const port = new CapturePort(DOMAIN);
  const { handler } = setup({}, port);
  port.incoming = [mamResult("q9", "a1", "one")];
  port.answerIq = (iq) =>
    resultFor(iq, el("fin", NS.mam, {}, el("set", NS.rsm)));
  const res = await handler(
    postJson({
      kind: "iq",
      to: "user@example.com",
      archive: { queryid: "q9" },
    }),
  );
  assert.equal(res.status, 200);
  const json = await res.json();
  assert.equal(json.xmpp.length, 2);
  assert.equal(json.xmpp[0].kind, "message");
  assert.equal(json.xmpp[0].archive.queryid, "q9");
  assert.equal(json.xmpp[1].kind, "iq");
});

Deno.test("an archive query without results answers the bare iq", async () => {
  const port = new CapturePort(DOMAIN);
  const { handler } = setup({}, port);
  port.answerIq = (iq) => resultFor(iq, el("fin", NS.mam));
  const res = await handler(
    postJson({ kind: "iq", to: "user@example.com", archive: {} }, {
      accept: XML,
    }),
  );
  assert.match(await res.text(), /^<iq /);
});

Deno.test("a non-archive iq passes no capture function", async () => {
  const port = new CapturePort(DOMAIN);
  const { handler } = setup({}, port);
  port.answerIq = (iq) => resultFor(iq);
  await handler(postJson(PING));
  assert.equal(port.lastOptions?.capture, undefined);
});

Deno.test("message and presence are 202 with an empty body and no Content-Type", async () => {
  const { port, handler } = setup();
  for (
    const json of [{ kind: "message", to: TO, body: "x" }, {
      kind: "presence",
      to: TO,
    }]
  ) {
    const res = await handler(postJson(json));
    assert.equal(res.status, 202);
    assert.equal(res.headers.get("Content-Type"), null);
    assert.equal(await res.text(), "");
  }
  assert.equal(port.sent.length, 2);
});
