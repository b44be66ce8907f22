// mod_rest HTTP surface (README "Routes") as a route table, and its matcher.

import { RequestSlot } from "./request_slot.ts";
import { HttpError } from "./errors.ts";

/** The stanza kinds a path may name. */
export const PATH_KINDS = ["message", "presence", "iq"] as const;

/**
 * Iq payload keys of the JSON mapping that can be named in a path
 * (`GET /rest/{query}/{to}`, `POST /rest/iq/{query}/{to}`). Response-only
 * keys (`result`, `upload_slot`) are left out.
 */
export const IQ_QUERY_KEYS = [
  "ping",
  "version",
  "disco",
  "items",
  "command",
  "archive",
  "stats",
  "lastactivity",
  "oob",
  "gateway",
  "register",
  "extdisco",
  "upload_request",
  "block",
  "blocklist",
  "payload",
  "dataform",
  "rsm",
] as const;

/** An iq payload key usable in a path. */
export type IqQueryKey = typeof IQ_QUERY_KEYS[number];

/** How a path parameter is constrained. */
export interface ParamSpec {
  /** Allowed values. */
  readonly enum?: readonly string[];
  /** Regular expression the (decoded) value must match. */
  readonly pattern?: string;
  /** True for the last parameter: it takes the rest of the path, slashes included, and may be empty. */
  readonly rest?: boolean;
  /** What the parameter means (for the API description). */
  readonly description: string;
}

/** What a route does. */
export type RouteId = "send" | "echo" | "send_path" | "query";

/** One route: method, path template (`{name}` parameters), handler id, parameters. */
export interface RouteSpec {
  /** Which handler serves it. */
  readonly id: RouteId;
  /** HTTP method. */
  readonly method: "GET" | "POST";
  /** Path template, OpenAPI style. */
  readonly path: string;
  /** One-line description. */
  readonly summary: string;
  /** Path parameters by name. */
  readonly params: Readonly<Record<string, ParamSpec>>;
}

const TO: ParamSpec = {
  rest: true,
  description: "Destination JID (the rest of the path; may contain '/')",
};

/**
 * Every route of the REST sending API, in match order.
 *
 * @example
 * ```ts
 * for (const r of ROUTES) console.log(r.method, r.path);
 * ```
 */
export const ROUTES: readonly RouteSpec[] = [
  {
    id: "send",
    method: "POST",
    path: "/rest",
    summary:
      "Send a stanza; iqs wait for their reply (also served as POST /rest/)",
    params: {},
  },
  {
    id: "send",
    method: "POST",
    path: "/rest/",
    summary: "Same as POST /rest",
    params: {},
  },
  {
    id: "echo",
    method: "POST",
    path: "/rest/echo",
    summary: "Return the stanza that would be sent, without sending it",
    params: {},
  },
  {
    id: "send_path",
    method: "POST",
    path: "/rest/{kind}/{type}/{to}",
    summary:
      "Send a stanza with kind, type and destination from the path; for iq, a type other than get/set names a payload key",
    params: {
      kind: {
        pattern: "^[mpi][A-Za-z0-9]+$",
        description:
          "Stanza kind: message, presence or iq (other words starting with m, p or i are a 400, as in mod_rest)",
      },
      type: {
        pattern: "^[A-Za-z0-9_]+$",
        description: "Stanza type, or for iq a payload key",
      },
      to: TO,
    },
  },
  {
    id: "query",
    method: "GET",
    path: "/rest/{query}/{to}",
    summary: "Send an iq query; URL query parameters become the payload",
    params: {
      query: {
        pattern: "^[A-Za-z0-9_]+$",
        description: `Iq payload key: ${
          IQ_QUERY_KEYS.join(", ")
        } (any key of the JSON mapping; an unknown one yields an iq without payload, a 422)`,
      },
      to: TO,
    },
  },
];

/** A matched route with its decoded path parameters. */
export interface RouteMatch {
  /** The route. */
  readonly route: RouteSpec;
  /** Decoded parameter values by name. */
  readonly params: Readonly<Record<string, string>>;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch (cause) {
    throw new HttpError("parse", { cause });
  }
}

const patterns = new Map<string, RegExp>();
function pattern(source: string): RegExp {
  let re = patterns.get(source);
  if (re === undefined) patterns.set(source, re = new RegExp(source));
  return re;
}

function accepts(spec: ParamSpec, value: string): boolean {
  if (spec.enum && !spec.enum.includes(value)) return false;
  if (spec.pattern && !pattern(spec.pattern).test(value)) return false;
  return spec.rest === true || value !== "";
}

function matchTemplate(
  template: string,
  specs: Readonly<Record<string, ParamSpec>>,
  pathname: string,
): Record<string, string> | undefined {
  const want = template.split("/");
  const have = pathname.split("/");
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i];
    const name = part.startsWith("{") ? part.slice(1, -1) : undefined;
    if (name === undefined) {
      if (have[i] !== part) return undefined;
      continue;
    }
    const spec = specs[name];
    if (spec.rest) {
      if (i >= have.length) return undefined;
      const value = decode(have.slice(i).join("/"));
      if (!accepts(spec, value)) return undefined;
      params[name] = value;
      return params;
    }
    if (i >= have.length) return undefined;
    const value = decode(have[i]);
    if (!accepts(spec, value)) return undefined;
    params[name] = value;
  }
  return have.length === want.length ? params : undefined;
}

/**
 * Finds the route for a method and path; undefined when there is none
 * (404). Throws {@linkcode HttpError} `parse` for a path whose
 * percent-encoding is broken.
 *
 * @example
 * ```ts
 * matchRoute("GET", "/rest/disco/example.com")?.params; // { query: "disco", to: "example.com" }
 * ```
 */
export function matchRoute(
  method: string,
  pathname: string,
  routes: readonly RouteSpec[] = ROUTES,
): RouteMatch | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const params = matchTemplate(route.path, route.params, pathname);
    if (params) return { route, params };
  }
  return undefined;
}

const requestMatches = new RequestSlot<
  { match?: RouteMatch; error?: unknown }
>("route");

/**
 * {@linkcode matchRoute} for a request's method and path, worked out once
 * per request: the request metrics and the REST handler both ask.
 *
 * @example
 * ```ts
 * const request = new Request("http://gw/rest", { method: "POST" });
 * matchRequest(request, "/rest")?.route.id; // "send"
 * ```
 */
export function matchRequest(
  request: Request,
  pathname: string,
): RouteMatch | undefined {
  let found = requestMatches.get(request);
  if (found === undefined) {
    try {
      found = { match: matchRoute(request.method, pathname) };
    } catch (error) {
      found = { error };
    }
    requestMatches.set(request, found);
  }
  if (found.error !== undefined) throw found.error;
  return found.match;
}
