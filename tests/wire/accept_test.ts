import assert from "node:assert/strict";
import {
  firstListedFormat,
  negotiate,
  negotiateError,
  parseAccept,
} from "../../src/wire/accept.ts";
import type {
  RequestFormat,
  StanzaFormat as OutputFormat,
} from "../../src/wire/media.ts";

const XML = "application/xmpp+xml";
const JSON_T = "application/json";
const FORM = "application/x-www-form-urlencoded";

const cases: [string, string | null, RequestFormat, OutputFormat][] = [
  ["no Accept mirrors a JSON request", null, "json", "json"],
  ["no Accept mirrors an XML request", null, "xml", "xml"],
  ["no Accept mirrors a form request", null, "form", "form"],
  ["no Accept with text/plain gives XML", null, "text", "xml"],
  ["no Accept without a body gives XML", null, "none", "xml"],
  ["empty Accept mirrors the request", "", "json", "json"],
  ["*/* alone mirrors a JSON request", "*/*", "json", "json"],
  ["*/* alone with text/plain gives XML", "*/*", "text", "xml"],
  ["application/* mirrors a form request", "application/*", "form", "form"],
  ["application/* with text gives XML", "application/*", "text", "xml"],
  ["exact JSON wins over request XML", JSON_T, "xml", "json"],
  ["exact form", FORM, "json", "form"],
  ["higher q wins over order", `${JSON_T};q=0.5, ${XML}`, "json", "xml"],
  ["first listed wins among equal q", `${JSON_T}, ${XML}`, "xml", "json"],
  [
    "first listed wins among equal q (reversed)",
    `${XML}, ${JSON_T}`,
    "json",
    "xml",
  ],
  ["q=0 excludes the request's format", `${JSON_T};q=0, */*`, "json", "xml"],
  [
    "q=0 on XML excludes it under a wildcard",
    `${XML};q=0, application/*;q=0.5`,
    "text",
    "json",
  ],
  [
    "specific range beats wildcard weight",
    `*/*;q=0.9, ${JSON_T};q=0.1`,
    "json",
    "xml",
  ],
  [
    "wildcard weight applies to unlisted",
    `${JSON_T};q=0.1, */*;q=0.8`,
    "json",
    "xml",
  ],
  ["media type case-insensitive", "Application/JSON", "xml", "json"],
  [
    "parameters other than q ignored",
    `${JSON_T}; charset=utf-8`,
    "xml",
    "json",
  ],
  ["nothing acceptable falls back to request", "text/html", "json", "json"],
  [
    "nothing acceptable with text falls back to XML",
    "text/html",
    "text",
    "xml",
  ],
  ["all q=0 falls back", `${XML};q=0, ${JSON_T};q=0`, "form", "form"],
  ["text/html first, JSON later", `text/html, ${JSON_T};q=0.9`, "xml", "json"],
  ["malformed entries skipped", `garbage, ${FORM}`, "json", "form"],
  [
    "invalid q value entry skipped",
    `${JSON_T};q=2, ${FORM};q=0.3`,
    "xml",
    "form",
  ],
];

for (const [name, accept, request, want] of cases) {
  Deno.test({
    name: `negotiate(): ${name}`,
    permissions: "none",
    fn() {
      assert.deepEqual(negotiate(accept, request), want);
    },
  });
}

Deno.test({
  name: "parseAccept() reads types, q-values and positions",
  permissions: "none",
  fn() {
    assert.deepEqual(parseAccept("text/html;level=1;q=0.3 , */*;q=0, bad"), [
      { type: "text", subtype: "html", q: 0.3, index: 0 },
      { type: "*", subtype: "*", q: 0, index: 1 },
    ]);
  },
});

Deno.test({
  name: "parseAccept() rejects */json",
  permissions: "none",
  fn() {
    assert.deepEqual(parseAccept("*/json"), []);
  },
});

const errorCases: [string, string | null, RequestFormat, "xml" | "json"][] = [
  ["no Accept, JSON request", null, "json", "json"],
  ["no Accept, form request", null, "form", "xml"],
  ["no Accept, text request", null, "text", "xml"],
  ["no Accept, no body", null, "none", "xml"],
  ["*/* with a form request", "*/*", "form", "xml"],
  [
    "form asked for: not an error format",
    "application/x-www-form-urlencoded",
    "form",
    "xml",
  ],
  [
    "form asked for, JSON request",
    "application/x-www-form-urlencoded",
    "json",
    "json",
  ],
  ["JSON asked for", "application/json", "form", "json"],
  [
    "q-values",
    "application/xmpp+xml;q=0.4, application/json;q=0.8",
    "xml",
    "json",
  ],
  ["HTML only", "text/html", "json", "json"],
];

for (const [name, accept, request, want] of errorCases) {
  Deno.test({
    name: `negotiateError(): ${name}`,
    permissions: "none",
    fn() {
      assert.equal(negotiateError(accept, request), want);
    },
  });
}

const listedCases: [string, string | null, string | undefined][] = [
  ["no header", null, undefined],
  [
    "first listed wins over weights",
    "text/html, application/json;q=0.9, application/xmpp+xml",
    "json",
  ],
  [
    "q=0 refuses",
    "application/json;q=0, application/x-www-form-urlencoded",
    "form",
  ],
  ["wildcards are skipped", "text/html, */*", undefined],
  [
    "text/plain is not a stanza format",
    "text/plain, application/xmpp+xml",
    "xml",
  ],
  ["case-insensitive", "Application/XMPP+XML", "xml"],
];

for (const [name, accept, want] of listedCases) {
  Deno.test({
    name: `firstListedFormat(): ${name}`,
    permissions: "none",
    fn() {
      assert.equal(firstListedFormat(accept), want);
    },
  });
}

Deno.test({
  name:
    "negotiate() and negotiateError() answer the same from memory: the fallback stays per request format",
  permissions: "none",
  fn() {
    const cases: [
      string | null,
      RequestFormat,
      OutputFormat,
      "xml" | "json",
    ][] = [
      ["text/html", "json", "json", "json"],
      ["text/html", "xml", "xml", "xml"],
      ["text/html", "form", "form", "xml"],
      ["text/html", "none", "xml", "xml"],
      ["application/json", "xml", "json", "json"],
      ["application/*", "form", "form", "xml"],
      [null, "json", "json", "json"],
    ];
    for (let round = 1; round <= 2; round++) {
      for (const [accept, format, stanza, error] of cases) {
        const name = `${accept} / ${format}, round ${round}`;
        assert.equal(negotiate(accept, format), stanza, name);
        assert.equal(negotiateError(accept, format), error, name);
      }
    }
    // Many distinct values stay correct (the memo is bounded, not wrong).
    for (let i = 0; i < 300; i++) {
      assert.equal(
        negotiate(`application/x-${i}, application/json`, "xml"),
        "json",
      );
    }
  },
});
