// OpenAPI path items of the REST routes (generated from ROUTES, README "Routes") and of the operational endpoints.

import { HEALTH_MEDIA_TYPE, HEALTH_PATHS } from "../health.ts";
import { METRICS_PATH } from "../metrics_route.ts";
import { EXPOSITION_CONTENT_TYPE } from "../../metrics/exposition.ts";
import { MEDIA_TYPES } from "../../wire/mod.ts";
import type { ParamSpec, RouteId, RouteSpec } from "../routes.ts";
import { IQ_QUERY_KEYS, PATH_KINDS, ROUTES } from "../routes.ts";
import { QUERY_SHORTCUTS } from "./queries.ts";
import {
  ERROR_RESPONSE_NAMES,
  type ErrorStatus,
  routeStatuses,
} from "./responses.ts";
import { type OpenApiObject, ref } from "./types.ts";
import { eventPaths } from "./events.ts";

/** Where the API description is served. */
export const OPENAPI_PATH = "/rest/openapi.json";

/** The methods the operational endpoints answer. */
export const OPERATIONAL_METHODS = ["GET", "HEAD"] as const;

/** Paths served outside the REST handler (no REST credentials; `/metrics` may need its own). */
export const OPERATIONAL_PATHS = [
  HEALTH_PATHS.liveness,
  HEALTH_PATHS.readiness,
  OPENAPI_PATH,
  METRICS_PATH,
] as const;

const OPERATION_IDS: Record<RouteId, string> = {
  send: "sendStanza",
  echo: "echoStanza",
  send_path: "sendStanzaByPath",
  query: "queryIq",
};

/** Typical values of the route parameters (documentation only). */
const PARAM_EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  kind: PATH_KINDS,
  type: ["chat", "groupchat", "normal", "available", "get", "set", "disco"],
  query: IQ_QUERY_KEYS,
  to: ["user@example.org", "room@muc.example.org/Nick"],
};

function camel(key: string): string {
  return key.replace(/(^|_)([a-z])/g, (_, _sep, c: string) => c.toUpperCase());
}

function pathParameter(name: string, spec: ParamSpec): OpenApiObject {
  const schema: Record<string, unknown> = { type: "string" };
  if (spec.pattern) schema.pattern = spec.pattern;
  if (spec.enum) schema.enum = spec.enum;
  if (PARAM_EXAMPLES[name]) schema.examples = PARAM_EXAMPLES[name];
  const note = spec.rest
    ? " Percent-encode `/` as `%2F` (the raw rest of the path works too). Empty means none (a 422)."
    : "";
  return {
    name,
    in: "path",
    required: true,
    description: spec.description + "." + note,
    schema,
  };
}

const stanzaContent = (examples: Record<string, string>): OpenApiObject => {
  const json: Record<string, unknown> = {};
  const xml: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(examples)) {
    json[key] = ref(name, "examples");
    xml[key] = ref(`${name}Xml`, "examples");
  }
  return {
    [MEDIA_TYPES.xml]: {
      schema: {
        type: "string",
        description: "One stanza without `xmlns`, or several inside `<xmpp>`",
      },
      examples: xml,
    },
    [MEDIA_TYPES.json]: {
      schema: { anyOf: [ref("Stanza"), ref("StanzaContainer")] },
      examples: json,
    },
    [MEDIA_TYPES.form]: {
      schema: ref("FormStanza"),
      examples: { ping: ref("PingResultForm", "examples") },
    },
  };
};

const REPLY = {
  description:
    "The reply to the iq (`result` or `error` alike), in the format chosen by `Accept` (default: the request's own; XML for text and body-less requests)",
  content: stanzaContent({
    ping: "PingResult",
    disco: "DiscoInfoResult",
    command: "CommandResult",
    error: "ErrorReply",
    archive: "ArchiveContainer",
  }),
};

const SUCCESS: Record<RouteId, OpenApiObject> = {
  send: REPLY,
  send_path: REPLY,
  query: REPLY,
  echo: {
    description: "The normalised stanza that would be sent (nothing is sent)",
    content: stanzaContent({ chat: "ChatMessageEcho" }),
  },
};

const ACCEPTED = {
  description:
    "A message or presence was handed to the XMPP server (empty body; bounces arrive later, through the webhook or the event log), or an iq result/error answered an open inbound iq",
};

function responses(id: RouteId): OpenApiObject {
  const out: Record<string, unknown> = {};
  for (const status of routeStatuses(id)) {
    if (status === 200) out["200"] = SUCCESS[id];
    else if (status === 202) out["202"] = ACCEPTED;
    else {
      out[String(status)] = ref(
        ERROR_RESPONSE_NAMES[status as ErrorStatus],
        "responses",
      );
    }
  }
  return out;
}

const TIMEOUT = ref("RestTimeout", "parameters");
const REQUEST_ID = ref("RequestId", "parameters");

function restOperation(route: RouteSpec, operationId: string): OpenApiObject {
  const parameters: unknown[] = Object.entries(route.params).map((
    [name, spec],
  ) => pathParameter(name, spec));
  if (route.id !== "echo") parameters.push(TIMEOUT);
  parameters.push(REQUEST_ID);
  if (route.id === "send" || route.id === "send_path") {
    parameters.push(ref("IdempotencyKey", "parameters"));
  }
  const op: Record<string, unknown> = {
    operationId,
    tags: [route.id === "query" ? "queries" : "stanzas"],
    summary: route.summary,
    parameters,
    responses: responses(route.id),
  };
  if (route.id === "send" || route.id === "echo") {
    op.requestBody = ref("Stanza", "requestBodies");
  } else if (route.id === "send_path") {
    op.requestBody = ref("PathStanza", "requestBodies");
  } else {
    parameters.push(ref("QueryPayload", "parameters"));
  }
  return op;
}

function shortcutPaths(route: RouteSpec): Record<string, OpenApiObject> {
  const out: Record<string, OpenApiObject> = {};
  for (const [key, shortcut] of Object.entries(QUERY_SHORTCUTS)) {
    const params = Object.entries(
      shortcut.params as Record<string, {
        description: string;
        example: string | number;
        schema?: unknown;
      }>,
    ).map(([name, p]) => ({
      name,
      in: "query",
      required: false,
      description: p.description,
      schema: p.schema ?? { type: "string" },
      example: p.example,
    }));
    out[`/rest/${key}/{to}`] = {
      get: {
        operationId: `query${camel(key)}`,
        tags: ["queries"],
        summary: `${shortcut.summary}: \`GET /rest/${key}/{to}\``,
        parameters: [
          pathParameter("to", route.params.to),
          ...params,
          TIMEOUT,
          REQUEST_ID,
        ],
        responses: responses("query"),
      },
    };
  }
  return out;
}

function operational(
  operationId: string,
  summary: string,
  get: OpenApiObject,
  security: OpenApiObject[] = [],
): OpenApiObject {
  const head: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(get)) {
    const { content: _body, ...rest } = response as Record<string, unknown>;
    head[status] = { ...rest };
  }
  const base = { tags: ["operations"], security };
  return {
    get: { ...base, operationId, summary, responses: get },
    head: {
      ...base,
      operationId: `${operationId}Head`,
      summary: `${summary} (headers only)`,
      responses: head,
    },
  };
}

const noStore = { "Cache-Control": ref("Cache-Control-NoStore", "headers") };
const health = (example: Record<string, unknown>): OpenApiObject => ({
  [HEALTH_MEDIA_TYPE]: { schema: ref("Health"), example },
});

/** Every path item of the document, by path template. */
export function paths(): Record<string, OpenApiObject> {
  const out: Record<string, Record<string, unknown>> = {};
  let query: RouteSpec | undefined;
  for (const route of ROUTES) {
    // `POST /rest/` is `POST /rest` spelled with a trailing slash: one
    // operation, whose summary names both (a path ending in "/" is one
    // OpenAPI tools treat as the same path or flag).
    if (route.path.endsWith("/")) continue;
    const item = out[route.path] ??= {};
    item[route.method.toLowerCase()] = restOperation(
      route,
      OPERATION_IDS[route.id],
    );
    if (route.id === "query") query = route;
  }
  if (query) Object.assign(out, shortcutPaths(query));
  Object.assign(out, eventPaths());
  out[HEALTH_PATHS.liveness] = operational(
    "liveness",
    "Liveness: the process runs",
    {
      "200": {
        description: "Alive",
        headers: noStore,
        content: health({ status: "pass" }),
      },
    },
  );
  out[HEALTH_PATHS.readiness] = operational(
    "readiness",
    "Readiness: the XMPP component stream is online",
    {
      "200": {
        description: "Ready: stanzas can be sent",
        headers: noStore,
        content: health({ status: "pass" }),
      },
      "503": {
        description: "Not ready; the output names the stream's state",
        headers: { ...noStore, "Retry-After": ref("Retry-After", "headers") },
        content: health({
          status: "fail",
          output: "XMPP component stream is waiting-to-reconnect",
        }),
      },
    },
  );
  out[OPENAPI_PATH] = operational("openapi", "This API description", {
    "200": {
      description: "The OpenAPI 3.1 document",
      headers: {
        "Cache-Control": ref("Cache-Control-Public", "headers"),
      },
      content: {
        "application/json": {
          schema: { type: "object", description: "An OpenAPI 3.1 document" },
        },
      },
    },
  });
  out[METRICS_PATH] = operational(
    "metrics",
    "Metrics in the Prometheus text exposition format 0.0.4",
    {
      "200": {
        description:
          'Every metric family (README "Metrics"): HTTP requests and latency by route, iq round trips, stream state, webhook attempts, queue and process gauges',
        headers: noStore,
        content: {
          [EXPOSITION_CONTENT_TYPE]: {
            schema: { type: "string" },
            example:
              '# HELP xmpp_rest_http_requests_total HTTP requests answered, by route and status code.\n# TYPE xmpp_rest_http_requests_total counter\nxmpp_rest_http_requests_total{route="send",code="202"} 3\n',
          },
        },
      },
      "401": {
        description:
          "`metrics_credential` is set and the request has no `Authorization`",
        headers: {
          "WWW-Authenticate": ref("WWW-Authenticate", "headers"),
        },
      },
      "403": {
        description:
          "`Authorization` is not the `metrics_credential` (REST credentials are not accepted here)",
      },
    },
    [{}, { metrics: [] }],
  );
  return out;
}
