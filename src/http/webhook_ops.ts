// Webhook operations API (README "Webhook operations"): status, dead letters, redelivery, resume; same credentials as /rest.

import type { EventStore } from "../store/types.ts";
import { WEBHOOK_CONSUMER } from "../webhook/reliable.ts";
import type { ReliableDelivery } from "../webhook/reliable.ts";
import type { WebhookHealth } from "../webhook/health.ts";
import { authenticate, type AuthOptions } from "./auth.ts";
import { checkRouteGroup } from "./scope.ts";
import { errorResponse, HttpError } from "./errors.ts";

/** Paths of the operations API. */
export const WEBHOOK_OPS_PATHS = {
  status: "/webhook",
  deadLetters: "/webhook/dead-letters",
  redeliver: "/webhook/redeliver",
  resume: "/webhook/resume",
} as const;

/** Most dead letters one page lists. */
export const DEAD_LETTER_PAGE = 100;

/** What the operations API reads and acts on. */
export interface WebhookOpsOptions extends AuthOptions {
  /** `sync` or `reliable`. */
  readonly mode: "sync" | "reliable";
  /** The webhook URL template without credentials; undefined when webhooks are off. */
  readonly url?: string;
  /** Last success and failure. */
  readonly health: WebhookHealth;
  /** The event store (reliable mode). */
  readonly store?: EventStore;
  /** The delivery loop (reliable mode). */
  readonly reliable?: ReliableDelivery;
  /** Clock, ms since the epoch. */
  readonly now: () => number;
}

/**
 * Creates the handler for `/webhook...`: `GET /webhook` (status), `GET
 * /webhook/dead-letters?after=ID&limit=N`, `POST /webhook/redeliver` with
 * `{"ids":[...]}` or `{"since":"<ISO time>"}`, `POST /webhook/resume`.
 * Answers JSON; errors as the REST API renders them.
 *
 * @example
 * ```ts
 * const ops = createWebhookOps({ domain, credentials, mode: "sync", health, now: Date.now });
 * await ops(new Request("http://x/webhook", { headers: { Authorization: "Bearer t" } }));
 * ```
 */
export function createWebhookOps(
  options: WebhookOpsOptions,
): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      checkRouteGroup(
        authenticate(request.headers.get("Authorization"), options),
        "operations",
      );
      return await route(request, options);
    } catch (error) {
      if (error instanceof HttpError) return errorResponse(error, "json");
      if (error instanceof MethodNotAllowed) {
        return new Response(null, {
          status: 405,
          headers: { Allow: error.allow },
        });
      }
      throw error;
    }
  };
}

async function route(
  request: Request,
  options: WebhookOpsOptions,
): Promise<Response> {
  const url = new URL(request.url);
  const method = request.method;
  switch (url.pathname) {
    case WEBHOOK_OPS_PATHS.status:
      allow(method, "GET");
      return Response.json(await status(options));
    case WEBHOOK_OPS_PATHS.deadLetters: {
      allow(method, "GET");
      const store = reliableStore(options);
      const after = Number(url.searchParams.get("after") ?? 0);
      const limit = Math.min(
        Number(url.searchParams.get("limit") ?? DEAD_LETTER_PAGE),
        DEAD_LETTER_PAGE,
      );
      if (!Number.isInteger(after) || !Number.isInteger(limit) || limit < 1) {
        throw badRequest("after and limit must be whole numbers, limit 1-100");
      }
      const letters = await store.listDeadLetters(WEBHOOK_CONSUMER, {
        afterId: after,
        limit,
      });
      return Response.json({
        deadLetters: letters.map((letter) => ({
          id: letter.event.id,
          receivedAt: new Date(letter.event.receivedAt).toISOString(),
          kind: letter.event.kind,
          from: letter.event.from,
          to: letter.event.to,
          attempts: letter.attempts,
          lastError: errorJson(letter.lastError),
          stanza: letter.event.stanza,
        })),
      });
    }
    case WEBHOOK_OPS_PATHS.redeliver: {
      allow(method, "POST");
      const store = reliableStore(options);
      const selection = await readSelection(request);
      const count = await store.redeliver(
        WEBHOOK_CONSUMER,
        selection,
        options.now(),
      );
      options.reliable?.wake();
      return Response.json({ redelivered: count });
    }
    case WEBHOOK_OPS_PATHS.resume: {
      allow(method, "POST");
      reliableStore(options);
      const wasPaused = await options.reliable!.resume();
      return Response.json({ resumed: wasPaused });
    }
  }
  throw new HttpError("not_found");
}

async function status(options: WebhookOpsOptions): Promise<unknown> {
  const { health, store, reliable } = options;
  const stats = store && reliable
    ? await store.deliveryStats(WEBHOOK_CONSUMER)
    : { pending: 0, dead: 0 };
  const now = options.now();
  return {
    mode: options.mode,
    url: options.url ?? null,
    paused: reliable?.paused !== undefined,
    pausedAt: reliable?.paused ? iso(reliable.paused.at) : null,
    pending: stats.pending,
    oldestPendingAgeSeconds: "oldestPendingAt" in stats &&
        stats.oldestPendingAt !== undefined
      ? Math.max(0, Math.round((now - stats.oldestPendingAt) / 1000))
      : null,
    deadLetters: stats.dead,
    lastSuccessAt: health.lastSuccessAt === undefined
      ? null
      : iso(health.lastSuccessAt),
    lastError: health.lastError ? errorJson(health.lastError) : null,
  };
}

function errorJson(error: { at: number; status?: number; reason: string }) {
  return {
    at: iso(error.at),
    status: error.status ?? null,
    reason: error.reason,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

class MethodNotAllowed extends Error {
  constructor(readonly allow: string) {
    super(`Method not allowed; use ${allow}`);
  }
}

function allow(method: string, expected: string): void {
  if (method !== expected) throw new MethodNotAllowed(expected);
}

function reliableStore(options: WebhookOpsOptions): EventStore {
  if (!options.store || !options.reliable) {
    throw new HttpError("not_found", {
      text: "Dead letters and redelivery need --callback-mode reliable",
    });
  }
  return options.store;
}

function badRequest(text: string): HttpError {
  return new HttpError("parse", { text });
}

async function readSelection(
  request: Request,
): Promise<{ ids: number[] } | { since: number }> {
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    throw badRequest(
      'expected a JSON body: {"ids":[1,2]} or {"since":"2026-01-01T00:00:00Z"}',
    );
  }
  const value = body as { ids?: unknown; since?: unknown };
  if (
    Array.isArray(value?.ids) && value.ids.length > 0 &&
    value.ids.length <= 1000 &&
    value.ids.every((id) => Number.isInteger(id) && id > 0)
  ) {
    return { ids: value.ids as number[] };
  }
  if (typeof value?.since === "string") {
    const since = Date.parse(value.since);
    if (!Number.isNaN(since)) return { since };
  }
  throw badRequest(
    'expected "ids" (1-1000 positive whole numbers) or "since" (an ISO 8601 time)',
  );
}
