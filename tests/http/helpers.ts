// Shared set-up for the REST handler tests: a handler over a FakePort, request builders, canonical stanza strings.

import { el, type XmlElement } from "../../src/xml/element.ts";
import { canonicalize } from "../../src/xml/serialize.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import type { SendIqOptions } from "../../src/xmpp/port.ts";
import {
  createRestHandler,
  type RestHandlerOptions,
} from "../../src/http/rest_handler.ts";
import { FakePort } from "../support/fake_port.ts";

export const DOMAIN = "rest.example.net";
export const SECRET = "s3cret";
export const TOKEN = "Bearer dmVyeSBzZWNyZXQgdG9rZW4K";
export const BASIC = "Basic " + btoa(`${DOMAIN}:${SECRET}`);
export const C = NS.client;

export const XML = "application/xmpp+xml";
export const JSON_TYPE = "application/json";
export const FORM = "application/x-www-form-urlencoded";
export const TEXT = "text/plain";

/** A FakePort that also feeds `incoming` stanzas to an iq's `capture` before answering. */
export class CapturePort extends FakePort {
  /** Stanzas "arriving" while each iq waits. */
  incoming: XmlElement[] = [];
  /** The incoming stanzas the capture function did not take. */
  readonly delivered: XmlElement[] = [];
  /** Options of the last sendIq call. */
  lastOptions?: SendIqOptions;

  override sendIq(iq: XmlElement, options: SendIqOptions): Promise<XmlElement> {
    this.lastOptions = options;
    for (const stanza of this.incoming) {
      if (!options.capture?.(stanza)) this.delivered.push(stanza);
    }
    return super.sendIq(iq, options);
  }
}

/** A handler over a fresh port; ids are `id1`, `id2`, … */
export function setup(
  options: Partial<RestHandlerOptions> = {},
  port: FakePort = new FakePort(DOMAIN),
): { port: FakePort; handler: (req: Request) => Promise<Response> } {
  let n = 0;
  const handler = createRestHandler({
    xmpp: port,
    secret: SECRET,
    credentials: [TOKEN],
    randomId: () => `id${++n}`,
    ...options,
  });
  return { port, handler };
}

/** What a test request carries. */
export interface RequestInit {
  body?: BodyInit | null;
  type?: string | null;
  accept?: string;
  auth?: string | null;
  headers?: Record<string, string>;
}

/** Builds a request to the handler (Authorization: the test token unless `auth` says otherwise). */
export function request(
  method: string,
  path: string,
  init: RequestInit = {},
): Request {
  const headers = new Headers(init.headers);
  const auth = init.auth === undefined ? TOKEN : init.auth;
  if (auth !== null) headers.set("Authorization", auth);
  if (init.accept !== undefined) headers.set("Accept", init.accept);
  const req = new Request(`http://gateway.test${path}`, {
    method,
    headers,
    body: init.body ?? null,
  });
  // A string body makes Request add text/plain: set or remove it explicitly.
  if (init.type === null) req.headers.delete("Content-Type");
  else if (init.type !== undefined) req.headers.set("Content-Type", init.type);
  return req;
}

/** POST with a body of a content type. */
export function post(
  path: string,
  body: string | null,
  type: string | null,
  init: Omit<RequestInit, "body" | "type"> = {},
): Request {
  return request("POST", path, { ...init, body, type });
}

/** POST /rest with a JSON object. */
export function postJson(
  json: unknown,
  init: Omit<RequestInit, "body" | "type"> = {},
  path = "/rest",
): Request {
  return post(path, JSON.stringify(json), JSON_TYPE, init);
}

/** The canonical form of a stanza for comparisons. */
export function canon(stanza: XmlElement | undefined): string {
  if (stanza === undefined) return "(nothing)";
  return canonicalize(stanza);
}

/** A result reply to an iq, with optional payload. */
export function resultFor(
  iq: XmlElement,
  ...payload: XmlElement[]
): XmlElement {
  return el(
    "iq",
    C,
    {
      type: "result",
      id: iq.attr("id"),
      from: iq.attr("to"),
      to: iq.attr("from"),
    },
    ...payload,
  );
}

/** The body of an error response, parsed as JSON. */
export async function jsonError(
  res: Response,
): Promise<{ code: number; type: string; condition: string; text: string }> {
  const body = await res.json();
  return {
    code: body.code,
    type: body.error?.type,
    condition: body.error?.condition,
    text: body.error?.text,
  };
}
