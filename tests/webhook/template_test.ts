import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import {
  parseUrlTemplate,
  percentEncode,
  probeUrlValues,
  renderUrl,
  stanzaUrlValues,
  UrlTemplateError,
} from "../../src/webhook/template.ts";

const render = (template: string, values: Record<string, string | undefined>) =>
  renderUrl(parseUrlTemplate(template), values);

Deno.test({
  name:
    "renderUrl() fills {kind} {type} {to} {from} with percent-encoded values",
  permissions: "none",
  fn() {
    const cases: [string, Record<string, string | undefined>, string][] = [
      [
        "http://api/{kind}/{type}",
        { kind: "message", type: "chat" },
        "http://api/message/chat",
      ],
      [
        "http://api/{to}",
        { to: "bot@rest.example.net" },
        "http://api/bot%40rest.example.net",
      ],
      [
        "http://api/{from}",
        { from: "a@b/phone 1" },
        "http://api/a%40b%2fphone%201",
      ],
      [
        "http://api/x?to={to}&f={from}",
        { to: "a", from: "b" },
        "http://api/x?to=a&f=b",
      ],
      ["http://api/{kind}{kind}", { kind: "iq" }, "http://api/iqiq"],
      ["http://api/static", { kind: "iq" }, "http://api/static"],
    ];
    for (const [template, values, expected] of cases) {
      assert.equal(render(template, values), expected, template);
    }
  },
});

Deno.test({
  name:
    "renderUrl() renders a missing value as the empty string (README: Differences from mod_rest)",
  permissions: "none",
  fn() {
    assert.equal(
      render("http://api/{kind}/{type}/x", { kind: "message" }),
      "http://api/message//x",
    );
    const stanza = el("message", "jabber:client", { to: "bot@gw" });
    assert.equal(
      renderUrl(
        parseUrlTemplate("http://api/{kind}/{type}/{from}"),
        stanzaUrlValues(stanza),
      ),
      "http://api/message//",
    );
  },
});

Deno.test({
  name:
    "percentEncode() keeps only A-Z a-z 0-9 . ~ _ - and writes lower-case hex of UTF-8 bytes",
  permissions: "none",
  fn() {
    const cases: [string, string][] = [
      ["AZaz09.~_-", "AZaz09.~_-"],
      ["/", "%2f"],
      ["@", "%40"],
      [" +&=?#%", "%20%2b%26%3d%3f%23%25"],
      ["é", "%c3%a9"],
      ["\u{1F600}", "%f0%9f%98%80"],
      ["{}", "%7b%7d"],
    ];
    for (const [input, expected] of cases) {
      assert.equal(percentEncode(input), expected, input);
    }
  },
});

Deno.test({
  name: "parseUrlTemplate() rejects unknown placeholders and stray braces",
  permissions: "none",
  fn() {
    for (
      const bad of [
        "http://api/{user}",
        "http://api/{kind",
        "http://api/kind}",
        "http://api/{}",
      ]
    ) {
      assert.throws(() => parseUrlTemplate(bad), UrlTemplateError, bad);
    }
    assert.throws(
      () => parseUrlTemplate("http://api/{user}"),
      /unknown placeholder "\{user\}"/,
    );
  },
});

Deno.test({
  name: "stanzaUrlValues() and probeUrlValues() give kind, type, to and from",
  permissions: "none",
  fn() {
    const iq = el("iq", "jabber:client", {
      type: "get",
      to: "bot@gw",
      from: "a@b/c",
      id: "1",
    });
    assert.deepEqual(stanzaUrlValues(iq), {
      kind: "iq",
      type: "get",
      to: "bot@gw",
      from: "a@b/c",
    });
    assert.deepEqual(probeUrlValues("gw"), {
      kind: "meta",
      type: "info",
      to: "gw",
      from: "gw",
    });
  },
});
