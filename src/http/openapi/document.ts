// The OpenAPI 3.1 document of xmpp-rest (https://spec.openapis.org/oas/v3.1.0): info, components and paths assembled.

import { jsonToContainer, jsonToStanza } from "../../jsonmap/mod.ts";
import { encodeForm } from "../../jsonmap/urlencoded.ts";
import { serialize } from "../../xml/serialize.ts";
import { NS } from "../../xmpp/namespaces.ts";
import { REQUEST_ID_HEADER } from "../request_id.ts";
import { VERSION } from "../../version.ts";
import { authChallenge } from "../auth.ts";
import { MEDIA_TYPES } from "../../wire/mod.ts";
import { TIMEOUT_HEADER } from "../rest_handler.ts";
import {
  ECHO_EXAMPLES,
  FORM_EXAMPLES,
  PAYLOAD_EXAMPLES,
  REPLY_EXAMPLES,
  REQUEST_EXAMPLES,
  type StanzaExample,
} from "./examples.ts";
import { INFO_DESCRIPTION } from "./info.ts";
import { paths } from "./paths.ts";
import { webhookOpsPaths } from "./webhook_ops.ts";
import { EVENT_SCHEMAS, IDEMPOTENCY_PARAMETER } from "./events.ts";
import { errorResponses } from "./responses.ts";
import { SCHEMAS } from "./schemas_stanza.ts";
import { type OpenApiDocument, type OpenApiObject, ref } from "./types.ts";

function stanzaXml(value: StanzaExample["value"]): string {
  const element = "xmpp" in value
    ? jsonToContainer(value)
    : jsonToStanza(value);
  return serialize(element, { parentNs: NS.client });
}

function examples(): Record<string, OpenApiObject> {
  const out: Record<string, OpenApiObject> = {};
  const stanzas = {
    ...REQUEST_EXAMPLES,
    ...REPLY_EXAMPLES,
    ...ECHO_EXAMPLES,
  } as Record<string, StanzaExample>;
  for (const [name, { summary, value }] of Object.entries(stanzas)) {
    out[name] = { summary, value };
    out[`${name}Xml`] = { summary, value: stanzaXml(value) };
  }
  const others = { ...FORM_EXAMPLES, ...PAYLOAD_EXAMPLES } as Record<
    string,
    StanzaExample
  >;
  for (const [name, { summary, value }] of Object.entries(others)) {
    out[name] = { summary, value };
  }
  out.PingResultForm = {
    summary: "The ping result as form fields",
    value: Object.fromEntries(
      new URLSearchParams(encodeForm(REPLY_EXAMPLES.PingResult.value)),
    ),
  };
  out.ChatMessageText = {
    summary: "A message body",
    value: "Hello!",
  };
  return out;
}

function refs(names: readonly string[], suffix = ""): OpenApiObject {
  return Object.fromEntries(
    names.map((name) => [name, ref(name + suffix, "examples")]),
  );
}

const REQUEST_NAMES = Object.keys(REQUEST_EXAMPLES);

function requestBody(withPath: boolean): OpenApiObject {
  const json = withPath
    ? {
      schema: {
        anyOf: [ref("Stanza"), {
          type: "object",
          description:
            "For `POST /rest/iq/{payload}/{to}`: the payload object alone",
        }],
      },
      examples: {
        ...refs(REQUEST_NAMES),
        ...refs(Object.keys(PAYLOAD_EXAMPLES)),
      },
    }
    : { schema: ref("Stanza"), examples: refs(REQUEST_NAMES) };
  return {
    description: withPath
      ? "The stanza (kind, type and `to` from the path win over the body's, for every format), the iq payload when the path's type names one, or no body at all (no `Content-Type`): the stanza is then built from the path alone."
      : "The stanza to send, in one of four formats chosen by `Content-Type` (parameters ignored; anything else is a 415).",
    required: !withPath,
    content: {
      [MEDIA_TYPES.xml]: {
        schema: {
          type: "string",
          description:
            "One stanza, no XML declaration; top-level `xmlns` absent or `jabber:client`",
        },
        examples: refs(REQUEST_NAMES, "Xml"),
      },
      [MEDIA_TYPES.json]: json,
      [MEDIA_TYPES.form]: {
        schema: ref("FormStanza"),
        examples: refs(Object.keys(FORM_EXAMPLES)),
      },
      [MEDIA_TYPES.text]: {
        schema: {
          type: "string",
          description: withPath
            ? "The message `<body>`, or the presence `<status>`; a 400 for iq"
            : "The body of a chat message without `to`: always a 422 here, use the path route",
        },
        examples: { text: ref("ChatMessageText", "examples") },
      },
    },
  };
}

const HEADERS = {
  "WWW-Authenticate": {
    description: "The challenge: Bearer and Basic, realm `<domain>/rest`",
    schema: { type: "string" },
    example: authChallenge("rest.example.net"),
  },
  "Retry-After": {
    description: "Seconds to wait before retrying",
    schema: { type: "integer", minimum: 0 },
    example: 5,
  },
  "Cache-Control-NoStore": {
    description: "`no-store`: health answers are never cached",
    schema: { type: "string", const: "no-store" },
  },
  "Cache-Control-Public": {
    description: "`public, max-age=300`",
    schema: { type: "string", const: "public, max-age=300" },
  },
};

const PARAMETERS = {
  IdempotencyKey: IDEMPOTENCY_PARAMETER,
  RequestId: {
    name: REQUEST_ID_HEADER,
    in: "header",
    required: false,
    description:
      "The request's id (1 to 128 visible ASCII characters, no quotes), kept in the response's `X-Request-Id` and in every log line the request causes; without one (or with one that does not fit) the gateway makes a UUID. Every response of every route carries `X-Request-Id`.",
    schema: {
      type: "string",
      pattern: "^[\\x21\\x23-\\x26\\x28-\\x7e]{1,128}$",
    },
    example: "order-1234",
  },
  RestTimeout: {
    name: TIMEOUT_HEADER,
    in: "header",
    required: false,
    description:
      "Seconds to wait for an iq's reply (default `rest_iq_timeout`, 120; capped at `rest_iq_max_timeout`, 300; 0 or less times out at once). Ignored for message and presence.",
    schema: { type: "number" },
    example: 30,
  },
  QueryPayload: {
    name: "payload",
    in: "query",
    required: false,
    style: "form",
    explode: true,
    description:
      'Every URL query parameter becomes a string member of the payload object (`?node=x` -> `{"node":"x"}`); numbers are coerced where the mapping expects them. A query string without `=` is a 400.',
    schema: { type: "object", additionalProperties: { type: "string" } },
  },
};

const SECURITY_SCHEMES = {
  bearer: {
    type: "http",
    scheme: "bearer",
    description:
      "`Authorization` equal to one of the configured `rest_credentials` values, e.g. `Bearer my-api-token` (scheme case-insensitive, compared in constant time).",
  },
  basic: {
    type: "http",
    scheme: "basic",
    description:
      "User name: the component domain; password: the component secret (`<domain>:<secret>`). Refused (401) when `rest_basic_auth` is false.",
  },
  metrics: {
    type: "http",
    scheme: "bearer",
    description:
      "`GET /metrics` only: the `Authorization` value configured as `metrics_credential` (its own; the REST credentials are not accepted). Without one, `/metrics` is open.",
  },
};

/**
 * Builds the OpenAPI 3.1 document describing every route, parameter, body
 * format, status, header, security scheme and the stanza JSON mapping.
 * Pure; the result is plain JSON.
 *
 * @example
 * ```ts
 * buildOpenApiDocument().paths["/rest"]; // { post: {...} }
 * ```
 */
export function buildOpenApiDocument(): OpenApiDocument {
  return {
    openapi: "3.1.0",
    info: {
      title: "xmpp-rest",
      version: VERSION,
      summary:
        "A RESTful XMPP gateway (XEP-0114 component), compatible with Prosody's mod_rest",
      description: INFO_DESCRIPTION,
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: "/", description: "Wherever this document is served" }],
    security: [{ bearer: [] }, { basic: [] }],
    tags: [
      {
        name: "stanzas",
        description: "Send stanzas; iqs wait for their reply",
      },
      { name: "queries", description: "Iq queries as GET requests" },
      {
        name: "events",
        description:
          "Receiving without a webhook: pull and server-sent events over the event log",
      },
      {
        name: "operations",
        description:
          "Health, this document and metrics; no REST credentials (metrics may have its own)",
      },
      {
        name: "webhook",
        description:
          'Webhook status, dead letters, redelivery and resume (README "Webhook operations")',
      },
    ],
    paths: { ...paths(), ...webhookOpsPaths() },
    components: {
      schemas: { ...SCHEMAS, ...EVENT_SCHEMAS },
      responses: errorResponses(),
      parameters: PARAMETERS,
      headers: HEADERS,
      requestBodies: {
        Stanza: requestBody(false),
        PathStanza: requestBody(true),
      },
      examples: examples(),
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}

/** The media type of the served document. */
export const OPENAPI_MEDIA_TYPE = "application/json";
