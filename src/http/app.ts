// The HTTP application: operational endpoints (health, API description, metrics) in front of the mod_rest REST handler; request ids and request metrics for all.

import { HEALTH_PATHS, healthResponse, type ReadinessProbe } from "./health.ts";
import { OPENAPI_PATH, openApiResponse } from "./openapi/mod.ts";
import { METRICS_PATH, metricsResponse } from "./metrics_route.ts";
import {
  newRequestId,
  REQUEST_ID_HEADER,
  requestIdFor,
  setRequestId,
} from "./request_id.ts";
import { urlOf } from "./request_url.ts";
import { setRequestStart } from "./request_start.ts";
import { appendHeader } from "./response_parts.ts";
import { matchRequest, matchRoute, type RouteMatch } from "./routes.ts";
import { EVENT_PATHS } from "./events.ts";
import type { GatewayMetrics } from "../metrics/gateway_metrics.ts";
import { type Logger, silentLogger } from "../logger.ts";

/** A fetch-style HTTP handler. */
export type HttpHandler = (request: Request) => Promise<Response>;

/** Options for {@linkcode createHttpApp}. */
export interface HttpAppOptions {
  /** The REST API (`createRestHandler(...)`): everything not listed below, 404s included. */
  rest: HttpHandler;
  /** Whether the XMPP component stream is online, for `/readyz`. */
  readiness: ReadinessProbe;
  /** Seconds in `Retry-After` while not ready. Default 5. */
  retryAfter?: number;
  /** The webhook operations API (`/webhook...`), if any. */
  webhookOps?: HttpHandler;
  /** Request counts and latencies, and what `/metrics` serves. Default: no metrics, no `/metrics`. */
  metrics?: GatewayMetrics;
  /** The `Authorization` value `/metrics` requires; undefined: none. */
  metricsCredential?: string | (() => string | undefined);
  /** Where operational problems are logged. Default: silent. */
  logger?: Logger;
  /** Makes request ids. Default: random UUIDs. */
  newRequestId?: () => string;
}

/**
 * The route label of a request for metrics: a REST route id, an
 * operational endpoint, or `other` (never the raw path, so the label set
 * stays small).
 */
export function routeLabel(
  method: string,
  pathname: string,
  match: () => RouteMatch | undefined = () => matchRoute(method, pathname),
): string {
  switch (pathname) {
    case HEALTH_PATHS.liveness:
      return "healthz";
    case HEALTH_PATHS.readiness:
      return "readyz";
    case OPENAPI_PATH:
      return "openapi";
    case METRICS_PATH:
      return "metrics";
    case EVENT_PATHS.updates:
      return "updates";
    case EVENT_PATHS.events:
      return "events";
  }
  if (pathname === "/webhook" || pathname.startsWith("/webhook/")) {
    return "webhook_ops";
  }
  try {
    return match()?.route.id ?? "other";
  } catch {
    return "other"; // a path that does not parse is still a request
  }
}

function withRequestId(response: Response, id: string): Response {
  // The id is valid (acceptable as sent, or generated): no check needed.
  if (appendHeader(response, REQUEST_ID_HEADER, id)) return response;
  try {
    response.headers.set(REQUEST_ID_HEADER, id);
    return response;
  } catch {
    // Immutable headers (Response.error / redirect): copy.
    const headers = new Headers(response.headers);
    headers.set(REQUEST_ID_HEADER, id);
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }
}

/**
 * Creates the whole HTTP application: `/healthz` and `/readyz` (any
 * method; GET and HEAD answer, others get a 405), `GET`/`HEAD
 * /rest/openapi.json`, `GET`/`HEAD /metrics` (when metrics are on), and
 * everything else passed to the REST handler, which authenticates and
 * renders its own errors (404 included). Every response carries the
 * request's `X-Request-Id` (the client's when acceptable, else a new
 * one), which handlers read with `requestIdOf(request)`.
 *
 * @example
 * ```ts
 * const app = createHttpApp({
 *   rest: createRestHandler({ xmpp: component, secret, credentials }),
 *   readiness: () => ({ online: component.online, state: component.state.name }),
 * });
 * Deno.serve(app);
 * ```
 */
export function createHttpApp(options: HttpAppOptions): HttpHandler {
  const health = {
    readiness: options.readiness,
    retryAfter: options.retryAfter,
  };
  const metrics = options.metrics;
  const logger = options.logger ?? silentLogger;
  const generate = options.newRequestId ?? newRequestId;
  const credential = typeof options.metricsCredential === "function"
    ? options.metricsCredential
    : () => options.metricsCredential as string | undefined;
  const dispatch = (request: Request, pathname: string): Promise<Response> => {
    switch (pathname) {
      case HEALTH_PATHS.liveness:
        return Promise.resolve(healthResponse("liveness", request, health));
      case HEALTH_PATHS.readiness:
        return Promise.resolve(healthResponse("readiness", request, health));
      case OPENAPI_PATH:
        if (request.method === "GET" || request.method === "HEAD") {
          return Promise.resolve(openApiResponse(request));
        }
        break;
      case METRICS_PATH:
        if (metrics !== undefined) {
          return metricsResponse(request, {
            registry: metrics.registry,
            credential: credential(),
            logger,
          });
        }
    }
    if (
      options.webhookOps &&
      (pathname === "/webhook" || pathname.startsWith("/webhook/"))
    ) return options.webhookOps(request);
    return options.rest(request);
  };
  const respond = (
    label: string,
    id: string,
    started: number,
    response: Response,
  ) => {
    metrics?.httpRequest(
      label,
      response.status,
      (performance.now() - started) / 1000,
    );
    return withRequestId(response, id);
  };
  // A callback rather than an awaiting frame, and it keeps neither the
  // request nor its URL: a waiting long-poll or iq keeps only it (README
  // "Performance").
  return (request) => {
    try {
      const started = performance.now();
      setRequestStart(request, started);
      const id = requestIdFor(request.headers.get(REQUEST_ID_HEADER), generate);
      setRequestId(request, id);
      const { pathname } = urlOf(request);
      const label = metrics === undefined ? "" : routeLabel(
        request.method,
        pathname,
        () => matchRequest(request, pathname),
      );
      return dispatch(request, pathname).then((response) =>
        respond(label, id, started, response)
      );
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
