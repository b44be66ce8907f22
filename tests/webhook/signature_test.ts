import assert from "node:assert/strict";
import {
  secretKey,
  signWebhook,
  verifyWebhook,
  WebhookSecretError,
  WebhookVerificationError,
} from "../../src/webhook/signature.ts";

// The Standard Webhooks reference libraries' test vector.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

function request(headers: Record<string, string>, body = BODY): Request {
  return new Request("http://hook.example/", {
    method: "POST",
    headers,
    body,
  });
}

const SIGNED = {
  "webhook-id": ID,
  "webhook-timestamp": String(TIMESTAMP),
  "webhook-signature": SIGNATURE,
};
const AT = { now: TIMESTAMP * 1000 };

Deno.test({
  name: "signWebhook() matches the Standard Webhooks test vector",
  permissions: "none",
  fn() {
    assert.equal(
      signWebhook([secretKey(SECRET)], ID, TIMESTAMP, BODY),
      SIGNATURE,
    );
  },
});

Deno.test({
  name: "signWebhook() with two keys gives two space-separated signatures",
  permissions: "none",
  fn() {
    const other = "whsec_" + btoa("another-secret-of-24-bytes");
    const both = signWebhook(
      [secretKey(SECRET), secretKey(other)],
      ID,
      TIMESTAMP,
      BODY,
    );
    const [first, second] = both.split(" ");
    assert.equal(first, SIGNATURE);
    assert.match(second, /^v1,[A-Za-z0-9+/]{43}=$/);
    assert.notEqual(second, SIGNATURE);
  },
});

Deno.test({
  name: "secretKey() refuses secrets that are not whsec_ and base64",
  permissions: "none",
  fn() {
    for (
      const bad of [
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "whsec_***",
        "whsec_",
        "whsec_c2hvcnQ=",
      ]
    ) {
      assert.throws(() => secretKey(bad), WebhookSecretError, bad);
    }
  },
});

Deno.test({
  name:
    "verifyWebhook() accepts the vector (any of several secrets, any of several signatures) and returns the body",
  permissions: "none",
  async fn() {
    const rotated = "whsec_" + btoa("the-new-secret-0123456789");
    assert.equal(await verifyWebhook(request(SIGNED), [SECRET], AT), BODY);
    assert.equal(
      await verifyWebhook(request(SIGNED), [rotated, SECRET], AT),
      BODY,
    );
    const two = { ...SIGNED, "webhook-signature": `v1,AAAA ${SIGNATURE}` };
    assert.equal(await verifyWebhook(request(two), [SECRET], AT), BODY);
  },
});

Deno.test({
  name:
    "verifyWebhook() rejects a changed body, a wrong secret, missing headers and an old timestamp",
  permissions: "none",
  async fn() {
    const cases: [Request, readonly string[], { now: number }, RegExp][] = [
      [request(SIGNED, BODY + " "), [SECRET], AT, /no signature matches/],
      [
        request(SIGNED),
        ["whsec_" + btoa("not-the-right-secret-xx")],
        AT,
        /no signature matches/,
      ],
      [request({ "webhook-id": ID }), [SECRET], AT, /missing/],
      [
        request(SIGNED),
        [SECRET],
        { now: (TIMESTAMP + 301) * 1000 },
        /not within 300 s/,
      ],
      [
        request({ ...SIGNED, "webhook-timestamp": "1e9" }),
        [SECRET],
        AT,
        /not within/,
      ],
    ];
    for (const [req, secrets, options, pattern] of cases) {
      await assert.rejects(
        () => verifyWebhook(req, secrets, options),
        (error: unknown) =>
          error instanceof WebhookVerificationError &&
          pattern.test(error.message),
      );
    }
  },
});
