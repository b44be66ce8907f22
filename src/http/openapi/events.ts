// OpenAPI path items of pull (GET /rest/updates) and SSE (GET /rest/events), the Idempotency-Key parameter, and the event schemas (README "Receiving without a webhook: pull, SSE, inbound iqs").

import { PULL_DEFAULTS } from "../../events/pull.ts";
import { SSE_DEFAULTS, SSE_MEDIA_TYPE } from "../../events/sse.ts";
import {
  IDEMPOTENCY_DEFAULTS,
  IDEMPOTENCY_HEADER,
} from "../../idempotency/rules.ts";
import { EVENT_PATHS } from "../events.ts";
import { MEDIA_TYPES } from "../../wire/mod.ts";
import { type OpenApiObject, ref } from "./types.ts";

const EXAMPLE_EVENT = {
  id: 42,
  received_at: "2026-12-03T08:30:15.123Z",
  kind: "message",
  stanza: {
    kind: "message",
    type: "chat",
    id: "m1",
    from: "alice@example.net/phone",
    to: "bot@rest.example.net",
    body: "Hello",
  },
};

const EXAMPLE_XML =
  '<events next-offset="43"><event id="42" received-at="2026-12-03T08:30:15.123Z" kind="message"><message type="chat" id="m1" from="alice@example.net/phone" to="bot@rest.example.net"><body>Hello</body></message></event></events>';

/** Schemas of events, for `components.schemas`. */
export const EVENT_SCHEMAS: Record<string, OpenApiObject> = {
  Event: {
    type: "object",
    description:
      "One inbound stanza as it was logged: `stanza` in mod_rest's JSON mapping, or `xml` (the stanza as XML text) when it has no JSON form",
    required: ["id", "received_at", "kind"],
    properties: {
      id: {
        type: "integer",
        minimum: 1,
        description: "Position in the log (pull offset, SSE id)",
      },
      received_at: {
        type: "string",
        format: "date-time",
        description: "When the gateway read the stanza",
      },
      kind: { type: "string", enum: ["message", "presence", "iq"] },
      stanza: ref("Stanza"),
      xml: { type: "string" },
    },
    example: EXAMPLE_EVENT,
  },
  EventPage: {
    type: "object",
    required: ["events", "next_offset"],
    properties: {
      events: { type: "array", items: ref("Event") },
      next_offset: {
        type: "integer",
        minimum: 1,
        description:
          "The offset to ask for next; asking with it acknowledges these events",
      },
    },
    example: { events: [EXAMPLE_EVENT], next_offset: 43 },
  },
};

/** The `Idempotency-Key` header, for `components.parameters`. */
export const IDEMPOTENCY_PARAMETER: OpenApiObject = {
  name: IDEMPOTENCY_HEADER,
  in: "header",
  required: false,
  description:
    `IETF httpapi Idempotency-Key (an sf-string, quotes optional; 1-${IDEMPOTENCY_DEFAULTS.maxKeyLength} printable ASCII characters). The first response is kept for 24 h per key and caller and replayed (with \`Idempotent-Replayed: true\`) for a repeat with the same method, path, Content-Type and body, without sending again; another body is a 422, a repeat while the first is in progress a 409. A request refused before anything was sent keeps nothing.`,
  schema: { type: "string", minLength: 1 },
  example: '"8e03978e-40d5-43e8-bc93-6894a57f9324"',
};

const errors = (...statuses: [number, string][]) =>
  Object.fromEntries(
    statuses.map(([status, name]) => [String(status), ref(name, "responses")]),
  );

const AUTH_ERRORS = errors(
  [400, "BadRequest"],
  [401, "Unauthorized"],
  [403, "Forbidden"],
  [500, "InternalServerError"],
  [503, "ServiceUnavailable"],
);

const query = (
  name: string,
  description: string,
  schema: OpenApiObject,
): OpenApiObject => ({
  name,
  in: "query",
  required: false,
  description,
  schema,
});

const CONSUMER = query(
  "consumer",
  "Named consumer: each has its own cursor in the store and sees every event",
  {
    type: "string",
    pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
    default: PULL_DEFAULTS.consumer,
  },
);

/** The path items of the event routes. */
export function eventPaths(): Record<string, OpenApiObject> {
  return {
    [EVENT_PATHS.updates]: {
      get: {
        operationId: "getUpdates",
        tags: ["events"],
        summary: "Pull events (Telegram getUpdates semantics), long polling",
        parameters: [
          query(
            "offset",
            "Return events with id >= offset and acknowledge every event below it for this consumer; negative: the newest -offset events; absent or 0: from the consumer's cursor",
            { type: "integer" },
          ),
          query("limit", "Most events returned", {
            type: "integer",
            minimum: 1,
            maximum: PULL_DEFAULTS.maxLimit,
            default: PULL_DEFAULTS.limit,
          }),
          query(
            "timeout",
            `Seconds to wait when there is no event yet (0 answers at once; more than ${PULL_DEFAULTS.maxTimeoutSeconds} is cut to ${PULL_DEFAULTS.maxTimeoutSeconds})`,
            { type: "number", minimum: 0, default: 0 },
          ),
          CONSUMER,
        ],
        responses: {
          "200": {
            description:
              "The events, oldest first (possibly none), in JSON or, when `Accept` prefers it, XML",
            headers: {
              "Cache-Control": ref("Cache-Control-NoStore", "headers"),
            },
            content: {
              [MEDIA_TYPES.json]: { schema: ref("EventPage") },
              [MEDIA_TYPES.xml]: {
                schema: {
                  type: "string",
                  description:
                    '`<events next-offset="N">` with one `<event id received-at kind>` around each stanza',
                  examples: [EXAMPLE_XML],
                },
              },
            },
          },
          ...AUTH_ERRORS,
        },
      },
      delete: {
        operationId: "forgetConsumer",
        tags: ["events"],
        summary:
          "A pull consumer leaves: its cursor is forgotten and it no longer keeps events from deletion",
        description:
          "Events are kept until every known pull consumer has acknowledged them (and the webhook, when configured, is done with them), or retention ends. A consumer that will not come back keeps what it has not acknowledged until then; forgetting it releases those events. A later pull with its name makes it known again, from the oldest event still kept.",
        parameters: [CONSUMER],
        responses: {
          "204": { description: "Forgotten" },
          "404": {
            ...ref("NoRoute", "responses"),
            description: "No pull consumer of that name is known",
          },
          ...AUTH_ERRORS,
        },
      },
    },
    [EVENT_PATHS.events]: {
      get: {
        operationId: "streamEvents",
        tags: ["events"],
        summary: "Server-sent events: every event as it is logged",
        parameters: [
          {
            name: "Last-Event-ID",
            in: "header",
            required: false,
            description:
              "Resume after this event id (browsers send it on reconnect); absent: new events only",
            schema: { type: "string", pattern: "^\\d+$" },
          },
          query(
            "last_event_id",
            "Same as the Last-Event-ID header (for a first connection); 0 replays everything kept",
            { type: "integer", minimum: 0 },
          ),
          query("format", "`data:` as JSON (an Event) or XML (an `<event>`)", {
            type: "string",
            enum: ["json", "xml"],
            default: "json",
          }),
        ],
        responses: {
          "200": {
            description:
              `An endless \`${SSE_MEDIA_TYPE}\`: \`id:\` the event id, \`event:\` its kind, \`data:\` the event; a comment every ${
                SSE_DEFAULTS.heartbeatMs / 1000
              } s. A client that leaves ${
                SSE_DEFAULTS.clientBufferBytes / 1024
              } KiB unread for a heartbeat interval is disconnected (it can resume).`,
            content: {
              [SSE_MEDIA_TYPE]: {
                schema: { type: "string" },
                example:
                  `retry: 3000\n: connected\n\nid: 42\nevent: message\ndata: ${
                    JSON.stringify(EXAMPLE_EVENT)
                  }\n\n`,
              },
            },
          },
          ...AUTH_ERRORS,
        },
      },
    },
  };
}
