// urlOf() gives what the WHATWG URL parser gives, whether it takes a plain path as it is or parses.

import assert from "node:assert/strict";
import { urlOf } from "../../src/http/request_url.ts";

Deno.test({
  name: "urlOf() agrees with new URL() on pathname, search and searchParams",
  permissions: "none",
  fn() {
    const urls = [
      "http://gw/rest",
      "http://127.0.0.1:5380/rest/ping/example.org",
      "http://gw/rest/message/chat/alice@example.org",
      "http://gw/",
      "http://gw",
      "http://[::1]:5380/rest",
      "https://gw/rest/version/a.example",
      "http://gw/rest/../metrics",
      "http://gw/rest/./x",
      "http://gw/rest/%2e%2e/x",
      "http://gw/rest/%41",
      "http://gw/.well-known/x",
      "http://gw/rest?x=1&y=a%20b",
      "http://gw/rest?",
      "http://gw/rest#frag",
      "http://gw/a\\b",
      "http://gw/rest/é",
      "http://gw/rest//double",
      "http://gw/rest/a;b,c=d+e$f&g'h(i)*j!k~l_m-n:o@p",
    ];
    for (const href of urls) {
      const got = urlOf(new Request(href));
      const want = new URL(href);
      assert.equal(got.pathname, want.pathname, href);
      assert.equal(got.search, want.search, href);
      assert.deepEqual([...got.searchParams], [...want.searchParams], href);
    }
  },
});

Deno.test({
  name: "urlOf() parses a request's URL once",
  permissions: "none",
  fn() {
    const request = new Request("http://gw/rest?a=1");
    assert.equal(urlOf(request), urlOf(request));
  },
});
