import assert from "node:assert/strict";
import {
  authChallenge,
  authenticate,
  timingSafeEqual,
} from "../../src/http/auth.ts";
import { HttpError } from "../../src/http/errors.ts";

const DOMAIN = "rest.example.net";
const OPTIONS = {
  domain: DOMAIN,
  secret: "s3cret",
  credentials: ["Bearer dmVyeSBzZWNyZXQgdG9rZW4K", "Token abc"],
};
const basic = (s: string) => "Basic " + btoa(s);

const accepted: [string, string][] = [
  ["a configured Bearer value", "Bearer dmVyeSBzZWNyZXQgdG9rZW4K"],
  [
    "a configured value, scheme in other case",
    "bearer dmVyeSBzZWNyZXQgdG9rZW4K",
  ],
  ["a configured value of a custom scheme", "TOKEN abc"],
  ["Basic domain:secret", basic(`${DOMAIN}:s3cret`)],
  ["Basic with the scheme upper-case", "BASIC " + btoa(`${DOMAIN}:s3cret`)],
  ["Basic with the domain in other case", basic(`REST.example.net:s3cret`)],
];
for (const [name, header] of accepted) {
  Deno.test({
    name: `authenticate() accepts ${name}`,
    permissions: "none",
    fn() {
      authenticate(header, OPTIONS);
    },
  });
}

const refused: [string, string | null, number, string][] = [
  ["no header", null, 401, "No credentials provided"],
  ["an empty header", "", 401, "No credentials provided"],
  ["an unsupported scheme", "Digest abc", 401, "No credentials provided"],
  ["a wrong Bearer token", "Bearer nope", 403, "Credentials not accepted"],
  [
    "a Bearer token that is a prefix",
    "Bearer dmVyeSBz",
    403,
    "Credentials not accepted",
  ],
  ["a scheme without credentials", "Bearer", 403, "Credentials malformed"],
  ["Basic that is not base64", "Basic ***", 403, "Credentials malformed"],
  ["Basic without a colon", basic("nocolon"), 403, "Credentials malformed"],
  [
    "Basic with a wrong secret",
    basic(`${DOMAIN}:wrong`),
    403,
    "Credentials not accepted",
  ],
  [
    "Basic with another user",
    basic(`other.example:s3cret`),
    403,
    "Credentials not accepted",
  ],
  [
    "Basic with a user at the domain",
    basic(`u@${DOMAIN}:s3cret`),
    403,
    "Credentials not accepted",
  ],
];
for (const [name, header, status, text] of refused) {
  Deno.test({
    name: `authenticate() refuses ${name} with ${status}`,
    permissions: "none",
    fn() {
      assert.throws(() => authenticate(header, OPTIONS), (e) => {
        assert.ok(e instanceof HttpError);
        assert.equal(e.status, status);
        assert.equal(e.text, text);
        assert.equal(e.condition, "not-authorized");
        assert.equal(
          e.headers["WWW-Authenticate"],
          status === 401 ? authChallenge(DOMAIN) : undefined,
        );
        return true;
      });
    },
  });
}

Deno.test({
  name: "authenticate() refuses Basic domain: when no secret is configured",
  permissions: "none",
  fn() {
    assert.throws(
      () => authenticate(basic(`${DOMAIN}:`), { domain: DOMAIN }),
      (e) => e instanceof HttpError && e.status === 403,
    );
  },
});

Deno.test({
  name: "authChallenge() lists Bearer and Basic realms <domain>/rest",
  permissions: "none",
  fn() {
    assert.equal(
      authChallenge(DOMAIN),
      'Bearer realm="rest.example.net/rest", Basic realm="rest.example.net/rest"',
    );
  },
});

Deno.test({
  name: "timingSafeEqual() compares content and length",
  permissions: "none",
  fn() {
    assert.equal(timingSafeEqual("abc", "abc"), true);
    assert.equal(timingSafeEqual("abc", "abd"), false);
    assert.equal(timingSafeEqual("abc", "abcd"), false);
    assert.equal(timingSafeEqual("", ""), true);
    assert.equal(timingSafeEqual("é", "e"), false);
  },
});
