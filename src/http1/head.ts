// RFC 9112 sections 2-7 (HTTP/1.1 message syntax): the request head, its limits and the body framing rules that prevent request smuggling (section 6).

import { knownFieldName } from "./field_names.ts";
import { BoundedMemo } from "../bounded_memo.ts";
import { type BodyFraming, requestBodyFraming } from "./body_framing.ts";
import { type HeadError, printable } from "./head_error.ts";

/** Limits of a request head (README "Security notes"). */
export const HEAD_LIMITS = {
  /** Bytes of the request line and header fields together, CRLFs included. */
  maxHeadBytes: 16 * 1024,
  /** Header field lines. */
  maxHeaders: 100,
  /** Bytes of the request target. */
  maxTargetBytes: 8 * 1024,
} as const;

/** A parsed request head. */
export interface RequestHead {
  /** The method, case preserved (methods are case-sensitive). */
  readonly method: string;
  /** The request target as sent (origin-form or absolute-form). */
  readonly target: string;
  /** `1.1` or `1.0`. */
  readonly version: "1.1" | "1.0";
  /** Field lines in order, names lower-cased, values trimmed. */
  readonly headers: readonly (readonly [string, string])[];
  /** The `Host` value, if sent. */
  readonly host?: string;
  /** How the body is delimited. */
  readonly body: BodyFraming;
  /** False when the connection closes after this exchange (`Connection: close`, HTTP/1.0). */
  readonly keepAlive: boolean;
  /** `Expect: 100-continue` was sent. */
  readonly expectContinue: boolean;
}

/** The outcome of {@linkcode parseRequestHead}. */
export type HeadParse =
  | { readonly ok: true; readonly head: RequestHead }
  | { readonly ok: false; readonly error: HeadError };

const LF = 10;
const CR = 13;

/**
 * Where the head that starts at `from` ends: the index just past the
 * empty line, or -1 when it has not fully arrived. An LF LF pair counts
 * as an end too, so a head with bare LFs is refused at once by
 * {@linkcode parseRequestHead} instead of waiting for its timeout.
 *
 * @example
 * ```ts
 * headEnd(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 0, 27); // 27
 * ```
 */
export function headEnd(bytes: Uint8Array, from: number, to: number): number {
  let at = bytes.indexOf(LF, from);
  while (at !== -1 && at < to) {
    const next = at + 1;
    if (next < to && bytes[next] === LF) return next + 1;
    if (next + 1 < to && bytes[next] === CR && bytes[next + 1] === LF) {
      return next + 2;
    }
    at = bytes.indexOf(LF, next);
  }
  return -1;
}

/**
 * How many empty lines (CRLF) precede a request line at `from`; RFC 9112
 * section 2.2 asks servers to ignore at least one.
 */
export function leadingEmptyLines(
  bytes: Uint8Array,
  from: number,
  to: number,
): number {
  let at = from;
  while (at + 1 < to && bytes[at] === CR && bytes[at + 1] === LF) at += 2;
  return at - from;
}

const latin1 = new TextDecoder("latin1");
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_NAME = METHOD;
const TARGET = /^[\x21-\x7e]+$/;
// RFC 9110 section 7.2: uri-host [ ":" port ] (reg-name, IPv4 or IP-literal).
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]*)(:\d{0,5})?$/;
// Every control character but HTAB (RFC 9110 section 5.5); CR and LF are
// handled where lines are split.
// deno-lint-ignore no-control-regex
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;

function bad(status: number, text: string): HeadParse {
  return { ok: false, error: { status, text } };
}

const asciiFirst = new TextDecoder("utf-8", { ignoreBOM: true });
/**
 * True when `bytes` hold nothing that needs a closer look: only visible
 * ASCII, SP, HTAB and CRLF pairs (no bare CR or LF, no control character,
 * no obs-text). Nearly every head is so, and then the per-line checks for
 * those are skipped.
 */
function isPlain(bytes: Uint8Array): boolean {
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if ((c >= 0x20 && c < 0x7f) || c === 9) continue;
    if (c === CR && bytes[i + 1] === LF) {
      i++;
      continue;
    }
    return false;
  }
  return true;
}

/**
 * The bytes as ISO-8859-1 text (field values may carry obs-text, RFC 9110
 * section 5.5), given `ascii`, their UTF-8 decoding, which is the same
 * text when they are all ASCII.
 */
function decodeLatin1(bytes: Uint8Array, ascii: string): string {
  // deno-lint-ignore no-control-regex
  if (!/[^\x00-\x7f]/.test(ascii)) return ascii;
  if (bytes.byteLength <= 4096) {
    // One call, no decoder op: every byte becomes the code point of its value.
    return String.fromCharCode.apply(null, bytes as unknown as number[]);
  }
  const text = latin1.decode(bytes); // windows-1252 differs in 0x80-0x9F
  if (!/[\u0100-\uffff]/.test(text)) return text;
  let out = "";
  for (const byte of bytes) out += String.fromCharCode(byte);
  return out;
}

/**
 * Parses a complete request head (as delimited by {@linkcode headEnd}).
 * Refuses, with the status RFC 9112 and RFC 9110 give: a malformed request
 * line, bare CR or LF, obs-fold, whitespace before a colon, a missing or
 * repeated `Host` (400); an HTTP version other than 1.x (505); a target,
 * head or field count over {@linkcode HEAD_LIMITS} (414, 431); and every
 * framing that could smuggle a request (section 6): `Content-Length`
 * together with `Transfer-Encoding`, differing or non-numeric lengths,
 * `chunked` not last (400), a transfer coding other than chunked (501).
 *
 * @example
 * ```ts
 * const bytes = new TextEncoder().encode("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
 * parseRequestHead(bytes); // { ok: true, head: { method: "GET", target: "/x", ... } }
 * ```
 */
export function parseRequestHead(bytes: Uint8Array): HeadParse {
  if (bytes.byteLength > HEAD_LIMITS.maxHeadBytes) {
    return bad(
      431,
      `Request header fields too large: the head exceeds ${HEAD_LIMITS.maxHeadBytes} bytes`,
    );
  }
  // Heads are ASCII nearly always, and for ASCII UTF-8 is the same mapping;
  // the decoder makes no temporary array (a BOM is kept, so it is seen).
  const clean = isPlain(bytes);
  const ascii = asciiFirst.decode(bytes);
  if (!clean) return parseText(decodeLatin1(bytes, ascii), false);
  // A plain head is its text, byte for byte: the same text, the same head.
  const known = parsedHeads.get(ascii);
  if (known !== undefined) return known;
  const parsed = parseText(ascii, true);
  if (parsed.ok) parsedHeads.set(ascii, freezeHead(parsed));
  return parsed;
}

/**
 * Plain heads parsed before, by their text: a client sends the same head
 * again and again (only a request id or the body's length differs, if
 * anything), so most are parsed once. Their results are frozen and shared.
 */
const parsedHeads = new BoundedMemo<HeadParse>(256);

/** `parsed`, made immutable all the way down (it is shared by every request with that head). */
function freezeHead(parsed: HeadParse & { ok: true }): HeadParse {
  const { head } = parsed;
  for (const pair of head.headers) Object.freeze(pair);
  Object.freeze(head.headers);
  Object.freeze(head.body);
  Object.freeze(head);
  return Object.freeze(parsed);
}

/** Parses the text of a head; `clean` when it holds nothing unusual (see `isPlain`). */
function parseText(text: string, clean: boolean): HeadParse {
  const lines = text.split("\r\n");
  // The head ends with an empty line: two empty strings at the end.
  if (lines.length < 3 || lines.pop() !== "" || lines.pop() !== "") {
    return bad(400, "Cannot parse request head: lines must end with CRLF");
  }
  const requestLine = lines[0];
  if (!clean && (requestLine.includes("\r") || requestLine.includes("\n"))) {
    return bad(
      400,
      "Cannot parse request head: bare CR or LF (lines end with CRLF)",
    );
  }
  const first = requestLine.indexOf(" ");
  const last = requestLine.lastIndexOf(" ");
  if (first <= 0 || last === first) {
    return bad(
      400,
      "Cannot parse request line: expected method, target and version",
    );
  }
  const method = requestLine.slice(0, first);
  const target = requestLine.slice(first + 1, last);
  const protocol = requestLine.slice(last + 1);
  if (!METHOD.test(method)) {
    return bad(400, "Cannot parse request line: invalid method");
  }
  if (target.length > HEAD_LIMITS.maxTargetBytes) {
    return bad(
      414,
      `URI too long: the target exceeds ${HEAD_LIMITS.maxTargetBytes} bytes`,
    );
  }
  if (!TARGET.test(target)) {
    return bad(400, "Cannot parse request line: invalid request target");
  }
  if (target[0] !== "/" && !/^https?:\/\//i.test(target) && target !== "*") {
    return bad(
      400,
      "Cannot parse request line: the target must be a path or an absolute URL",
    );
  }
  let version: "1.1" | "1.0";
  if (protocol === "HTTP/1.1") version = "1.1";
  else if (protocol === "HTTP/1.0") version = "1.0";
  else if (/^HTTP\/\d\.\d$/.test(protocol)) {
    return bad(505, `HTTP version not supported: ${protocol}`);
  } else return bad(400, "Cannot parse request line: invalid HTTP version");
  if (lines.length - 1 > HEAD_LIMITS.maxHeaders) {
    return bad(
      431,
      `Request header fields too large: more than ${HEAD_LIMITS.maxHeaders} fields`,
    );
  }
  return parseFields(lines, method, target, version, clean);
}

const NO_TOKENS: readonly string[] = [];

function parseFields(
  lines: string[],
  method: string,
  target: string,
  version: "1.1" | "1.0",
  clean: boolean,
): HeadParse {
  const headers: [string, string][] = [];
  let host: string | undefined;
  let hosts = 0;
  let length: string | undefined;
  let transferEncoding: string | undefined;
  let connection = "";
  let expect: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!clean && (line.includes("\r") || line.includes("\n"))) {
      return bad(
        400,
        "Cannot parse request head: bare CR or LF (lines end with CRLF)",
      );
    }
    const first = line.charCodeAt(0);
    if (first === 32 || first === 9) {
      return bad(
        400,
        "Cannot parse request head: obs-fold (a field line starting with whitespace) is not accepted",
      );
    }
    const colon = line.indexOf(":");
    if (colon <= 0) {
      return bad(400, "Cannot parse header field: expected name: value");
    }
    const raw = line.slice(0, colon);
    const known = knownFieldName(raw);
    const name = known ?? raw.toLowerCase();
    if (known === undefined && !FIELD_NAME.test(name)) {
      return bad(
        400,
        `Cannot parse header field: invalid name "${printable(name)}"`,
      );
    }
    const value = trimOws(line, colon + 1);
    if (!clean && BAD_VALUE.test(value)) {
      return bad(
        400,
        `Cannot parse header field "${name}": control character in the value`,
      );
    }
    headers.push([name, value]);
    switch (name) {
      case "host":
        host = value;
        hosts++;
        break;
      case "content-length":
        length = length === undefined ? value : `${length},${value}`;
        break;
      case "transfer-encoding":
        transferEncoding = transferEncoding === undefined
          ? value
          : `${transferEncoding},${value}`;
        break;
      case "connection":
        connection += `,${value.toLowerCase()}`;
        break;
      case "expect":
        expect = value.toLowerCase();
        break;
    }
  }
  // RFC 9112 section 3.2: exactly one Host in HTTP/1.1.
  if (hosts > 1) return bad(400, "Bad request: more than one Host header");
  if (hosts === 0 && version === "1.1") {
    return bad(400, "Bad request: HTTP/1.1 requires a Host header");
  }
  if (host !== undefined && !HOST.test(host)) {
    return bad(400, `Bad request: invalid Host "${printable(host)}"`);
  }
  const framing = requestBodyFraming(length, transferEncoding, version);
  if ("status" in framing) return { ok: false, error: framing };
  if (expect !== undefined && expect !== "100-continue") {
    return bad(
      417,
      `Expectation failed: only 100-continue is supported, got "${
        printable(expect)
      }"`,
    );
  }
  const tokens = connection === ""
    ? NO_TOKENS
    : connection.split(",").map((t) => t.trim());
  const keepAlive = version === "1.1"
    ? !tokens.includes("close")
    : tokens.includes("keep-alive") && !tokens.includes("close");
  return {
    ok: true,
    head: {
      method,
      target,
      version,
      headers,
      host,
      body: framing,
      keepAlive,
      expectContinue: expect === "100-continue" && version === "1.1" &&
        framing.kind !== "none",
    },
  };
}

/** The text after `from` without optional whitespace (SP, HTAB) around it. */
function trimOws(line: string, from: number): string {
  let start = from;
  let end = line.length;
  while (start < end && isOws(line.charCodeAt(start))) start++;
  while (end > start && isOws(line.charCodeAt(end - 1))) end--;
  return line.slice(start, end);
}

function isOws(code: number): boolean {
  return code === 32 || code === 9;
}
