// RFC 9112 section 6: how a request body is delimited, refusing every framing that could smuggle a request.

import { type HeadError, printable } from "./head_error.ts";

/** How the body of a request is delimited (RFC 9112 section 6.3). */
export type BodyFraming =
  | { readonly kind: "none" }
  | { readonly kind: "length"; readonly length: number }
  | { readonly kind: "chunked" };

/**
 * RFC 9112 section 6.3: the framing of a request body from its
 * `Content-Length` and `Transfer-Encoding` values (repeated fields joined
 * with commas), or why the request is refused: both at once, a length
 * list that differs or is not numeric, `chunked` not last or applied twice
 * (400), another transfer coding (501).
 */
export function requestBodyFraming(
  length: string | undefined,
  transferEncoding: string | undefined,
  version: "1.1" | "1.0",
): BodyFraming | HeadError {
  if (transferEncoding !== undefined) {
    // Section 6.1: both at once "ought to be handled as an error" (smuggling).
    if (length !== undefined) {
      return {
        status: 400,
        text: "Bad request: Content-Length and Transfer-Encoding together",
      };
    }
    if (version === "1.0") {
      return {
        status: 400,
        text: "Bad request: Transfer-Encoding in an HTTP/1.0 request",
      };
    }
    const codings = transferEncoding.toLowerCase().split(",").map((c) =>
      c.trim()
    ).filter((c) => c !== "");
    if (codings.length === 0) {
      return { status: 400, text: "Bad request: empty Transfer-Encoding" };
    }
    // Section 6.3 item 4: without chunked last, the length is unknowable.
    if (codings.at(-1) !== "chunked") {
      return {
        status: 400,
        text: "Bad request: chunked must be the final transfer coding",
      };
    }
    const other = codings.find((c) => c !== "chunked");
    if (other !== undefined) {
      return {
        status: 501,
        text: `Not implemented: transfer coding "${printable(other)}"`,
      };
    }
    if (codings.length > 1) {
      return {
        status: 400,
        text: "Bad request: chunked applied more than once",
      };
    }
    return { kind: "chunked" };
  }
  if (length === undefined) return { kind: "none" };
  // Section 6.3 item 5: a list of identical values counts as one value.
  const values = length.split(",").map((v) => v.trim());
  if (values.some((v) => !/^\d{1,15}$/.test(v))) {
    return {
      status: 400,
      text: `Bad request: invalid Content-Length "${printable(length)}"`,
    };
  }
  const n = Number(values[0]);
  if (values.some((v) => Number(v) !== n)) {
    return {
      status: 400,
      text: "Bad request: differing Content-Length values",
    };
  }
  return n === 0 ? { kind: "none" } : { kind: "length", length: n };
}
