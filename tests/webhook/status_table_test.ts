import assert from "node:assert/strict";
import {
  HTTP_STATUS_ERRORS,
  reasonPhrase,
  statusError,
} from "../../src/webhook/status_table.ts";
import { STANZA_ERROR_CONDITIONS } from "../../src/xmpp/conditions.ts";

Deno.test({
  name:
    "statusError() follows README: Webhook HTTP status → stanza error with the reason phrase as text",
  permissions: "none",
  fn() {
    const cases: [number, string, string, string][] = [
      [400, "modify", "bad-request", "Bad Request"],
      [401, "auth", "not-authorized", "Unauthorized"],
      [402, "auth", "payment-required", "Payment Required"],
      [403, "auth", "forbidden", "Forbidden"],
      [404, "cancel", "item-not-found", "Not Found"],
      [405, "cancel", "not-allowed", "Method Not Allowed"],
      [408, "wait", "remote-server-timeout", "Request Timeout"],
      [409, "cancel", "conflict", "Conflict"],
      [413, "modify", "resource-constraint", "Payload Too Large"],
      [415, "cancel", "feature-not-implemented", "Unsupported Media Type"],
      [422, "modify", "bad-request", "Unprocessable Entity"],
      [429, "wait", "resource-constraint", "Too Many Requests"],
      [500, "wait", "internal-server-error", "Internal Server Error"],
      [501, "cancel", "feature-not-implemented", "Not Implemented"],
      [502, "wait", "remote-server-timeout", "Bad Gateway"],
      [503, "cancel", "service-unavailable", "Service Unavailable"],
      [504, "wait", "remote-server-timeout", "Gateway Timeout"],
      [511, "auth", "not-authorized", "Network Authentication Required"],
      [302, "cancel", "undefined-condition", "Found"],
      [418, "cancel", "undefined-condition", "I'm a teapot"],
      [505, "cancel", "undefined-condition", "HTTP Version Not Supported"],
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
    "reasonPhrase() prefers the table, then the server's text, then NNN Unassigned",
  permissions: "none",
  fn() {
    assert.equal(reasonPhrase(404, "Nope"), "Not Found");
    assert.equal(reasonPhrase(599, "Custom Thing"), "Custom Thing");
    assert.equal(reasonPhrase(599, ""), "599 Unassigned");
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
