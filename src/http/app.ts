// The HTTP application: operational endpoints (health, API description) in front of the mod_rest REST handler.

import { HEALTH_PATHS, healthResponse, type ReadinessProbe } from "./health.ts";
import { OPENAPI_PATH, openApiResponse } from "./openapi/mod.ts";

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
}

/**
 * Creates the whole HTTP application: `/healthz` and `/readyz` (any
 * method; GET and HEAD answer, others get a 405), `GET`/`HEAD
 * /rest/openapi.json`, and everything else passed to the REST handler,
 * which authenticates and renders its own errors (404 included). The
 * operational endpoints need no credentials and reveal no configuration.
 *
 * @example
 * ```ts
 * const app = createHttpApp({
 *   rest: createRestHandler({ port: component, secret, credentials }),
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
  return (request) => {
    const { pathname } = new URL(request.url);
    switch (pathname) {
      case HEALTH_PATHS.liveness:
        return Promise.resolve(healthResponse("liveness", request, health));
      case HEALTH_PATHS.readiness:
        return Promise.resolve(healthResponse("readiness", request, health));
      case OPENAPI_PATH:
        if (request.method === "GET" || request.method === "HEAD") {
          return Promise.resolve(openApiResponse(request));
        }
    }
    if (
      options.webhookOps &&
      (pathname === "/webhook" || pathname.startsWith("/webhook/"))
    ) return options.webhookOps(request);
    return options.rest(request);
  };
}
