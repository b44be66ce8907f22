// mod_rest's documentation, "Payload formats": an HTTP body, by its format, as a stanza (RFC 6120 section 8 stanzas in jabber:client).

import { jsonToStanza } from "../jsonmap/mod.ts";
import { decodeForm } from "../jsonmap/urlencoded.ts";
import type { XmlElement } from "../xml/element.ts";
import { parseXml } from "../xml/parser.ts";
import { NS } from "../xmpp/namespaces.ts";
import type { RequestFormat } from "./media.ts";

/** A body decoded by its format, before it becomes a stanza. */
export type DecodedBody =
  | { readonly format: "xml"; readonly element: XmlElement }
  | {
    readonly format: "json";
    /** An object, unless {@linkcode DecodeOptions.anyJson} allowed any value. */
    readonly json: unknown;
  }
  | {
    readonly format: "form";
    readonly fields: Readonly<Record<string, string>>;
  }
  | { readonly format: "text"; readonly text: string }
  | { readonly format: "none" };

/**
 * Why a body holds no stanza: `reason` says what is wrong (without a
 * "Cannot parse" prefix); `cause` is the parser's or the mapping's error.
 */
export interface WireFailure {
  /** Always false. */
  readonly ok: false;
  /** What is wrong, e.g. `JSON body is not an object`. */
  readonly reason: string;
  /** The underlying error, when there is one (a `JsonMappingError` names a JSON path). */
  readonly cause?: unknown;
}

/** A value, or the {@linkcode WireFailure} that stands in its place. */
export type WireResult<T> =
  | { readonly ok: true; readonly value: T }
  | WireFailure;

/** Options for {@linkcode decodeBody}. */
export interface DecodeOptions {
  /**
   * True when the body only fills in a stanza that a path describes
   * (`POST /rest/{kind}/{type}/{to}`): a form body without any `=` is then
   * refused (an empty one is no body), instead of read as URL-encoded text.
   */
  path?: boolean;
  /** True to accept any JSON value but `false` (an iq payload named in the path), not only an object. */
  anyJson?: boolean;
  /** True to accept an XML declaration before the element (common in PHP and Java frameworks). */
  allowXmlDeclaration?: boolean;
  /** Largest stanza the XML parser accepts, in bytes. Default: the parser's. */
  maxStanzaBytes?: number;
}

function fail(reason: string, cause?: unknown): WireFailure {
  return { ok: false, reason, cause };
}

// Syntax errors (XML, JSON) and type errors (JSON mapping, JIDs, characters
// XML forbids) describe the body; anything else is a bug and propagates.
function failure(error: unknown): WireFailure {
  if (error instanceof SyntaxError || error instanceof TypeError) {
    return fail(error.message, error);
  }
  throw error;
}

/** One strict decoder for every body: without `stream` a decode keeps no state. */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
/** The same without the check, which is the faster decode (both drop a BOM). */
const looseUtf8 = new TextDecoder("utf-8");

/**
 * Decodes UTF-8 strictly (an invalid sequence is a failure, not U+FFFD).
 *
 * @example
 * ```ts
 * decodeUtf8(new Uint8Array([0x68, 0x69])); // { ok: true, value: "hi" }
 * decodeUtf8(new Uint8Array([0xff])).ok; // false
 * ```
 */
export function decodeUtf8(bytes: Uint8Array): WireResult<string> {
  // Text without U+FFFD came from valid UTF-8 (an invalid sequence would
  // have become one); only text with it is decoded again, strictly.
  const text = looseUtf8.decode(bytes);
  if (!text.includes("\uFFFD")) return { ok: true, value: text };
  try {
    return { ok: true, value: strictUtf8.decode(bytes) };
  } catch (error) {
    return failure(error);
  }
}

/**
 * URL-decodes a form body that has no `=` as text, with the same parser as
 * form fields (`+` is a space, a malformed `%` escape is kept).
 */
function decodeFormText(text: string): string {
  return new URLSearchParams("x=" + text.replaceAll("&", "%26")).get("x") ??
    "";
}

/**
 * Decodes a body of a known format. XML must be exactly one element,
 * unprefixed names resolving in `jabber:client`; JSON must be an object
 * (see {@linkcode DecodeOptions.anyJson}); a form body without any `=` is
 * URL-encoded text (see {@linkcode DecodeOptions.path}); `none` is no body.
 *
 * @example
 * ```ts
 * decodeBody("to=a%40example.org&body=Hi", "form");
 * // { ok: true, value: { format: "form", fields: { to: "a@example.org", body: "Hi" } } }
 * decodeBody("Hi+there", "form"); // { ok: true, value: { format: "text", text: "Hi there" } }
 * decodeBody("[1]", "json").ok; // false
 * ```
 */
export function decodeBody(
  text: string,
  format: RequestFormat,
  options: DecodeOptions = {},
): WireResult<DecodedBody> {
  switch (format) {
    case "none":
      return { ok: true, value: { format: "none" } };
    case "xml":
      try {
        const element = parseXml(text, {
          defaultNamespace: NS.client,
          allowXmlDeclaration: options.allowXmlDeclaration,
          maxStanzaBytes: options.maxStanzaBytes,
        });
        return { ok: true, value: { format: "xml", element } };
      } catch (error) {
        return failure(error);
      }
    case "json": {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        return failure(error);
      }
      const isObject = typeof json === "object" && json !== null &&
        !Array.isArray(json);
      if (!isObject && !(options.anyJson === true && json !== false)) {
        return fail("JSON body is not an object");
      }
      return { ok: true, value: { format: "json", json } };
    }
    case "form":
      if (text.includes("=")) {
        return {
          ok: true,
          value: { format: "form", fields: decodeForm(text) },
        };
      }
      if (options.path === true) {
        return text.trim() === ""
          ? { ok: true, value: { format: "none" } }
          : fail('form body without any "=" on a path route');
      }
      return {
        ok: true,
        value: { format: "text", text: decodeFormText(text) },
      };
    case "text":
      return { ok: true, value: { format: "text", text } };
  }
}

/**
 * The stanza a decoded body stands for on its own (no path): XML as is,
 * JSON and form fields through the JSON mapping (form values coerced),
 * text as `<message type="chat"><body>TEXT</body></message>`. No body is
 * a failure. A mapping failure keeps the `JsonMappingError` as `cause`.
 *
 * @example
 * ```ts
 * const decoded = decodeBody('{"kind":"message","body":"Hi"}', "json");
 * if (decoded.ok) bodyStanza(decoded.value); // { ok: true, value: <message><body>Hi</body></message> }
 * ```
 */
export function bodyStanza(body: DecodedBody): WireResult<XmlElement> {
  switch (body.format) {
    case "xml":
      return { ok: true, value: body.element };
    case "json":
      return jsonStanza(body.json, false);
    case "form":
      return jsonStanza(body.fields, true);
    case "text":
      return textMessage(body.text);
    case "none":
      return fail("no body");
  }
}

/**
 * A stanza from its JSON mapping; `coerce` reads string values as
 * numbers and booleans where the mapping expects them (form fields).
 *
 * @example
 * ```ts
 * jsonStanza({ kind: "presence" }, false); // { ok: true, value: <presence/> }
 * jsonStanza({ kind: "nope" }, false).ok; // false
 * ```
 */
export function jsonStanza(
  json: unknown,
  coerce: boolean,
): WireResult<XmlElement> {
  try {
    return { ok: true, value: jsonToStanza(json, { coerce }) };
  } catch (error) {
    return failure(error);
  }
}

/**
 * `<message type="chat"><body>TEXT</body></message>`, the stanza a
 * `text/plain` body stands for.
 *
 * @example
 * ```ts
 * textMessage("Hello"); // { ok: true, value: <message type="chat"><body>Hello</body></message> }
 * ```
 */
export function textMessage(text: string): WireResult<XmlElement> {
  return jsonStanza({ kind: "message", type: "chat", body: text }, false);
}
