// OpenAPI path items of the webhook operations API (README "Webhook operations").

import { WEBHOOK_OPS_PATHS } from "../webhook_ops.ts";
import { type OpenApiObject, ref } from "./types.ts";

const TIME = { type: "string", format: "date-time" } as const;
const NULLABLE_TIME = {
  type: ["string", "null"],
  format: "date-time",
} as const;

const ATTEMPT_ERROR = {
  type: "object",
  required: ["at", "status", "reason"],
  properties: {
    at: TIME,
    status: {
      type: ["integer", "null"],
      description: "The HTTP status, when there was a response",
    },
    reason: {
      type: "string",
      description:
        'Why it failed: "connection refused", "timed out after 30 s", "TLS error: ...", "HTTP 503", ...',
    },
  },
} as const;

const STATUS_SCHEMA = {
  type: "object",
  required: [
    "mode",
    "url",
    "paused",
    "pausedAt",
    "pending",
    "oldestPendingAgeSeconds",
    "deadLetters",
    "lastSuccessAt",
    "lastError",
  ],
  properties: {
    mode: { enum: ["sync", "reliable"] },
    url: {
      type: ["string", "null"],
      description: "The webhook URL template without credentials",
    },
    paused: {
      type: "boolean",
      description: "True after a 410 Gone, until resumed",
    },
    pausedAt: NULLABLE_TIME,
    pending: { type: "integer", description: "Events not yet delivered" },
    oldestPendingAgeSeconds: { type: ["integer", "null"] },
    deadLetters: { type: "integer" },
    lastSuccessAt: NULLABLE_TIME,
    lastError: { oneOf: [ATTEMPT_ERROR, { type: "null" }] },
  },
} as const;

const DEAD_LETTERS_SCHEMA = {
  type: "object",
  required: ["deadLetters"],
  properties: {
    deadLetters: {
      type: "array",
      items: {
        type: "object",
        required: [
          "id",
          "receivedAt",
          "kind",
          "from",
          "to",
          "attempts",
          "lastError",
          "stanza",
        ],
        properties: {
          id: { type: "integer", description: "The event id (= webhook-id)" },
          receivedAt: TIME,
          kind: { enum: ["message", "presence", "iq"] },
          from: { type: "string" },
          to: { type: "string" },
          attempts: { type: "integer" },
          lastError: ATTEMPT_ERROR,
          stanza: { type: "string", description: "The stanza as XML" },
        },
      },
    },
  },
} as const;

const REDELIVER_BODY = {
  oneOf: [
    {
      type: "object",
      required: ["ids"],
      properties: {
        ids: {
          type: "array",
          minItems: 1,
          maxItems: 1000,
          items: { type: "integer", minimum: 1 },
        },
      },
    },
    {
      type: "object",
      required: ["since"],
      properties: { since: TIME },
    },
  ],
} as const;

const json = (schema: unknown, example: unknown): OpenApiObject => ({
  "application/json": { schema, example },
});

const ERRORS = {
  "401": ref("Unauthorized", "responses"),
  "403": ref("Forbidden", "responses"),
  "405": { description: "Wrong method; `Allow` names the right one" },
};

/** The path items of the operations API, by path. */
export function webhookOpsPaths(): Record<string, OpenApiObject> {
  const base = { tags: ["webhook"] };
  const reliableOnly = {
    "404": {
      ...ref("NoRoute", "responses"),
    },
  };
  return {
    [WEBHOOK_OPS_PATHS.status]: {
      get: {
        ...base,
        operationId: "webhookStatus",
        summary:
          "Webhook status: mode, pause, pending, dead letters, last success and error",
        responses: {
          "200": {
            description: "The status",
            content: json(STATUS_SCHEMA, {
              mode: "reliable",
              url: "https://bot.example/xmpp/{kind}",
              paused: false,
              pausedAt: null,
              pending: 12,
              oldestPendingAgeSeconds: 40,
              deadLetters: 1,
              lastSuccessAt: "2026-01-01T12:00:00.000Z",
              lastError: {
                at: "2026-01-01T12:00:40.000Z",
                status: null,
                reason: "connection refused",
              },
            }),
          },
          ...ERRORS,
        },
      },
    },
    [WEBHOOK_OPS_PATHS.deadLetters]: {
      get: {
        ...base,
        operationId: "webhookDeadLetters",
        summary: "Dead letters in event order (reliable mode)",
        parameters: [
          {
            name: "after",
            in: "query",
            required: false,
            description: "List events after this id (paging)",
            schema: { type: "integer", minimum: 0 },
          },
          {
            name: "limit",
            in: "query",
            required: false,
            description: "Most entries (1-100, default 100)",
            schema: { type: "integer", minimum: 1, maximum: 100 },
          },
        ],
        responses: {
          "200": {
            description: "One page of dead letters",
            content: json(DEAD_LETTERS_SCHEMA, { deadLetters: [] }),
          },
          "400": ref("BadRequest", "responses"),
          ...reliableOnly,
          ...ERRORS,
        },
      },
    },
    [WEBHOOK_OPS_PATHS.redeliver]: {
      post: {
        ...base,
        operationId: "webhookRedeliver",
        summary:
          "Put dead letters back in line, by ids or received since a time",
        requestBody: {
          required: true,
          content: json(REDELIVER_BODY, { ids: [41, 42] }),
        },
        responses: {
          "200": {
            description: "How many dead letters are pending again",
            content: json({
              type: "object",
              required: ["redelivered"],
              properties: { redelivered: { type: "integer" } },
            }, { redelivered: 2 }),
          },
          "400": ref("BadRequest", "responses"),
          ...reliableOnly,
          ...ERRORS,
        },
      },
    },
    [WEBHOOK_OPS_PATHS.resume]: {
      post: {
        ...base,
        operationId: "webhookResume",
        summary: "Resume deliveries paused by a 410 Gone",
        responses: {
          "200": {
            description: "Resumed (resumed: false when it was not paused)",
            content: json({
              type: "object",
              required: ["resumed"],
              properties: { resumed: { type: "boolean" } },
            }, { resumed: true }),
          },
          ...reliableOnly,
          ...ERRORS,
        },
      },
    },
  };
}
