import assert from "node:assert/strict";
import {
  errorResponse,
  HttpError,
  renderErrorBody,
  REQUEST_ERRORS,
  type RequestErrorKey,
  sendError,
} from "../../src/http/errors.ts";
import {
  IqConflictError,
  IqTimeoutError,
  QueueFullError,
  StanzaTooLargeError,
  StreamDownError,
} from "../../src/xmpp/port.ts";

// README "Errors reference", including the 409 and 504 of README "Differences from mod_rest".
const MOD_REST_TABLE: [RequestErrorKey, number, string, string, string][] = [
  ["noauthz", 401, "auth", "not-authorized", "No credentials provided"],
  ["unauthz", 403, "auth", "not-authorized", "Credentials not accepted"],
  ["malformauthz", 403, "auth", "not-authorized", "Credentials malformed"],
  ["parse", 400, "modify", "not-well-formed", "Failed to parse payload"],
  [
    "xmlns",
    422,
    "modify",
    "invalid-namespace",
    "'xmlns' attribute must be empty",
  ],
  [
    "name",
    422,
    "modify",
    "unsupported-stanza-type",
    "Invalid stanza, must be 'message', 'presence' or 'iq'.",
  ],
  ["to", 422, "modify", "improper-addressing", "Invalid destination JID"],
  ["from", 422, "modify", "invalid-from", "Invalid source JID"],
  [
    "from_auth",
    403,
    "auth",
    "not-authorized",
    "Not authorized to send stanza with requested 'from'",
  ],
  [
    "iq_type",
    422,
    "modify",
    "invalid-xml",
    "'iq' stanza must be of type 'get' or 'set'",
  ],
  [
    "iq_tags",
    422,
    "modify",
    "bad-format",
    "'iq' stanza must have exactly one child tag",
  ],
  ["mediatype", 415, "cancel", "bad-format", "Unsupported media type"],
  ["size", 413, "modify", "resource-constraint", "Payload too large"],
  ["timeout", 504, "wait", "remote-server-timeout", "IQ stanza timed out"],
  [
    "conflict",
    409,
    "cancel",
    "conflict",
    "IQ stanza id attribute already used",
  ],
  [
    "missing_to",
    422,
    "modify",
    "improper-addressing",
    "Missing destination JID",
  ],
];

for (const [key, status, type, condition, text] of MOD_REST_TABLE) {
  Deno.test({
    name: `REQUEST_ERRORS.${key} is ${status} ${type}/${condition}`,
    permissions: "none",
    fn() {
      assert.deepEqual([...REQUEST_ERRORS[key]], [
        status,
        type,
        condition,
        text,
      ]);
    },
  });
}

Deno.test({
  name: "renderErrorBody() writes mod_rest's JSON error shape",
  permissions: "none",
  fn() {
    assert.deepEqual(JSON.parse(renderErrorBody(new HttpError("to"), "json")), {
      type: "error",
      code: 422,
      error: {
        type: "modify",
        condition: "improper-addressing",
        text: "Invalid destination JID",
      },
    });
  },
});

Deno.test({
  name: "renderErrorBody() writes a stream-error-shaped XML element",
  permissions: "none",
  fn() {
    assert.equal(
      renderErrorBody(new HttpError("size"), "xml"),
      '<error xmlns="http://etherx.jabber.org/streams"><resource-constraint xmlns="urn:ietf:params:xml:ns:xmpp-streams"/><text xmlns="urn:ietf:params:xml:ns:xmpp-streams">Payload too large</text></error>',
    );
  },
});

Deno.test({
  name: "renderErrorBody() escapes the text in XML",
  permissions: "none",
  fn() {
    const body = renderErrorBody(
      new HttpError("mapping", { text: "a<b&c" }),
      "xml",
    );
    assert.match(body, /a&lt;b&amp;c/);
  },
});

Deno.test({
  name: "errorResponse() sets status, content type and extra headers",
  permissions: "none",
  async fn() {
    const res = errorResponse(
      new HttpError("stream_down", { headers: { "Retry-After": "5" } }),
      "json",
    );
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("Content-Type"), "application/json");
    assert.equal(res.headers.get("Retry-After"), "5");
    assert.equal((await res.json()).code, 503);
  },
});

Deno.test({
  name: "renderErrorBody() replaces characters XML cannot carry",
  permissions: "none",
  fn() {
    const body = renderErrorBody(
      new HttpError("mapping", { text: "bad \u0001 value \uD800" }),
      "xml",
    );
    assert.match(body, /bad \uFFFD value \uFFFD</);
  },
});

// README "Errors reference": what sending through a stanza port can fail with.
const SEND_ERRORS: [string, unknown, number | undefined, string | null][] = [
  ["an iq timeout", new IqTimeoutError("q1", 10), 504, null],
  ["an iq id in flight", new IqConflictError("q1"), 409, null],
  ["a stream down", new StreamDownError(), 503, "7"],
  ["a full queue", new QueueFullError(1024), 503, "7"],
  ["a stanza too large", new StanzaTooLargeError(300, 200), 413, null],
  ["an HttpError as it is", new HttpError("parse"), 400, null],
  ["anything else: none", new Error("boom"), undefined, null],
];

for (const [name, error, status, retryAfter] of SEND_ERRORS) {
  Deno.test(`sendError(): ${name}`, () => {
    const mapped = sendError(error, 7);
    assert.equal(mapped?.status, status);
    if (mapped) {
      assert.equal(
        errorResponse(mapped, "json").headers.get("Retry-After"),
        retryAfter,
      );
    }
  });
}
