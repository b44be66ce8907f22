import assert from "node:assert/strict";
import {
  requestStartOf,
  setRequestStart,
} from "../../src/http/request_start.ts";

Deno.test({
  name: "a request's start is kept on the request, undefined until set",
  permissions: "none",
  fn() {
    const request = new Request("http://gw/rest");
    assert.equal(requestStartOf(request), undefined);
    setRequestStart(request, 12.5);
    assert.equal(requestStartOf(request), 12.5);
    assert.equal(requestStartOf(new Request("http://gw/rest")), undefined);
  },
});
