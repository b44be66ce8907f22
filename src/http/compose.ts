// mod_rest stanza construction from path and body (README "Routes", "Request body formats"; README "Differences from mod_rest": path wins for every body format).

import { XmlElement } from "../xml/element.ts";
import { JsonMappingError } from "../jsonmap/mod.ts";
import type { StanzaKind } from "../xmpp/stanza.ts";
import {
  type DecodedBody,
  jsonStanza as wireJsonStanza,
  textMessage,
  type WireResult,
} from "../wire/mod.ts";
import { HttpError } from "./errors.ts";
import { addressError } from "./normalise.ts";
import { InvalidJidError } from "../xmpp/jid.ts";
import { PATH_KINDS } from "./routes.ts";

/** What the path of a request says about the stanza. */
export interface PathStanza {
  /** Stanza kind. */
  readonly kind: StanzaKind;
  /** Stanza type (not set when the path names an iq payload). */
  readonly type?: string;
  /** Iq payload key (`POST /rest/iq/disco/...`, `GET /rest/disco/...`). */
  readonly payload?: string;
  /** Destination; undefined for an empty path segment. */
  readonly to?: string;
}

/**
 * Reads the path parameters of `POST /rest/{kind}/{type}/{to}` or
 * `GET /rest/{query}/{to}`. For iq, a type other than get/set names a
 * payload key (an unknown key maps to nothing, so the iq has no payload and
 * is refused with 422 later, as in mod_rest); an unknown kind is a 400.
 */
export function pathStanza(
  params: Readonly<Record<string, string>>,
): PathStanza {
  const to = params.to === "" ? undefined : params.to;
  if (params.query !== undefined) {
    return { kind: "iq", payload: params.query, to };
  }
  if (!(PATH_KINDS as readonly string[]).includes(params.kind)) {
    throw new HttpError("parse");
  }
  const kind = params.kind as StanzaKind;
  const type = params.type;
  if (kind === "iq" && type !== "get" && type !== "set") {
    return { kind, payload: type, to };
  }
  return { kind, type, to };
}

/** The stanza of a mapping result; a mapping error is a 422 (`/to`, `/from` get their addressing errors, `/kind` a 400). */
function mapped(result: WireResult<XmlElement>): XmlElement {
  if (result.ok) return result.value;
  const cause = result.cause;
  if (!(cause instanceof JsonMappingError)) throw cause;
  if (cause.path === "/kind") throw new HttpError("parse", { cause });
  if (cause.path === "/to" || cause.path === "/from") {
    const which = cause.path === "/to" ? "to" : "from";
    throw cause.cause instanceof InvalidJidError
      ? addressError(cause.cause, which)
      : new HttpError(which, { cause });
  }
  throw new HttpError("mapping", {
    text: `Invalid JSON value at ${cause.message}`,
    cause,
  });
}

function jsonStanza(json: unknown, coerce: boolean): XmlElement {
  return mapped(wireJsonStanza(json, coerce));
}

function payloadJson(
  path: PathStanza & { payload: string },
  value: unknown,
): Record<string, unknown> {
  return {
    kind: "iq",
    [path.payload]: path.payload === "ping" ? true : value,
    ...(path.to !== undefined && { to: path.to }),
  };
}

/**
 * The iq for a payload named in the path; `value` is the body (any JSON
 * value but null). mod_rest's empty payload is a Lua `{}`, which is also an empty
 * array: when an empty object does not fit the key (`stats`, `blocklist`),
 * an empty array is used instead.
 */
function payloadStanza(
  path: PathStanza & { payload: string },
  value: unknown,
  coerce: boolean,
): XmlElement {
  try {
    return jsonStanza(payloadJson(path, value), coerce);
  } catch (error) {
    const retry = isObject(value) && Object.keys(value).length === 0 &&
      error instanceof HttpError &&
      error.cause instanceof JsonMappingError &&
      error.cause.path === `/${path.payload}`;
    if (!retry) throw error;
    return jsonStanza(payloadJson(path, []), coerce);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function pathFields(path: PathStanza): Record<string, unknown> {
  return {
    kind: path.kind,
    ...(path.type !== undefined && { type: path.type }),
    ...(path.to !== undefined && { to: path.to }),
  };
}

function applyPathToXml(element: XmlElement, path: PathStanza): XmlElement {
  let type = path.type ?? element.attr("type");
  if (path.kind === "presence" && type === "available") type = undefined;
  const renamed = new XmlElement(
    path.kind,
    element.ns,
    element.attrs,
    element.children,
  );
  return renamed.withAttrs({ type, to: path.to ?? element.attr("to") });
}

/**
 * Builds the (not yet normalised) stanza of a request from its body and,
 * when the route has one, its path; path values win over the body's.
 * Without a path: XML is taken as is, JSON and form go through the JSON
 * mapping (forms coerced), text becomes a chat message, no body is a 415.
 * With a path naming an iq payload, the JSON/form body is that payload
 * (`ping` is always `true`). `text/plain` goes to the message `<body>` or
 * the presence `<status>`; for iq it is a 400.
 */
export function composeStanza(
  body: DecodedBody,
  path: PathStanza | undefined,
): XmlElement {
  if (path === undefined) {
    switch (body.format) {
      case "xml":
        return body.element;
      case "json":
        return jsonStanza(body.json, false);
      case "form":
        return jsonStanza(body.fields, true);
      case "text":
        return mapped(textMessage(body.text));
      case "none":
        throw new HttpError("mediatype");
    }
  }
  if (body.format === "xml") return applyPathToXml(body.element, path);
  if (path.payload !== undefined) {
    const withPayload = { ...path, payload: path.payload };
    switch (body.format) {
      case "json":
        return payloadStanza(withPayload, body.json ?? {}, false);
      case "form":
        return payloadStanza(withPayload, body.fields, true);
      case "none":
        return payloadStanza(withPayload, {}, false);
      case "text":
        throw new HttpError("parse");
    }
  }
  switch (body.format) {
    case "json":
      if (!isObject(body.json)) throw new HttpError("parse");
      return jsonStanza({ ...body.json, ...pathFields(path) }, false);
    case "form":
      return jsonStanza({ ...body.fields, ...pathFields(path) }, true);
    case "none":
      return jsonStanza(pathFields(path), false);
    case "text": {
      if (path.kind === "iq") throw new HttpError("parse");
      const key = path.kind === "presence" ? "status" : "body";
      return jsonStanza({ [key]: body.text, ...pathFields(path) }, false);
    }
  }
}
