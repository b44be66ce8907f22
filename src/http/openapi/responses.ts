// Which HTTP statuses each REST route answers with (README "Errors reference" with the deviations in README "Differences from mod_rest"), and their OpenAPI responses.

import {
  HttpError,
  renderErrorBody,
  REQUEST_ERRORS,
  type RequestErrorKey,
} from "../errors.ts";
import { MEDIA_TYPES } from "../../wire/mod.ts";
import type { RouteId } from "../routes.ts";
import { type OpenApiObject, ref } from "./types.ts";

/** An HTTP status of {@linkcode REQUEST_ERRORS}. */
export type ErrorStatus = typeof REQUEST_ERRORS[RequestErrorKey][0];

const ALL = ["send", "echo", "send_path", "query"] as const;
const BODY = ["send", "echo", "send_path"] as const;
const DELIVERY = ["send", "send_path", "query"] as const;

/**
 * The REST routes on which each request error can happen. `not_found`
 * happens on no route: it is the answer for a method and path that match
 * none (the document's `NoRoute` response).
 */
const ERROR_ROUTES = {
  parse: ALL,
  noauthz: ALL,
  unauthz: ALL,
  malformauthz: ALL,
  from_auth: BODY,
  scope: ALL,
  not_found: [],
  body_timeout: BODY,
  conflict: DELIVERY,
  size: BODY,
  mediatype: BODY,
  xmlns: BODY,
  name: ["send", "echo"],
  missing_to: ALL,
  to: ALL,
  jid_malformed: ALL,
  from: BODY,
  iq_type: BODY,
  iq_tags: ALL,
  mapping: ALL,
  internal: ALL,
  unmappable: ALL,
  stream_down: DELIVERY,
  queue_full: DELIVERY,
  timeout: DELIVERY,
  // Pull and SSE (their operations are written in openapi/events.ts).
  bad_query: [],
  store_down: ["send", "send_path"],
  // Idempotency-Key (IETF httpapi draft) on the sending routes.
  idempotency_key: ["send", "send_path"],
  idempotency_busy: ["send", "send_path"],
  idempotency_reuse: ["send", "send_path"],
  // An iq result/error POSTed for an inbound iq answered before.
  answered: ["send"],
} as const satisfies Record<RequestErrorKey, readonly RouteId[]>;

/** Component names of the error responses, by status. */
export const ERROR_RESPONSE_NAMES = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NoRoute",
  408: "RequestTimeout",
  409: "Conflict",
  413: "ContentTooLarge",
  415: "UnsupportedMediaType",
  422: "UnprocessableContent",
  500: "InternalServerError",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "GatewayTimeout",
} as const satisfies Record<ErrorStatus, string>;

/** Success statuses by route: 200 carries a stanza, 202 accepts a message or presence. */
const SUCCESS_STATUSES = {
  send: [200, 202],
  send_path: [200, 202],
  echo: [200],
  query: [200],
} as const satisfies Record<RouteId, readonly number[]>;

/** Every status a route answers with, ascending. */
export function routeStatuses(id: RouteId): number[] {
  const statuses = new Set<number>(SUCCESS_STATUSES[id]);
  for (const key of Object.keys(ERROR_ROUTES) as RequestErrorKey[]) {
    if ((ERROR_ROUTES[key] as readonly RouteId[]).includes(id)) {
      statuses.add(REQUEST_ERRORS[key][0]);
    }
  }
  return [...statuses].sort((a, b) => a - b);
}

const STATUS_NOTES: { readonly [status: number]: string } = {
  400:
    "The body, path or query string does not parse, the path names an unknown kind, a query parameter of pull/SSE is invalid, or the `Idempotency-Key` is malformed.",
  401:
    "No credentials, or an unsupported scheme (Basic too when `rest_basic_auth` is false). `WWW-Authenticate` lists the schemes accepted.",
  403:
    "Wrong or malformed credentials, a `from` outside the component domain, or a request outside the credential's scope (route group, stanza kind or `from`; the text says which).",
  404: "No route for this method and path.",
  408:
    "The body did not arrive within the body timeout; the connection is closed.",
  409:
    "An iq with the same id is already waiting for its reply; a request with this `Idempotency-Key` is still in progress; or the inbound iq this result/error answers was already answered.",
  413:
    "The body is larger than `rest_stanza_size_limit`; the rest of it is not read.",
  415: "A `Content-Type` the API does not take, or a body without one.",
  422:
    "Well-formed but invalid: namespace, element name, addresses, iq type or payload count, or a JSON value of the wrong shape (the text names its JSON path); or an `Idempotency-Key` used before for another request.",
  500: "An unexpected failure in the gateway.",
  502:
    "The reply cannot be represented in the negotiated format (XML always can).",
  503:
    "The XMPP component stream is not connected, its send queue is full, or the event store cannot be read or written. Retry after `Retry-After` seconds.",
  504:
    "No reply to the iq within the timeout (`Prosody-Rest-Timeout`, default `rest_iq_timeout`).",
};

const STATUS_HEADERS: { readonly [status: number]: OpenApiObject } = {
  401: { "WWW-Authenticate": ref("WWW-Authenticate", "headers") },
  503: { "Retry-After": ref("Retry-After", "headers") },
};

function examplesFor(
  status: number,
  format: "json" | "xml",
): OpenApiObject {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(REQUEST_ERRORS) as RequestErrorKey[]) {
    if (REQUEST_ERRORS[key][0] !== status) continue;
    const error = new HttpError(key);
    const body = renderErrorBody(error, format);
    out[key] = {
      summary: error.text,
      value: format === "json" ? JSON.parse(body) : body,
    };
  }
  return out;
}

/**
 * The OpenAPI response for an error status: the JSON and XML
 * (stream-error-shaped) bodies, with every text the status can
 * carry as an example, generated by the real error renderer.
 */
export function errorResponse(status: ErrorStatus): OpenApiObject {
  const response: Record<string, unknown> = {
    description: STATUS_NOTES[status],
    content: {
      [MEDIA_TYPES.json]: {
        schema: ref("ErrorResponse"),
        examples: examplesFor(status, "json"),
      },
      [MEDIA_TYPES.xml]: {
        schema: {
          type: "string",
          description:
            "`<error xmlns='http://etherx.jabber.org/streams'><CONDITION xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>TEXT</text></error>`",
        },
        examples: examplesFor(status, "xml"),
      },
    },
  };
  if (STATUS_HEADERS[status]) response.headers = STATUS_HEADERS[status];
  return response;
}

/** Every error response component, by name. */
export function errorResponses(): { [name: string]: OpenApiObject } {
  const out: { [name: string]: OpenApiObject } = {};
  for (const [status, name] of Object.entries(ERROR_RESPONSE_NAMES)) {
    out[name] = errorResponse(Number(status) as ErrorStatus);
  }
  return out;
}
