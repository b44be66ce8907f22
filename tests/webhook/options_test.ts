import assert from "node:assert/strict";
import {
  resolveWebhookSettings,
  splitUserinfo,
  type WebhookOptions,
  WebhookOptionsError,
} from "../../src/webhook/options.ts";
import { renderUrl } from "../../src/webhook/template.ts";
import { FakePort } from "../support/fake_port.ts";

const port = new FakePort("rest.example.net");

function basic(credentials: string): string {
  return "Basic " +
    btoa(String.fromCharCode(...new TextEncoder().encode(credentials)));
}

Deno.test({
  name:
    "resolveWebhookSettings() applies the configuration contract's defaults",
  permissions: "none",
  fn() {
    const s = resolveWebhookSettings({
      callbackUrl: "http://api/hook",
      xmpp: port,
    });
    assert.equal(s.contentType, "application/xmpp+xml");
    assert.deepEqual(s.selection, {
      stanzas: ["message", "presence", "iq"],
      events: ["bare", "full", "host"],
    });
    assert.equal(s.timeoutSeconds, 30);
    assert.equal(s.maxConcurrent, 32);
    assert.equal(s.queueLimit, 1000);
    assert.equal(s.authorization, undefined);
    assert.equal(s.userAgent, "xmpp-rest/dev");
  },
});

Deno.test({
  name:
    "resolveWebhookSettings() accepts json as an alias and every body format",
  permissions: "none",
  fn() {
    const cases: [string, string][] = [
      ["json", "application/json"],
      ["JSON", "application/json"],
      ["application/json", "application/json"],
      ["application/xmpp+xml", "application/xmpp+xml"],
      [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded",
      ],
      ["text/plain", "text/plain"],
    ];
    for (const [input, expected] of cases) {
      const s = resolveWebhookSettings({
        callbackUrl: "http://api/",
        callbackContentType: input as WebhookOptions["callbackContentType"],
        xmpp: port,
      });
      assert.equal(s.contentType, expected, input);
    }
  },
});

Deno.test({
  name:
    "resolveWebhookSettings() turns userinfo into Basic and strips it from the URL",
  permissions: "none",
  fn() {
    const cases: [string, string, string][] = [
      [
        "http://bot:secret@api.example/{kind}",
        "http://api.example/iq",
        basic("bot:secret"),
      ],
      ["https://bot@api.example/", "https://api.example/", basic("bot:")],
      [
        "http://b%40t:p%3Ass@api.example:8080/x",
        "http://api.example:8080/x",
        basic("b@t:p:ss"),
      ],
      ["http://us:pä@api/", "http://api/", basic("us:pä")],
    ];
    for (const [url, rendered, authorization] of cases) {
      const s = resolveWebhookSettings({ callbackUrl: url, xmpp: port });
      assert.equal(renderUrl(s.template, { kind: "iq" }), rendered, url);
      assert.equal(s.authorization, authorization, url);
    }
  },
});

Deno.test({
  name:
    "splitUserinfo() leaves URLs without userinfo alone, even with @ in the path",
  permissions: "none",
  fn() {
    assert.deepEqual(splitUserinfo("http://api/{to}?a=b@c", []), {
      template: "http://api/{to}?a=b@c",
    });
  },
});

Deno.test({
  name: "resolveWebhookSettings() reports every problem, one line each",
  permissions: "none",
  fn() {
    let caught: WebhookOptionsError | undefined;
    try {
      resolveWebhookSettings({
        callbackUrl: "ftp://api/{user}",
        callbackContentType: "application/cbor" as "json",
        callbackStanzas: ["message", "mesage" as "message"],
        callbackEvents: ["domain" as "host"],
        callbackTimeout: 0,
        maxConcurrent: 1.5,
        queueLimit: -1,
        xmpp: port,
      });
    } catch (e) {
      if (e instanceof WebhookOptionsError) caught = e;
    }
    assert.ok(caught);
    const text = caught.problems.join("\n");
    for (
      const expected of [
        /rest_callback_url: .*unknown placeholder "\{user\}"/,
        /rest_callback_content_type: .*"application\/cbor"/,
        /rest_callback_stanzas: .*"mesage"/,
        /rest_callback_events: .*"domain"/,
        /rest_callback_timeout: expected a positive number, got 0/,
        /maxConcurrent: expected a positive integer, got 1.5/,
        /queueLimit: expected a non-negative integer, got -1/,
      ]
    ) assert.match(text, expected);
    assert.equal(caught.problems.length, 7);
  },
});

Deno.test({
  name: "resolveWebhookSettings() rejects URLs that are not http(s)",
  permissions: "none",
  fn() {
    for (const url of ["ftp://api/", "not a url", "", "mailto:a@b"]) {
      assert.throws(
        () => resolveWebhookSettings({ callbackUrl: url, xmpp: port }),
        /rest_callback_url: expected an http\(s\) URL/,
        url,
      );
    }
  },
});
