import assert from "node:assert/strict";
import {
  openApiDocument,
  openApiResponse,
  OPERATIONAL_METHODS,
  OPERATIONAL_PATHS,
} from "../../src/http/openapi/mod.ts";
import { ERROR_RESPONSE_NAMES } from "../../src/http/openapi/responses.ts";
import { REQUEST_ERRORS } from "../../src/http/errors.ts";
import { IQ_QUERY_KEYS, matchRoute, ROUTES } from "../../src/http/routes.ts";
import { resolveRef, walk } from "./openapi_schema.ts";
import { WEBHOOK_OPS_PATHS } from "../../src/http/webhook_ops.ts";
import { EVENT_PATHS } from "../../src/http/events.ts";

const doc = openApiDocument();
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch"];

type Operation = Record<string, unknown> & {
  responses: Record<string, unknown>;
  parameters?: unknown[];
};

/** Every operation of the document as "METHOD path". */
function operations(): Map<string, Operation> {
  const out = new Map<string, Operation>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = (item as Record<string, unknown>)[method];
      if (op) out.set(`${method.toUpperCase()} ${path}`, op as Operation);
    }
  }
  return out;
}

function deref<T>(node: unknown): T {
  let current = node as Record<string, unknown>;
  while (typeof current?.$ref === "string") {
    current = resolveRef(doc, current.$ref) as Record<string, unknown>;
  }
  return current as T;
}

/** Route keys as documented: `POST /rest/` is the `POST /rest` operation. */
const REST_KEYS = new Set(
  ROUTES.map((r) => `${r.method} ${r.path.replace(/(.)\/$/, "$1")}`),
);
/** The webhook operations API (README "Webhook operations"). */
const WEBHOOK_OPS_KEYS = new Set([
  `GET ${WEBHOOK_OPS_PATHS.status}`,
  `GET ${WEBHOOK_OPS_PATHS.deadLetters}`,
  `POST ${WEBHOOK_OPS_PATHS.redeliver}`,
  `POST ${WEBHOOK_OPS_PATHS.resume}`,
]);
const EVENT_KEYS = new Set([
  ...Object.values(EVENT_PATHS).map((p) => `GET ${p}`),
  `DELETE ${EVENT_PATHS.updates}`,
]);
const OPERATIONAL_KEYS = new Set(
  OPERATIONAL_PATHS.flatMap((p) => OPERATIONAL_METHODS.map((m) => `${m} ${p}`)),
);

Deno.test({
  name:
    "openapi: the document is plain JSON with openapi 3.1.0 and a relative server",
  permissions: "none",
  fn() {
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
    assert.equal(doc.openapi, "3.1.0");
    assert.deepEqual(doc.servers.map((s) => s.url), ["/"]);
    assert.equal(typeof doc.info.version, "string");
  },
});

Deno.test({
  name: "openapi: every $ref resolves",
  permissions: "none",
  fn() {
    const refs: string[] = [];
    walk(doc, (node) => {
      if (typeof node.$ref === "string") refs.push(node.$ref);
    });
    assert.ok(refs.length > 100, `only ${refs.length} refs`);
    for (const ref of new Set(refs)) resolveRef(doc, ref);
  },
});

Deno.test({
  name: "openapi: every component is used somewhere",
  permissions: "none",
  fn() {
    const used = new Set<string>();
    walk(doc, (node) => {
      if (typeof node.$ref === "string") used.add(node.$ref);
    });
    const unused: string[] = [];
    for (const [section, entries] of Object.entries(doc.components)) {
      if (section === "securitySchemes") continue;
      for (const name of Object.keys(entries)) {
        if (!used.has(`#/components/${section}/${name}`)) {
          unused.push(`${section}/${name}`);
        }
      }
    }
    // NoRoute documents the 404 of paths that match no route.
    assert.deepEqual(unused.filter((u) => u !== "responses/NoRoute"), []);
  },
});

Deno.test({
  name: "openapi: every ROUTES entry and operational route is an operation",
  permissions: "none",
  fn() {
    const ops = operations();
    for (
      const key of [
        ...REST_KEYS,
        ...OPERATIONAL_KEYS,
        ...EVENT_KEYS,
        ...WEBHOOK_OPS_KEYS,
      ]
    ) {
      assert.ok(ops.has(key), `${key} missing from the document`);
    }
  },
});

Deno.test({
  name:
    "openapi: every operation is a ROUTES entry, an instance of one, or operational",
  permissions: "none",
  fn() {
    for (const key of operations().keys()) {
      if (
        REST_KEYS.has(key) || OPERATIONAL_KEYS.has(key) ||
        WEBHOOK_OPS_KEYS.has(key)
      ) continue;
      if (EVENT_KEYS.has(key)) continue;
      const [method, path] = key.split(" ");
      const sample = path.replace("{to}", "example.org");
      assert.ok(!sample.includes("{"), `${key}: unexpected template`);
      const match = matchRoute(method, sample);
      assert.ok(match, `${key} matches no route`);
      assert.equal(match.route.id, "query", key);
      assert.ok(
        (IQ_QUERY_KEYS as readonly string[]).includes(match.params.query),
        `${key}: ${match.params.query} is not an iq query key`,
      );
    }
  },
});

Deno.test({
  name: "openapi: path templates and path parameters agree",
  permissions: "none",
  fn() {
    for (const [key, op] of operations()) {
      const path = key.split(" ")[1];
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const params = (op.parameters ?? []).map((p) =>
        deref<{ name: string; in: string; required?: boolean }>(p)
      );
      const declared = params.filter((p) => p.in === "path");
      assert.deepEqual(declared.map((p) => p.name).sort(), inPath.sort(), key);
      for (const p of declared) assert.equal(p.required, true, key);
      const ids = params.map((p) => `${p.in}:${p.name}`);
      assert.equal(
        new Set(ids).size,
        ids.length,
        `${key}: duplicate parameter`,
      );
    }
  },
});

Deno.test({
  name: "openapi: operationIds are unique",
  permissions: "none",
  fn() {
    const ids = [...operations().values()].map((op) => op.operationId);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.every((id) => typeof id === "string"));
  },
});

const SUCCESS = [200, 202];
const ALL_STATUSES = new Set<number>([
  ...SUCCESS,
  ...Object.values(REQUEST_ERRORS).map((e) => e[0]),
]);

Deno.test({
  name:
    "openapi: the sending routes document every status the REST handler produces",
  permissions: "none",
  fn() {
    const documented = new Set<number>();
    for (const [key, op] of operations()) {
      if (OPERATIONAL_KEYS.has(key) || WEBHOOK_OPS_KEYS.has(key)) continue;
      // A consumer leaving answers 204 (tests/http/events_test.ts).
      if (key === `DELETE ${EVENT_PATHS.updates}`) continue;
      for (const status of Object.keys(op.responses).map(Number)) {
        assert.ok(
          ALL_STATUSES.has(status),
          `${key}: ${status} is not produced`,
        );
        documented.add(status);
      }
    }
    // 404 belongs to no route: it is the NoRoute response component.
    const notFound = deref<{ description: string }>(
      doc.components.responses.NoRoute,
    );
    assert.ok(notFound.description.includes("No route"));
    documented.add(404);
    assert.deepEqual([...documented].sort(), [...ALL_STATUSES].sort());
  },
});

Deno.test({
  name:
    "openapi: POST /rest documents 200, 202 and the errors, and /rest/ is the same operation, not a second path",
  permissions: "none",
  fn() {
    const ops = operations();
    const statuses = (key: string) => Object.keys(ops.get(key)!.responses);
    assert.ok(!ops.has("POST /rest/"));
    assert.ok(Object.keys(doc.paths).every((p) => !p.endsWith("/")));
    assert.match(ops.get("POST /rest")!.summary as string, /POST \/rest\//);
    for (const key of ["POST /rest", "POST /rest/{kind}/{type}/{to}"]) {
      for (
        const s of [
          "200",
          "202",
          "400",
          "401",
          "403",
          "413",
          "415",
          "422",
          "503",
          "504",
        ]
      ) {
        assert.ok(statuses(key).includes(s), `${key} lacks ${s}`);
      }
    }
    assert.ok(!statuses("GET /rest/{query}/{to}").includes("202"));
    assert.ok(!statuses("POST /rest/echo").includes("504"));
  },
});

Deno.test({
  name:
    "openapi: error responses carry every text of their status in JSON, XML and form",
  permissions: "none",
  fn() {
    for (const [status, name] of Object.entries(ERROR_RESPONSE_NAMES)) {
      const response = deref<{
        content: Record<
          string,
          { examples: Record<string, { value: unknown }> }
        >;
        headers?: Record<string, unknown>;
      }>(doc.components.responses[name]);
      const keys = Object.entries(REQUEST_ERRORS)
        .filter(([, e]) => e[0] === Number(status))
        .map(([k]) => k);
      for (const media of Object.keys(response.content)) {
        assert.deepEqual(
          Object.keys(response.content[media].examples).sort(),
          keys.sort(),
          `${name} ${media}`,
        );
      }
      for (const key of keys) {
        const [code, type, condition, text] =
          REQUEST_ERRORS[key as keyof typeof REQUEST_ERRORS];
        assert.deepEqual(
          response.content["application/json"].examples[key].value,
          { type: "error", code, error: { type, condition, text } },
        );
      }
      const headers = Object.keys(response.headers ?? {});
      const expected =
        ({ 401: ["WWW-Authenticate"], 503: ["Retry-After"] } as Record<
          string,
          string[]
        >)[status] ?? [];
      assert.deepEqual(headers, expected, name);
    }
  },
});

Deno.test({
  name:
    "openapi: security is Bearer or Basic, operational endpoints need none but /metrics may take its own",
  permissions: "none",
  fn() {
    assert.deepEqual(doc.security, [{ bearer: [] }, { basic: [] }]);
    const schemes = doc.components.securitySchemes as Record<
      string,
      { type: string; scheme: string }
    >;
    assert.deepEqual(
      Object.values(schemes).map((s) => `${s.type}:${s.scheme}`),
      ["http:bearer", "http:basic", "http:bearer"],
    );
    assert.deepEqual(Object.keys(schemes), ["bearer", "basic", "metrics"]);
    for (const [key, op] of operations()) {
      if (key.endsWith(" /metrics")) {
        assert.deepEqual(op.security, [{}, { metrics: [] }], key);
      } else if (OPERATIONAL_KEYS.has(key)) {
        assert.deepEqual(op.security, [], key);
      } else assert.equal(op.security, undefined, key);
    }
  },
});

Deno.test({
  name:
    "openapi: the sending routes name every body format and the timeout header",
  permissions: "none",
  fn() {
    for (
      const [key, bodyName] of [
        ["POST /rest", "Stanza"],
        ["POST /rest/echo", "Stanza"],
        ["POST /rest/{kind}/{type}/{to}", "PathStanza"],
      ]
    ) {
      const op = operations().get(key)!;
      assert.deepEqual(op.requestBody, {
        $ref: `#/components/requestBodies/${bodyName}`,
      });
      const body = deref<
        { required: boolean; content: Record<string, unknown> }
      >(op.requestBody);
      assert.deepEqual(Object.keys(body.content).sort(), [
        "application/json",
        "application/x-www-form-urlencoded",
        "application/xmpp+xml",
        "text/plain",
      ]);
      // No body at all is allowed on the path route only.
      assert.equal(body.required, bodyName === "Stanza", key);
    }
    const timeout = deref<{ name: string; in: string }>(
      doc.components.parameters.RestTimeout,
    );
    assert.deepEqual([timeout.in, timeout.name], [
      "header",
      "Prosody-Rest-Timeout",
    ]);
  },
});

Deno.test({
  name: "openapi: GET /rest/openapi.json serves the document, cacheable",
  permissions: "none",
  async fn() {
    const res = openApiResponse(
      new Request("http://gw.test/rest/openapi.json"),
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("Content-Type"), "application/json");
    assert.equal(res.headers.get("Cache-Control"), "public, max-age=300");
    assert.deepEqual(await res.json(), doc);
    const head = openApiResponse(
      new Request("http://gw.test/rest/openapi.json", { method: "HEAD" }),
    );
    assert.equal(head.body, null);
    assert.equal(head.headers.get("Content-Type"), "application/json");
  },
});

Deno.test({
  name:
    "openapi: every component is used (by $ref, or by name in a security requirement)",
  permissions: "none",
  fn() {
    const text = JSON.stringify(doc);
    const used = new Set<string>();
    walk(doc, (node) => {
      if (typeof node.$ref === "string") used.add(node.$ref);
    });
    const components = doc.components as unknown as Record<
      string,
      Record<string, unknown>
    >;
    for (const [kind, group] of Object.entries(components)) {
      for (const name of Object.keys(group)) {
        const isUsed = kind === "securitySchemes"
          ? text.includes(`{"${name}":[`)
          : used.has(`#/components/${kind}/${name}`);
        assert.ok(isUsed, `#/components/${kind}/${name} is never used`);
      }
    }
  },
});

Deno.test({
  name:
    "openapi: every sending and query operation takes X-Request-Id, and /metrics is described",
  permissions: "none",
  fn() {
    for (const [key, op] of operations()) {
      if (OPERATIONAL_KEYS.has(key) || !key.includes(" /rest")) continue;
      if (key.includes("/rest/updates") || key.includes("/rest/events")) {
        continue;
      }
      const names = (op.parameters ?? []).map((p) =>
        deref<{ name: string }>(p).name
      );
      assert.ok(names.includes("X-Request-Id"), key);
    }
    const metrics = operations().get("GET /metrics");
    assert.ok(metrics);
    assert.deepEqual(Object.keys(metrics.responses), ["200", "401", "403"]);
  },
});
