// Pull (GET /rest/updates, after Telegram's getUpdates) and SSE (GET /rest/events, HTML Living Standard section 9.2) over the event log.

import { type Logger, silentLogger } from "../logger.ts";
import type { EventStore } from "../store/types.ts";
import { encodeEventPage, type EventFormat } from "../events/encode.ts";
import type { EventFeed } from "../events/feed.ts";
import {
  consumerNameProblem,
  parsePullQuery,
  PULL_DEFAULTS,
  pullCursorName,
  type PullRequest,
  pullStart,
} from "../events/pull.ts";
import { resumePoint, SSE_MEDIA_TYPE } from "../events/sse.ts";
import { authenticate, type AuthOptions } from "./auth.ts";
import { checkRouteGroup } from "./scope.ts";
import { requestIdOf } from "./request_id.ts";
import { canPush, pushResponse } from "./push.ts";
import { type RequestUrl, urlOf } from "./request_url.ts";
import { errorResponse, HttpError, storeRouteError } from "./errors.ts";
import { chooseFormat, MEDIA_TYPES, negotiateError } from "../wire/mod.ts";

/** Paths of the event routes. */
export const EVENT_PATHS = {
  updates: "/rest/updates",
  events: "/rest/events",
} as const;

/** Options of {@linkcode createEventsHandler}. */
export interface EventsHandlerOptions {
  /** The event log (cursors live there too). */
  readonly store: EventStore;
  /** The SSE fan-out and long-poll waiter over the same store. */
  readonly feed: EventFeed;
  /** Who may read events: the credentials of `/rest`. */
  readonly auth: AuthOptions;
  /** Access log lines. Default silent. */
  readonly logger?: Logger;
}

/** JSON unless the client prefers XML (`Accept`); pull and SSE default to JSON. */
function pullFormat(accept: string | null): EventFormat {
  return chooseFormat(accept, ["json", "xml"] as const, "json");
}

function sseFormat(url: RequestUrl): EventFormat {
  const asked = url.searchParams.get("format");
  if (asked === null || asked === "" || asked === "json") return "json";
  if (asked === "xml") return "xml";
  throw new HttpError("bad_query", {
    text: `Invalid query parameter "format": expected json or xml, got "${
      asked.slice(0, 40)
    }"`,
  });
}

async function pull(
  request: PullRequest,
  format: EventFormat,
  options: EventsHandlerOptions,
): Promise<Response> {
  const { store, feed } = options;
  const name = pullCursorName(request.consumer);
  const [cursor, lastId] = await Promise.all([
    store.getCursor(name),
    request.offset && "last" in request.offset
      ? store.lastId()
      : Promise.resolve(0),
  ]);
  const start = pullStart(request.offset, cursor, lastId);
  // A consumer is known from its first pull on: from then on, what it has
  // not acknowledged is kept (README "What is kept, and for how long").
  if (start.acknowledge !== undefined || cursor === 0) {
    await store.setCursor(name, start.acknowledge ?? 0);
  }
  let events = await store.read(start.fromId, request.limit);
  if (events.length === 0 && request.timeoutMs > 0) {
    if (await feed.waitFor(start.fromId, request.timeoutMs)) {
      events = await store.read(start.fromId, request.limit);
    }
  }
  const next = events.length === 0
    ? start.fromId
    : events[events.length - 1].id + 1;
  return new Response(encodeEventPage(events, next, format), {
    status: 200,
    headers: {
      "Content-Type": MEDIA_TYPES[format],
      "Cache-Control": "no-store",
    },
  });
}

/**
 * `DELETE /rest/updates?consumer=NAME`: the consumer leaves; its cursor is
 * forgotten, so it no longer keeps events (README "What is kept, and for
 * how long"). Pulling again later makes it known anew.
 */
async function forget(url: RequestUrl, store: EventStore): Promise<Response> {
  const consumer = url.searchParams.get("consumer") ?? PULL_DEFAULTS.consumer;
  const problem = consumerNameProblem(consumer);
  if (problem) {
    throw new HttpError("bad_query", {
      text: `Invalid query parameter "consumer": ${problem}`,
    });
  }
  if (!await store.deleteCursor(pullCursorName(consumer))) {
    throw new HttpError("not_found", {
      text: `No pull consumer "${consumer}"`,
    });
  }
  return new Response(null, { status: 204 });
}

/** The head of every SSE response (one object; each response copies it). */
const SSE_INIT: ResponseInit = {
  status: 200,
  headers: [
    ["Content-Type", `${SSE_MEDIA_TYPE}; charset=utf-8`],
    ["Cache-Control", "no-store"],
    ["X-Accel-Buffering", "no"],
  ],
};

async function stream(url: RequestUrl, request: Request, feed: EventFeed) {
  const format = sseFormat(url);
  const resume = resumePoint(
    request.headers.get("Last-Event-ID"),
    url.searchParams.get("last_event_id"),
  );
  if (!resume.ok) throw new HttpError("bad_query", { text: resume.reason });
  const subscription = { afterId: resume.afterId, format };
  // The own HTTP/1.1 engine writes the feed straight to the connection;
  // other engines (TLS, HTTP/2) read a stream.
  return canPush(request)
    ? pushResponse(await feed.subscribePush(subscription), SSE_INIT)
    : new Response(await feed.subscribe(subscription), SSE_INIT);
}

/**
 * Creates the handler of `GET /rest/updates`, `DELETE /rest/updates` and
 * `GET /rest/events`; it answers undefined for any other method or path,
 * so the caller passes those on. Same credentials as `/rest`; errors in the format `Accept`
 * asks for (JSON by default).
 *
 * @example
 * ```ts
 * const events = createEventsHandler({ store, feed, auth: { domain, secret, credentials } });
 * const response = await events(new Request("http://x/rest/updates?offset=1")); // Response | undefined
 * ```
 */
export function createEventsHandler(
  options: EventsHandlerOptions,
): (request: Request) => Promise<Response> | undefined {
  const logger = options.logger ?? silentLogger;
  return (request) => {
    const leaving = request.method === "DELETE";
    if (request.method !== "GET" && !leaving) return undefined;
    const url = urlOf(request); // parsed once for every layer
    const { pathname } = url;
    if (
      pathname !== EVENT_PATHS.updates &&
      (leaving || pathname !== EVENT_PATHS.events)
    ) return undefined;
    return (async () => {
      const started = performance.now();
      let response: Response;
      let condition: string | undefined;
      let reason: string | undefined;
      try {
        checkRouteGroup(
          authenticate(request.headers.get("Authorization"), options.auth),
          "events",
        );
        if (leaving) response = await forget(url, options.store);
        else if (pathname === EVENT_PATHS.events) {
          response = await stream(url, request, options.feed);
        } else {
          const parsed = parsePullQuery(url.searchParams);
          if (!parsed.ok) {
            throw new HttpError("bad_query", {
              text:
                `Invalid query parameter "${parsed.problem.parameter}": ${parsed.problem.reason}`,
            });
          }
          response = await pull(
            parsed.request,
            pullFormat(request.headers.get("Accept")),
            options,
          );
        }
      } catch (error) {
        const httpError = storeRouteError(error);
        if (httpError.key === "internal") {
          logger.error("Event request failed", {
            requestId: requestIdOf(request),
            error: String(error),
          });
        }
        condition = httpError.condition;
        reason = httpError.text;
        response = errorResponse(
          httpError,
          negotiateError(request.headers.get("Accept"), "json"),
        );
      }
      logger.info("http request", {
        requestId: requestIdOf(request),
        method: request.method,
        path: pathname,
        status: response.status,
        condition,
        reason,
        ms: Math.round(performance.now() - started),
      });
      return response;
    })();
  };
}
