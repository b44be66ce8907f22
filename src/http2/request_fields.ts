// RFC 9113 sections 8.2 and 8.3: the checks on a request's header list (pseudo-header fields, lower-case names, no connection-specific fields), pure.

import type { HeaderField } from "./hpack.ts";

/** A request's control data and fields, as the header list carried them. */
export interface RequestFields {
  readonly method: string;
  readonly scheme: string;
  /** `:authority`, or the Host field, or "" (RFC 9113 section 8.3.1). */
  readonly authority: string;
  readonly path: string;
  /** The regular fields in order (`cookie` crumbs joined, section 8.2.3). */
  readonly fields: HeaderField[];
  /** The content-length, -1 when none was given (DATA must match it, section 8.1.1). */
  readonly contentLength: number;
}

/** The result of {@linkcode requestFields}: the request, or why it is malformed (a stream error PROTOCOL_ERROR). */
export type RequestFieldsResult =
  | { readonly ok: true; readonly request: RequestFields }
  | { readonly ok: false; readonly error: string };

/** RFC 9113 section 8.2.2: fields that only make sense on an HTTP/1.1 connection. */
const CONNECTION_SPECIFIC = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
]);

/** RFC 9110 section 5.1 token characters, lower-case only (RFC 9113 section 8.2.1). */
const NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
/** RFC 9113 section 8.2.1: no NUL, CR or LF anywhere, no leading or trailing whitespace. */
const BAD_VALUE = /[\0\r\n]|^[ \t]|[ \t]$/;

/**
 * Checks a request's decoded header list: the four request pseudo-header
 * fields once each and before every regular field, `:method`, `:scheme`
 * and a non-empty `:path` present (CONNECT is not served), names
 * lower-case tokens, values without NUL/CR/LF or surrounding whitespace,
 * no connection-specific field, `te` only "trailers".
 *
 * @example
 * ```ts
 * requestFields([[":method", "GET"], [":scheme", "https"], [":path", "/"]]).ok; // true
 * ```
 */
export function requestFields(
  list: readonly HeaderField[],
): RequestFieldsResult {
  const pseudo: Record<string, string> = {};
  const fields: HeaderField[] = [];
  let cookie: string | undefined;
  for (const field of list) {
    const [name, value] = field;
    if (name[0] === ":") {
      if (fields.length > 0 || cookie !== undefined) {
        return fail(`pseudo-header field ${name} after a regular field`);
      }
      if (
        name !== ":method" && name !== ":scheme" && name !== ":path" &&
        name !== ":authority"
      ) return fail(`unknown pseudo-header field ${name}`);
      if (name in pseudo) return fail(`repeated ${name}`);
      if (BAD_VALUE.test(value)) return fail(`invalid value of ${name}`);
      pseudo[name] = value;
      continue;
    }
    if (!NAME.test(name)) {
      return fail(`invalid field name "${printable(name)}"`);
    }
    if (BAD_VALUE.test(value)) return fail(`invalid value of ${name}`);
    if (CONNECTION_SPECIFIC.has(name)) {
      return fail(`connection-specific field ${name}`);
    }
    if (name === "te" && value !== "trailers") {
      return fail('te other than "trailers"');
    }
    if (name === "cookie") {
      cookie = cookie === undefined ? value : `${cookie}; ${value}`;
      continue;
    }
    fields.push(field); // the decoded pair itself: no copy per request
  }
  const method = pseudo[":method"];
  if (method === undefined) return fail("no :method");
  if (method === "CONNECT") return fail("CONNECT is not served");
  const scheme = pseudo[":scheme"];
  const path = pseudo[":path"];
  if (scheme === undefined) return fail("no :scheme");
  if (path === undefined || path === "") return fail("no :path");
  if (cookie !== undefined) fields.push(["cookie", cookie]);
  const length = fields.find(([name]) => name === "content-length")?.[1];
  if (length !== undefined && !/^\d{1,15}$/.test(length)) {
    return fail("invalid content-length");
  }
  const host = fields.find(([name]) => name === "host")?.[1];
  return {
    ok: true,
    request: {
      method,
      scheme,
      authority: pseudo[":authority"] ?? host ?? "",
      path,
      fields,
      contentLength: length === undefined ? -1 : Number(length),
    },
  };
}

function fail(error: string): RequestFieldsResult {
  return { ok: false, error: `Malformed request: ${error}` };
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, 64);
}
