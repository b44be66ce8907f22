// RFC 9112 sections 3, 4 and 6.3 (HTTP/1.1 message syntax) from the client's side: serialising a request head and parsing a response head with its body framing.

/** Limits of a response head. */
export const RESPONSE_HEAD_LIMITS = {
  /** Bytes of the status line and header fields together, CRLFs included. */
  maxHeadBytes: 64 * 1024,
  /** Header field lines. */
  maxHeaders: 200,
} as const;

/** How the body of a response is delimited (RFC 9112 section 6.3). */
export type ResponseBodyFraming =
  | { readonly kind: "none" }
  | { readonly kind: "length"; readonly length: number }
  | { readonly kind: "chunked" }
  /** No length: the body ends when the server closes the connection. */
  | { readonly kind: "close" };

/** A parsed response head. */
export interface ResponseHead {
  /** `1.1` or `1.0`. */
  readonly version: "1.1" | "1.0";
  /** The status code (100-599). */
  readonly status: number;
  /** The reason phrase (may be empty). */
  readonly reason: string;
  /** Field lines in order, names lower-cased, values trimmed. */
  readonly headers: readonly (readonly [string, string])[];
  /** How the body is delimited. */
  readonly body: ResponseBodyFraming;
  /** False when the connection cannot carry another request afterwards. */
  readonly keepAlive: boolean;
}

/** The outcome of {@linkcode parseResponseHead}. */
export type ResponseHeadParse =
  | { readonly ok: true; readonly head: ResponseHead }
  | { readonly ok: false; readonly text: string };

const latin1 = new TextDecoder("latin1");
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-5]\d\d)(?: (.*))?$/;
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// deno-lint-ignore no-control-regex
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;

function bad(text: string): ResponseHeadParse {
  return { ok: false, text: `Cannot parse response head: ${text}` };
}

/**
 * Parses a complete response head (as delimited by `headEnd` of `head.ts`)
 * to a request with `method`. The body framing follows RFC 9112 section
 * 6.3: none for HEAD, 1xx, 204 and 304; chunked when it is the final
 * transfer coding (a `Content-Length` beside it is ignored and the
 * connection not reused); a valid `Content-Length`; otherwise the body
 * lasts until the connection closes. Differing or invalid lengths, bare
 * CR or LF, obs-fold and control characters are refused.
 *
 * @example
 * ```ts
 * const bytes = new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
 * parseResponseHead(bytes, "POST"); // { ok: true, head: { status: 200, body: { kind: "length", length: 2 }, ... } }
 * ```
 */
export function parseResponseHead(
  bytes: Uint8Array,
  method: string,
): ResponseHeadParse {
  if (bytes.byteLength > RESPONSE_HEAD_LIMITS.maxHeadBytes) {
    return bad(`larger than ${RESPONSE_HEAD_LIMITS.maxHeadBytes} bytes`);
  }
  const lines = latin1.decode(bytes).split("\r\n");
  if (lines.length < 3 || lines.pop() !== "" || lines.pop() !== "") {
    return bad("lines must end with CRLF");
  }
  const status = STATUS_LINE.exec(lines[0]);
  if (status === null) return bad("invalid status line");
  if (lines.length - 1 > RESPONSE_HEAD_LIMITS.maxHeaders) {
    return bad(`more than ${RESPONSE_HEAD_LIMITS.maxHeaders} fields`);
  }
  const headers: [string, string][] = [];
  let length: string | undefined;
  let transferEncoding: string | undefined;
  let connection = "";
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.includes("\r") || line.includes("\n")) return bad("bare CR or LF");
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).toLowerCase();
    if (colon <= 0 || !FIELD_NAME.test(name)) {
      return bad("invalid field line (obs-fold or no name)");
    }
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    if (BAD_VALUE.test(value)) return bad(`control character in "${name}"`);
    headers.push([name, value]);
    if (name === "content-length") {
      length = length === undefined ? value : `${length},${value}`;
    } else if (name === "transfer-encoding") {
      transferEncoding = transferEncoding === undefined
        ? value
        : `${transferEncoding},${value}`;
    } else if (name === "connection") {
      connection += `,${value.toLowerCase()}`;
    }
  }
  const version = status[1] === "1" ? "1.1" : "1.0";
  const code = Number(status[2]);
  const tokens = connection.split(",").map((t) => t.trim());
  let keepAlive = version === "1.1"
    ? !tokens.includes("close")
    : tokens.includes("keep-alive") && !tokens.includes("close");
  let body: ResponseBodyFraming;
  if (
    method === "HEAD" || code < 200 || code === 204 || code === 304
  ) {
    body = { kind: "none" };
  } else if (transferEncoding !== undefined) {
    const codings = transferEncoding.toLowerCase().split(",").map((c) =>
      c.trim()
    );
    body = codings.at(-1) === "chunked" && version === "1.1"
      ? { kind: "chunked" }
      : { kind: "close" };
    // Section 6.1: a Content-Length beside it may be an attack; no reuse.
    if (length !== undefined) keepAlive = false;
  } else if (length !== undefined) {
    const values = length.split(",").map((v) => v.trim());
    const n = Number(values[0]);
    if (values.some((v) => !/^\d{1,15}$/.test(v) || Number(v) !== n)) {
      return bad(`invalid Content-Length "${length.slice(0, 40)}"`);
    }
    body = n === 0 ? { kind: "none" } : { kind: "length", length: n };
  } else {
    body = { kind: "close" };
  }
  if (body.kind === "close") keepAlive = false;
  return {
    ok: true,
    head: {
      version,
      status: code,
      reason: status[3] ?? "",
      headers,
      body,
      keepAlive,
    },
  };
}

/**
 * The head of a request with a body of `contentLength` bytes (RFC 9112
 * sections 3 and 6.2): request line, `Host`, the given fields (names as
 * given; `Host`, `Content-Length`, `Transfer-Encoding` and `Connection`
 * among them are dropped, the serialiser owns framing) and
 * `Content-Length` (omitted for a bodiless request other than POST/PUT).
 * Field values must already be valid (a `Headers` object checks them).
 *
 * @example
 * ```ts
 * requestHead("POST", "/hook", "127.0.0.1:8080", [["content-type", "text/plain"]], 2);
 * // "POST /hook HTTP/1.1\r\nHost: 127.0.0.1:8080\r\ncontent-type: text/plain\r\nContent-Length: 2\r\n\r\n"
 * ```
 */
export function requestHead(
  method: string,
  target: string,
  host: string,
  fields: Iterable<readonly [string, string]>,
  contentLength: number,
): string {
  let head = `${method} ${target} HTTP/1.1\r\nHost: ${host}\r\n`;
  for (const [name, value] of fields) {
    if (OWN_FIELDS.has(name.toLowerCase())) continue;
    head += `${name}: ${value}\r\n`;
  }
  if (contentLength > 0 || method === "POST" || method === "PUT") {
    head += `Content-Length: ${contentLength}\r\n`;
  }
  return head + "\r\n";
}

const OWN_FIELDS = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
]);
