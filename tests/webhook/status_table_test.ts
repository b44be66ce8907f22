import assert from "node:assert/strict";
import {
  HTTP_STATUS_ERRORS,
  reasonPhrase,
  statusError,
  statusLineText,
} from "../../src/webhook/status_table.ts";
import { STANZA_ERROR_CONDITIONS } from "../../src/xmpp/conditions.ts";

Deno.test({
  name:
    "statusError() follows README: Webhook HTTP status → stanza error with the status line text (code and reason phrase) as text",
  permissions: "none",
  fn() {
    const cases: [number, string, string, string][] = [
      [400, "modify", "bad-request", "400 Bad Request"],
      [401, "auth", "not-authorized", "401 Unauthorized"],
      [402, "auth", "payment-required", "402 Payment Required"],
      [403, "auth", "forbidden", "403 Forbidden"],
      [404, "cancel", "item-not-found", "404 Not Found"],
      [405, "cancel", "not-allowed", "405 Method Not Allowed"],
      [408, "wait", "remote-server-timeout", "408 Request Timeout"],
      [409, "cancel", "conflict", "409 Conflict"],
      [413, "modify", "resource-constraint", "413 Payload Too Large"],
      [415, "cancel", "feature-not-implemented", "415 Unsupported Media Type"],
      [422, "modify", "bad-request", "422 Unprocessable Entity"],
      [429, "wait", "resource-constraint", "429 Too Many Requests"],
      [500, "wait", "internal-server-error", "500 Internal Server Error"],
      [501, "cancel", "feature-not-implemented", "501 Not Implemented"],
      [502, "wait", "remote-server-timeout", "502 Bad Gateway"],
      [503, "cancel", "service-unavailable", "503 Service Unavailable"],
      [504, "wait", "remote-server-timeout", "504 Gateway Timeout"],
      [511, "auth", "not-authorized", "511 Network Authentication Required"],
      [302, "cancel", "undefined-condition", "302 Found"],
      [418, "cancel", "undefined-condition", "418 I'm a teapot"],
      [505, "cancel", "undefined-condition", "505 HTTP Version Not Supported"],
      [599, "cancel", "undefined-condition", "599 Unassigned"],
    ];
    for (const [status, type, condition, text] of cases) {
      assert.deepEqual(
        statusError(status),
        { type, condition, text },
        String(status),
      );
    }
  },
});

Deno.test({
  name:
    "reasonPhrase() prefers the table, then the server's text, then Unassigned; statusLineText() puts the code first",
  permissions: "none",
  fn() {
    assert.equal(reasonPhrase(404, "Nope"), "Not Found");
    assert.equal(reasonPhrase(599, "Custom Thing"), "Custom Thing");
    assert.equal(reasonPhrase(599, ""), "Unassigned");
    assert.equal(statusLineText(404, "Nope"), "404 Not Found");
    assert.equal(statusLineText(599, "Custom Thing"), "599 Custom Thing");
    assert.equal(statusLineText(599), "599 Unassigned");
  },
});

Deno.test({
  name: "HTTP_STATUS_ERRORS uses only RFC 6120 conditions",
  permissions: "none",
  fn() {
    for (const [status, { condition }] of Object.entries(HTTP_STATUS_ERRORS)) {
      assert.ok(Object.hasOwn(STANZA_ERROR_CONDITIONS, condition), status);
    }
  },
});
