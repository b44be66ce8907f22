import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { IQ_QUERY_KEYS } from "../../src/http/routes.ts";
import {
  C,
  canon,
  FORM,
  JSON_TYPE,
  jsonError,
  post,
  postJson,
  request,
  resultFor,
  setup,
  TEXT,
  XML,
} from "./helpers.ts";

const TO = "user@example.com";
const FROM = "rest.example.net";

/** [name, path, content type, body, canonical stanza sent] — all 202 or 200. */
const pathCases: [string, string, string | null, string, string][] = [
  [
    "no body: message from the path alone",
    `/rest/message/chat/${TO}`,
    null,
    "",
    `<message xmlns="${C}" from="${FROM}" id="id1" to="${TO}" type="chat"/>`,
  ],
  [
    "JSON body: path kind/type/to win over the body",
    `/rest/message/headline/${TO}`,
    JSON_TYPE,
    JSON.stringify({
      kind: "presence",
      type: "chat",
      to: "other@example.com",
      body: "Hi",
    }),
    `<message xmlns="${C}" from="${FROM}" id="id1" to="${TO}" type="headline"><body>Hi</body></message>`,
  ],
  [
    "XML body: path values applied (mod_rest ignored them)",
    `/rest/message/chat/${TO}`,
    XML,
    `<message to='other@example.com' type='normal' id='x1'><body>Hi</body></message>`,
    `<message xmlns="${C}" from="${FROM}" id="x1" to="${TO}" type="chat"><body>Hi</body></message>`,
  ],
  [
    "form body",
    `/rest/message/groupchat/room@muc.example.com`,
    FORM,
    "body=beep+boop&nick=Botty",
    `<message xmlns="${C}" from="${FROM}" id="id1" to="room@muc.example.com" type="groupchat"><body>beep boop</body><nick xmlns="http://jabber.org/protocol/nick">Botty</nick></message>`,
  ],
  [
    "text/plain to a message: the body",
    `/rest/message/chat/${TO}`,
    TEXT,
    "Hello there",
    `<message xmlns="${C}" from="${FROM}" id="id1" to="${TO}" type="chat"><body>Hello there</body></message>`,
  ],
  [
    "text/plain to a presence: the status (mod_rest: show)",
    `/rest/presence/available/${TO}`,
    TEXT,
    "Out to lunch",
    `<presence xmlns="${C}" from="${FROM}" id="id1" to="${TO}"><status>Out to lunch</status></presence>`,
  ],
  [
    "a full JID with a slash in the path",
    `/rest/message/chat/room@muc.example.com/Nick/Name`,
    TEXT,
    "x",
    `<message xmlns="${C}" from="${FROM}" id="id1" to="room@muc.example.com/Nick/Name" type="chat"><body>x</body></message>`,
  ],
  [
    "a percent-encoded to",
    `/rest/message/chat/user%40example.com`,
    TEXT,
    "x",
    `<message xmlns="${C}" from="${FROM}" id="id1" to="${TO}" type="chat"><body>x</body></message>`,
  ],
];

for (const [name, path, type, body, want] of pathCases) {
  Deno.test(`POST ${path.split("/").slice(0, 4).join("/")}/… with ${name}`, async () => {
    const { port, handler } = setup();
    const res = await handler(post(path, body === "" ? null : body, type));
    assert.equal(res.status, 202, await res.clone().text());
    assert.equal(canon(port.sent[0]), want);
  });
}

/** [name, path, content type, body, canonical iq sent] */
const iqPathCases: [string, string, string | null, string, string][] = [
  [
    "iq/ping with no body",
    `/rest/iq/ping/example.com`,
    null,
    "",
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="example.com" type="get"><ping xmlns="urn:xmpp:ping"/></iq>`,
  ],
  [
    "iq/ping forces true whatever the body",
    `/rest/iq/ping/example.com`,
    JSON_TYPE,
    JSON.stringify({ whatever: 1 }),
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="example.com" type="get"><ping xmlns="urn:xmpp:ping"/></iq>`,
  ],
  [
    "iq/disco with a JSON payload body",
    `/rest/iq/disco/example.com`,
    JSON_TYPE,
    JSON.stringify({ node: "n1" }),
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="example.com" type="get"><query xmlns="${NS.discoInfo}" node="n1"/></iq>`,
  ],
  // mod_rest wraps the decoded JSON body as {kind: "iq", [key]: body}, so
  // the body may be any JSON value the key takes, not only an object.
  [
    "iq/stats with a JSON array body",
    `/rest/iq/stats/example.com`,
    JSON_TYPE,
    JSON.stringify([{ name: "users/online" }]),
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="example.com" type="get"><query xmlns="http://jabber.org/protocol/stats"><stat name="users/online"/></query></iq>`,
  ],
  [
    "iq/items with a JSON string body (the node)",
    `/rest/iq/items/example.com`,
    JSON_TYPE,
    JSON.stringify("http://jabber.org/protocol/commands"),
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="example.com" type="get"><query xmlns="${NS.discoItems}" node="http://jabber.org/protocol/commands"/></iq>`,
  ],
  [
    "iq/command with a JSON string body (the node)",
    `/rest/iq/command/example.com`,
    JSON_TYPE,
    JSON.stringify("uptime"),
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="example.com" type="set"><command xmlns="http://jabber.org/protocol/commands" node="uptime"/></iq>`,
  ],
  [
    "iq/disco with a JSON true body",
    `/rest/iq/disco/example.com`,
    JSON_TYPE,
    "true",
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="example.com" type="get"><query xmlns="${NS.discoInfo}"/></iq>`,
  ],
  [
    "iq/version with a JSON null body (an empty payload)",
    `/rest/iq/version/example.com`,
    JSON_TYPE,
    "null",
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="example.com" type="get"><query xmlns="${NS.version}"/></iq>`,
  ],
  [
    "iq/version with a form payload body",
    `/rest/iq/version/example.com`,
    FORM,
    "",
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="example.com" type="get"><query xmlns="${NS.version}"/></iq>`,
  ],
  [
    "iq/get with a JSON stanza body",
    `/rest/iq/get/example.com`,
    JSON_TYPE,
    JSON.stringify({ ping: true, to: "other.example" }),
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="example.com" type="get"><ping xmlns="urn:xmpp:ping"/></iq>`,
  ],
  [
    "iq/set with an XML body",
    `/rest/iq/set/example.com`,
    XML,
    `<iq type='get' id='q'><query xmlns='jabber:iq:register'/></iq>`,
    `<iq xmlns="${C}" from="${FROM}" id="q" to="example.com" type="set"><query xmlns="jabber:iq:register"/></iq>`,
  ],
];

for (const [name, path, type, body, want] of iqPathCases) {
  Deno.test(`POST with ${name} sends the iq and answers 200`, async () => {
    const { port, handler } = setup();
    port.answerIq = (iq) => resultFor(iq);
    const res = await handler(post(path, body === "" ? null : body, type));
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(canon(port.sent[0]), want);
  });
}

/** [name, request, status, condition] */
const pathErrors: [string, () => Request, number, string][] = [
  [
    "text/plain to an iq path",
    () => post(`/rest/iq/get/example.com`, "x", TEXT),
    400,
    "not-well-formed",
  ],
  [
    "a JSON array to a kind/type path",
    () => post(`/rest/message/chat/${TO}`, "[1]", JSON_TYPE),
    400,
    "not-well-formed",
  ],
  [
    "a JSON string to iq/get (not a payload path)",
    () => post(`/rest/iq/get/example.com`, '"x"', JSON_TYPE),
    400,
    "not-well-formed",
  ],
  [
    "JSON false as an iq payload",
    () => post(`/rest/iq/disco/example.com`, "false", JSON_TYPE),
    400,
    "not-well-formed",
  ],
  [
    "a form without = on a path (mod_rest's curl trap)",
    () => post(`/rest/message/chat/${TO}`, "Hello", FORM),
    400,
    "not-well-formed",
  ],
  [
    "an empty to segment",
    () => post(`/rest/message/chat/`, "x", TEXT),
    422,
    "improper-addressing",
  ],
  [
    "an invalid to",
    () => post(`/rest/message/chat/a@@b`, "x", TEXT),
    422,
    "improper-addressing",
  ],
  // mod_rest: an unknown payload key maps to nothing, so the iq has no child.
  [
    "an iq payload the mapping does not know",
    () => post(`/rest/iq/nonsense/example.com`, null, null),
    422,
    "bad-format",
  ],
  // mod_rest: a kind starting with m/p/i that is not a kind is "unknown-kind", a 400.
  [
    "an unknown kind",
    () => post(`/rest/mail/chat/${TO}`, "x", TEXT),
    400,
    "not-well-formed",
  ],
  // mod_rest: any other path below /rest/ fails to parse, a 400.
  [
    "a path that is not kind/type/to",
    () => post(`/rest/xyz/chat/${TO}`, "x", TEXT),
    400,
    "not-well-formed",
  ],
];

for (const [name, make, status, condition] of pathErrors) {
  Deno.test(`POST with ${name} is ${status}`, async () => {
    const { port, handler } = setup();
    const req = make();
    req.headers.set("Accept", JSON_TYPE);
    const res = await handler(req);
    assert.equal(res.status, status);
    assert.equal((await jsonError(res)).condition, condition);
    assert.equal(port.sent.length, 0);
  });
}

// --- GET shortcuts -------------------------------------------------------------

/** [path with query, canonical iq sent] */
const getCases: [string, string][] = [
  [
    "/rest/ping/example.com",
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="example.com" type="get"><ping xmlns="urn:xmpp:ping"/></iq>`,
  ],
  [
    "/rest/version/example.com",
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="example.com" type="get"><query xmlns="${NS.version}"/></iq>`,
  ],
  [
    "/rest/disco/example.com?node=n1",
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="example.com" type="get"><query xmlns="${NS.discoInfo}" node="n1"/></iq>`,
  ],
  [
    "/rest/items/example.com",
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="example.com" type="get"><query xmlns="${NS.discoItems}"/></iq>`,
  ],
  [
    "/rest/extdisco/example.com?type=turn",
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="example.com" type="get"><services xmlns="urn:xmpp:extdisco:2" type="turn"/></iq>`,
  ],
  [
    "/rest/lastactivity/user@example.com",
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="user@example.com" type="get"><query xmlns="jabber:iq:last"/></iq>`,
  ],
  [
    "/rest/stats/example.com",
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="example.com" type="get"><query xmlns="http://jabber.org/protocol/stats"/></iq>`,
  ],
  [
    "/rest/upload_request/upload.example.com?filename=a.txt&size=12&content-type=text%2Fplain",
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="upload.example.com" type="get"><request xmlns="urn:xmpp:http:upload:0" content-type="text/plain" filename="a.txt" size="12"/></iq>`,
  ],
];

for (const [path, want] of getCases) {
  Deno.test(`GET ${path} sends the iq and returns the reply`, async () => {
    const { port, handler } = setup();
    port.answerIq = (iq) => resultFor(iq);
    const res = await handler(request("GET", path, { accept: JSON_TYPE }));
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(canon(port.sent[0]), want);
    const json = await res.json();
    assert.equal(json.kind, "iq");
    assert.equal(json.type, "result");
    assert.equal(json.from, port.sent[0].attr("to"));
  });
}

Deno.test("GET /rest/archive/… implies set and gets a queryid", async () => {
  const { port, handler } = setup();
  port.answerIq = (iq) => resultFor(iq);
  const res = await handler(
    request(
      "GET",
      "/rest/archive/user@example.com?with=bob@example.com&max=10",
    ),
  );
  assert.equal(res.status, 200);
  const iq = port.sent[0];
  assert.equal(iq.attr("type"), "set");
  const query = iq.getChild("query", NS.mam);
  assert.ok(query);
  assert.equal(query.attr("queryid"), "id2");
  assert.match(canon(query), /<max>10<\/max>/);
  assert.match(canon(query), /bob@example.com/);
});

Deno.test("GET without Accept answers XML", async () => {
  const { port, handler } = setup();
  port.answerIq = (iq) => resultFor(iq);
  const res = await handler(request("GET", "/rest/ping/example.com"));
  assert.equal(res.headers.get("Content-Type"), XML);
  assert.equal(
    await res.text(),
    `<iq type="result" id="id1" from="example.com" to="${FROM}"/>`,
  );
});

const getErrors: [string, number, string][] = [
  ["/rest/version/example.com?foo", 400, "not-well-formed"],
  ["/rest/ping/", 422, "improper-addressing"],
  // As mod_rest: a GET path without a destination fails to parse (400); an
  // unknown query key maps to an iq without payload (422).
  ["/rest/version", 400, "not-well-formed"],
  ["/rest/", 400, "not-well-formed"],
  ["/rest/nonsense/example.com", 422, "bad-format"],
  ["/rest/echo/example.com", 422, "bad-format"],
  ["/rest", 404, "item-not-found"],
  ["/", 404, "item-not-found"],
];
for (const [path, status, condition] of getErrors) {
  Deno.test(`GET ${path} is ${status} ${condition}`, async () => {
    const { port, handler } = setup();
    const res = await handler(request("GET", path, { accept: JSON_TYPE }));
    assert.equal(res.status, status);
    assert.equal(res.headers.get("Content-Type"), JSON_TYPE);
    assert.equal((await jsonError(res)).condition, condition);
    assert.equal(port.sent.length, 0);
  });
}

for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS"]) {
  Deno.test(`${method} /rest is 404 with an XML error body, not HTML`, async () => {
    const { handler } = setup();
    const res = await handler(request(method, "/rest"));
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("Content-Type"), XML);
    assert.match(
      await res.text(),
      /^<error xmlns="http:\/\/etherx.jabber.org\/streams">/,
    );
  });
}

Deno.test("an unknown route is 404 without authentication", async () => {
  const { handler } = setup();
  const res = await handler(request("GET", "/nowhere", { auth: null }));
  assert.equal(res.status, 404);
});

// --- echo ------------------------------------------------------------------------

Deno.test("POST /rest/echo returns the normalised stanza as JSON and sends nothing", async () => {
  const { port, handler } = setup();
  const res = await handler(
    postJson(
      { kind: "message", to: "User@Example.com", body: "Hi", foo: 1 },
      {},
      "/rest/echo",
    ),
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("Content-Type"), JSON_TYPE);
  assert.deepEqual(await res.json(), {
    kind: "message",
    to: TO,
    from: FROM,
    id: "id1",
    body: "Hi",
  });
  assert.equal(port.sent.length, 0);
});

Deno.test("POST /rest/echo with XML returns XML without xmlns, attributes rebuilt", async () => {
  const { port, handler } = setup();
  const res = await handler(
    post(
      "/rest/echo",
      `<iq type='get' to='example.com' junk='1'><ping xmlns='urn:xmpp:ping'/></iq>`,
      XML,
    ),
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("Content-Type"), XML);
  assert.equal(
    await res.text(),
    `<iq to="example.com" from="${FROM}" id="id1" type="get"><ping xmlns="urn:xmpp:ping"/></iq>`,
  );
  assert.equal(port.sent.length, 0);
});

Deno.test("POST /rest/echo answers form-urlencoded when asked", async () => {
  const { handler } = setup();
  const res = await handler(
    postJson({ kind: "message", to: TO, body: "Hi there", id: "e" }, {
      accept: FORM,
    }, "/rest/echo"),
  );
  assert.equal(res.headers.get("Content-Type"), FORM);
  const form = new URLSearchParams(await res.text());
  assert.equal(form.get("body"), "Hi there");
  assert.equal(form.get("to"), TO);
  assert.equal(form.get("kind"), "message");
});

Deno.test("POST /rest/echo validates like sending (422 for a bad iq)", async () => {
  const { handler } = setup();
  const res = await handler(
    post("/rest/echo", `<iq type='result' to='example.com'/>`, XML, {
      accept: JSON_TYPE,
    }),
  );
  assert.equal(res.status, 422);
  assert.equal((await jsonError(res)).condition, "invalid-xml");
});

Deno.test("POST /rest/echo works while the stream is down", async () => {
  const { port, handler } = setup();
  port.online = false;
  const res = await handler(postJson({ to: TO, body: "x" }, {}, "/rest/echo"));
  assert.equal(res.status, 200);
});

Deno.test("POST /rest/echo without a body is 415", async () => {
  const { handler } = setup();
  assert.equal((await handler(post("/rest/echo", null, null))).status, 415);
});

Deno.test("echo shows the queryid that will be sent with an archive query", async () => {
  const { handler } = setup();
  const res = await handler(
    postJson({ kind: "iq", to: TO, archive: { with: "bob@example.com" } }, {
      accept: XML,
    }, "/rest/echo"),
  );
  assert.match(
    await res.text(),
    /<query xmlns="urn:xmpp:mam:2" queryid="id2">/,
  );
});

for (const key of IQ_QUERY_KEYS) {
  Deno.test(`GET /rest/${key}/example.com without parameters sends one iq`, async () => {
    const { port, handler } = setup();
    port.answerIq = (iq) => resultFor(iq);
    const res = await handler(request("GET", `/rest/${key}/example.com`));
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(port.sent.length, 1);
    assert.equal(port.sent[0].elements().length, 1);
  });
}

Deno.test("GET /rest/blocklist/… sends an empty blocklist query (Lua {} is also [])", async () => {
  const { port, handler } = setup();
  port.answerIq = (iq) => resultFor(iq);
  await handler(request("GET", "/rest/blocklist/user@example.com"));
  assert.equal(
    canon(port.sent[0]),
    `<iq xmlns="${C}" from="${FROM}" id="id1" to="user@example.com" type="get"><blocklist xmlns="urn:xmpp:blocking"/></iq>`,
  );
});

Deno.test("GET /rest/upload_request/{to} with filename, size and content-type sends size as a number and maps the slot reply as upload_slot", async () => {
  const { port, handler } = setup();
  port.answerIq = (iq) =>
    resultFor(
      iq,
      el(
        "slot",
        "urn:xmpp:http:upload:0",
        {},
        el(
          "put",
          "urn:xmpp:http:upload:0",
          { url: "https://up.example.com/a.txt" },
          el(
            "header",
            "urn:xmpp:http:upload:0",
            { name: "Authorization" },
            "Basic x",
          ),
        ),
        el("get", "urn:xmpp:http:upload:0", {
          url: "https://dl.example.com/a.txt",
        }),
      ),
    );
  const res = await handler(
    request(
      "GET",
      "/rest/upload_request/upload.example.com?filename=a.txt&size=12&content-type=text%2Fplain",
      { accept: JSON_TYPE },
    ),
  );
  assert.equal(res.status, 200);
  assert.equal(port.sent[0].elements()[0]?.attr("size"), "12");
  const json = await res.json();
  assert.deepEqual(json.upload_slot, {
    put: {
      url: "https://up.example.com/a.txt",
      headers: [{ name: "Authorization", value: "Basic x" }],
    },
    get: { url: "https://dl.example.com/a.txt" },
  });
});

Deno.test("GET /rest/upload_request/{to} with a size that is not a number is a 422 naming it", async () => {
  const { port, handler } = setup();
  const res = await handler(
    request(
      "GET",
      "/rest/upload_request/upload.example.com?filename=a&size=big",
      {
        accept: JSON_TYPE,
      },
    ),
  );
  assert.equal(res.status, 422);
  assert.match((await res.json()).error.text, /upload_request\/size/);
  assert.equal(port.sent.length, 0);
});
