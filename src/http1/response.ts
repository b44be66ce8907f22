// RFC 9112 sections 4 and 6 (status line, message body length) and RFC 9110 section 6.6.1 (Date): serialising a response head.

import { REASON_PHRASES } from "./reasons.ts";

/** How the body of a response is delimited on the wire. */
export type ResponseFraming =
  /** `Content-Length: n` (also for HEAD, announcing the GET body). */
  | { readonly kind: "length"; readonly length: number }
  /** `Transfer-Encoding: chunked`. */
  | { readonly kind: "chunked" }
  /** No body and no length field (1xx, 204; RFC 9110 section 8.6). */
  | { readonly kind: "none" };

/** Fields the engine writes itself; a handler's own values are dropped (RFC 9110 section 7.6.1). */
const HOP_BY_HOP = new Set([
  "connection",
  "content-length",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "date",
]);

/** True for a field name the serialiser sets itself (framing, connection, date). */
export function engineOwnsField(name: string): boolean {
  return HOP_BY_HOP.has(name.toLowerCase());
}

/** True when a response with this status never has a body (RFC 9110 section 6.4.1). */
export function statusHasNoBody(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

let dateSecond = -1;
let dateText = "";

/** The `Date` value for now, as an IMF-fixdate, computed once a second. */
export function httpDate(nowMs: number = Date.now()): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/**
 * The status line and header section of a response, ending with the empty
 * line. `headers` are written as given (names lower-case, as `Headers`
 * iterates them) except the fields the engine owns; then `Date`, the
 * framing field and `Connection: close` when the connection ends.
 *
 * @example
 * ```ts
 * responseHead(200, [["content-type", "text/plain"]], { kind: "length", length: 2 }, false, "Thu, 01 Jan 1970 00:00:00 GMT");
 * // "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ndate: Thu, 01 Jan 1970 00:00:00 GMT\r\ncontent-length: 2\r\n\r\n"
 * ```
 */
export function responseHead(
  status: number,
  headers: Iterable<readonly [string, string]>,
  framing: ResponseFraming,
  close: boolean,
  date: string = httpDate(),
): string {
  let head = `HTTP/1.1 ${status} ${REASON_PHRASES[status] ?? ""}\r\n`;
  for (const [name, value] of headers) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) head += `${name}: ${value}\r\n`;
  }
  head += `date: ${date}\r\n`;
  if (framing.kind === "length") {
    head += `content-length: ${framing.length}\r\n`;
  } else if (framing.kind === "chunked") {
    head += "transfer-encoding: chunked\r\n";
  }
  if (close) head += "connection: close\r\n";
  return head + "\r\n";
}

/**
 * A complete plain-text answer the engine gives on its own (a refused
 * request head, a failed body): `Connection: close` always.
 */
export function plainResponse(status: number, text: string): string {
  const body = `${text}\n`;
  return responseHead(
    status,
    [["content-type", "text/plain; charset=utf-8"]],
    { kind: "length", length: body.length },
    true,
  ) + body;
}

/** The interim answer to `Expect: 100-continue` (RFC 9110 section 10.1.1). */
export const CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n";
