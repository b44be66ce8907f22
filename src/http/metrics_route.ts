// GET /metrics in the Prometheus text exposition format 0.0.4, behind its own credential (README "Metrics").

import { exposition, EXPOSITION_CONTENT_TYPE } from "../metrics/exposition.ts";
import type { Registry } from "../metrics/registry.ts";
import type { Logger } from "../logger.ts";
import { timingSafeEqual } from "./auth.ts";

/** The path Prometheus scrapes. */
export const METRICS_PATH = "/metrics";

/** Options of {@linkcode metricsResponse}. */
export interface MetricsRouteOptions {
  /** What to write out. */
  registry: Registry;
  /** The `Authorization` value a scrape must send; undefined: none needed. */
  credential?: string;
  /** Where a failing collector is reported. */
  logger: Logger;
}

function plain(status: number, text: string, headers: HeadersInit = {}) {
  const all = new Headers(headers);
  all.set("Content-Type", "text/plain; charset=utf-8");
  return new Response(text + "\n", { status, headers: all });
}

/** Splits `Scheme token` into a lower-case scheme and the token. */
function schemeAndToken(value: string): [string, string] {
  const trimmed = value.trim();
  const space = trimmed.search(/\s/);
  if (space === -1) return [trimmed.toLowerCase(), ""];
  return [trimmed.slice(0, space).toLowerCase(), trimmed.slice(space).trim()];
}

/**
 * Checks a scrape's `Authorization` against the metrics credential: the
 * refusal text, or undefined when it may read. No header is a 401, another
 * value a 403 (never the REST credentials: the metrics one is its own).
 * Without a metrics credential every scrape may read.
 */
export function metricsRefusal(
  header: string | null,
  credential: string | undefined,
): { status: 401 | 403; text: string } | undefined {
  if (credential === undefined) return undefined;
  if (header === null || header.trim() === "") {
    return { status: 401, text: "No credentials provided" };
  }
  const [scheme, token] = schemeAndToken(header);
  const [wantScheme, wantToken] = schemeAndToken(credential);
  const ok = scheme === wantScheme && timingSafeEqual(token, wantToken);
  return ok ? undefined : { status: 403, text: "Credentials not accepted" };
}

/**
 * Answers `GET`/`HEAD /metrics`: the registry in the text format, after
 * the collectors ran. Other methods get a 405.
 *
 * @example
 * ```ts
 * const res = await metricsResponse(new Request("http://x/metrics"), { registry, logger });
 * res.headers.get("Content-Type"); // "text/plain; version=0.0.4; charset=utf-8"
 * ```
 */
export async function metricsResponse(
  request: Request,
  options: MetricsRouteOptions,
): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return plain(405, "Method not allowed: /metrics answers GET and HEAD", {
      Allow: "GET, HEAD",
    });
  }
  const refusal = metricsRefusal(
    request.headers.get("Authorization"),
    options.credential,
  );
  if (refusal !== undefined) {
    const challenge: HeadersInit = refusal.status === 401
      ? {
        "WWW-Authenticate": `${
          (options.credential ?? "Bearer").trim().split(/\s/)[0]
        } realm="metrics"`,
      }
      : {};
    return plain(refusal.status, refusal.text, challenge);
  }
  const families = await options.registry.gather((error) =>
    options.logger.warn("metrics collector failed", { error: String(error) })
  );
  const body = request.method === "HEAD" ? null : exposition(families);
  return new Response(body, {
    headers: {
      "Content-Type": EXPOSITION_CONTENT_TYPE,
      "Cache-Control": "no-store",
    },
  });
}
