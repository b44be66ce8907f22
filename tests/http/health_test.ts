import assert from "node:assert/strict";
import {
  type HealthCheck,
  healthResponse,
  type Readiness,
  readinessBody,
} from "../../src/http/health.ts";

const online: Readiness = { online: true, state: "online" };
const req = (method = "GET", path = "/healthz") =>
  new Request(`http://gw.test${path}`, { method });

const cases: {
  name: string;
  check: HealthCheck;
  method?: string;
  readiness: Readiness | (() => never);
  retryAfter?: number;
  status: number;
  body: unknown;
  retry?: string;
}[] = [
  {
    name: "liveness passes while the stream is down",
    check: "liveness",
    readiness: { online: false, state: "closed" },
    status: 200,
    body: { status: "pass" },
  },
  {
    name: "readiness passes while online",
    check: "readiness",
    readiness: online,
    status: 200,
    body: { status: "pass" },
  },
  {
    name: "readiness of a standby instance names its role and id",
    check: "readiness",
    readiness: {
      online: true,
      state: "held-by-another-instance",
      role: "standby",
      instance: "gw-b",
    },
    status: 200,
    body: { status: "pass", role: "standby", serviceId: "gw-b" },
  },
  {
    name: "readiness of an instance without a holder fails with its role",
    check: "readiness",
    readiness: {
      online: false,
      state: "not-held",
      role: "standby",
      instance: "gw-b",
    },
    status: 503,
    body: {
      status: "fail",
      output: "XMPP component stream is not-held",
      role: "standby",
      serviceId: "gw-b",
    },
    retry: "5",
  },
  {
    name: "readiness does not echo an instance id that is not a plain name",
    check: "readiness",
    readiness: { ...online, role: "holder", instance: "<script>" },
    status: 200,
    body: { status: "pass", role: "holder" },
  },
  {
    name: "readiness fails while connecting, naming the state",
    check: "readiness",
    readiness: { online: false, state: "connecting" },
    status: 503,
    body: { status: "fail", output: "XMPP component stream is connecting" },
    retry: "5",
  },
  {
    name:
      "readiness fails while waiting to reconnect, with the configured Retry-After",
    check: "readiness",
    readiness: { online: false, state: "waiting-to-reconnect" },
    retryAfter: 12,
    status: 503,
    body: {
      status: "fail",
      output: "XMPP component stream is waiting-to-reconnect",
    },
    retry: "12",
  },
  {
    name: "readiness fails when online is false whatever the state says",
    check: "readiness",
    readiness: { online: false, state: "online" },
    status: 503,
    body: { status: "fail", output: "XMPP component stream is online" },
    retry: "5",
  },
  {
    name: "a state that is not a state name is not echoed",
    check: "readiness",
    readiness: { online: false, state: "xmpp.example.net:5347 secret=s3cret" },
    status: 503,
    body: { status: "fail", output: "XMPP component stream is unknown" },
    retry: "5",
  },
  {
    name: "a probe that throws counts as not ready",
    check: "readiness",
    readiness: () => {
      throw new Error("Cannot read state: secret s3cret");
    },
    status: 503,
    body: { status: "fail", output: "XMPP component stream is unknown" },
    retry: "5",
  },
];

for (const c of cases) {
  Deno.test({
    name: `healthResponse(): ${c.name}`,
    permissions: "none",
    async fn() {
      const probe = typeof c.readiness === "function"
        ? c.readiness
        : () => c.readiness as Readiness;
      const res = healthResponse(c.check, req(c.method), {
        readiness: probe,
        retryAfter: c.retryAfter,
      });
      assert.equal(res.status, c.status);
      assert.equal(res.headers.get("Content-Type"), "application/health+json");
      assert.equal(res.headers.get("Cache-Control"), "no-store");
      assert.equal(res.headers.get("Retry-After"), c.retry ?? null);
      const text = await res.text();
      assert.deepEqual(JSON.parse(text), c.body);
      assert.ok(!text.includes("s3cret") && !text.includes("5347"), text);
    },
  });
}

Deno.test({
  name:
    "healthResponse(): HEAD gives the GET status and headers without a body",
  permissions: "none",
  async fn() {
    for (
      const [readiness, status] of [
        [online, 200],
        [{ online: false, state: "closed" }, 503],
      ] as const
    ) {
      const res = healthResponse("readiness", req("HEAD", "/readyz"), {
        readiness: () => readiness,
      });
      assert.equal(res.status, status);
      assert.equal(res.headers.get("Content-Type"), "application/health+json");
      assert.equal(res.body, null);
      assert.equal(await res.text(), "");
    }
  },
});

for (const method of ["POST", "PUT", "DELETE", "OPTIONS"]) {
  Deno.test({
    name: `healthResponse(): ${method} is a 405 with Allow: GET, HEAD`,
    permissions: "none",
    fn() {
      for (const check of ["liveness", "readiness"] as const) {
        const res = healthResponse(check, req(method), {
          readiness: () => online,
        });
        assert.equal(res.status, 405);
        assert.equal(res.headers.get("Allow"), "GET, HEAD");
        assert.equal(res.body, null);
      }
    },
  });
}

Deno.test({
  name: "healthResponse(): liveness never asks the probe",
  permissions: "none",
  fn() {
    let calls = 0;
    const readiness = () => {
      calls++;
      return online;
    };
    healthResponse("liveness", req(), { readiness });
    assert.equal(calls, 0);
    healthResponse("readiness", req(), { readiness });
    assert.equal(calls, 1);
  },
});

Deno.test({
  name: "readinessBody(): follows the probe from one call to the next",
  permissions: "none",
  fn() {
    let state: Readiness = { online: false, state: "handshaking" };
    const probe = () => state;
    assert.equal(readinessBody(probe).status, "fail");
    state = online;
    assert.deepEqual(readinessBody(probe), { status: "pass" });
  },
});
