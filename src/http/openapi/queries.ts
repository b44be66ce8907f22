// The GET query shortcuts of mod_rest (README "Routes", `GET /rest/{query}/{to}`) and their URL query parameters.

import type { IqQueryKey } from "../routes.ts";
import type { JsonSchema } from "./types.ts";

/** One URL query parameter of a shortcut: it becomes a key of the payload object. */
export interface QueryParam {
  /** What it sets. */
  readonly description: string;
  /** A value that shows up verbatim in the iq sent; a number where the schema is an integer. */
  readonly example: string | number;
  /** Schema of the value (default string). */
  readonly schema?: JsonSchema;
}

/** A documented `GET /rest/{key}/{to}` shortcut. */
export interface QueryShortcut {
  /** One line: what the iq asks. */
  readonly summary: string;
  /** Its URL query parameters by name. */
  readonly params: { readonly [name: string]: QueryParam };
}

const node: QueryParam = {
  description: "Node to query",
  example: "http://jabber.org/protocol/commands",
};
const count = { type: "integer", minimum: 0 } as const;

/**
 * The shortcuts documented with their own path; every other key of the
 * JSON mapping still works through the generic `GET /rest/{query}/{to}`.
 */
export const QUERY_SHORTCUTS = {
  ping: { summary: "XEP-0199 ping", params: {} },
  version: { summary: "XEP-0092 software version", params: {} },
  disco: {
    summary: "XEP-0030 service discovery (disco#info)",
    params: { node },
  },
  items: { summary: "XEP-0030 items (disco#items)", params: { node } },
  command: {
    summary: "XEP-0050 ad-hoc command (iq set)",
    params: {
      node: { description: "Command node", example: "uptime" },
      action: { description: "Action", example: "execute" },
      sessionid: {
        description: "Session id of a multi-step command",
        example: "s-1",
      },
    },
  },
  archive: {
    summary:
      "XEP-0313 message archive query (iq set); results come back in a container",
    params: {
      queryid: {
        description: "Query id (generated when absent)",
        example: "q-7",
      },
      with: {
        description: "Only messages with this JID",
        example: "user@example.org",
      },
      start: {
        description: "Only messages since (date-time)",
        example: "2024-05-01T00:00:00Z",
      },
      end: {
        description: "Only messages until (date-time)",
        example: "2024-05-02T00:00:00Z",
      },
      "before-id": {
        description: "Only messages before this archive id",
        example: "a-100",
      },
      "after-id": {
        description: "Only messages after this archive id",
        example: "a-50",
      },
      ids: {
        description: "Only these archive ids (comma-separated)",
        example: "a-1,a-2",
      },
      after: { description: "RSM: page after this id", example: "a-10" },
      before: { description: "RSM: page before this id", example: "a-90" },
      max: {
        description: "RSM: largest page size",
        example: 25,
        schema: count,
      },
    },
  },
  stats: { summary: "XEP-0039 statistics", params: {} },
  lastactivity: { summary: "XEP-0012 last activity", params: {} },
  extdisco: {
    summary: "XEP-0215 external service discovery",
    params: { type: { description: "Service type", example: "turn" } },
  },
  upload_request: {
    summary: "XEP-0363 HTTP upload slot request",
    params: {
      filename: { description: "File name", example: "cat.jpg" },
      size: { description: "Size in bytes", example: 23456, schema: count },
      "content-type": { description: "Media type", example: "image/jpeg" },
    },
  },
  register: { summary: "XEP-0077 registration fields", params: {} },
  gateway: { summary: "XEP-0100 gateway prompt", params: {} },
  blocklist: { summary: "XEP-0191 block list", params: {} },
} as const satisfies Partial<Record<IqQueryKey, QueryShortcut>>;

/** A key of {@linkcode QUERY_SHORTCUTS}. */
export type QueryShortcutKey = keyof typeof QUERY_SHORTCUTS;
