// RFC 9112 section 7.1 (chunked transfer coding): an incremental decoder for request bodies and the encoder for streamed responses.

/** Limits of the chunked decoder. */
export const CHUNKED_LIMITS = {
  /** Bytes of one chunk-size line (size, extensions) or trailer line. */
  maxLineBytes: 4096,
  /** Bytes of the whole trailer section. */
  maxTrailerBytes: 16 * 1024,
} as const;

/** What one {@linkcode ChunkedDecoder.decode} call found. */
export type ChunkedStep =
  /** `data` (a view into the input) is body content; `used` input bytes were consumed. */
  | { readonly kind: "data"; readonly data: Uint8Array; readonly used: number }
  /** The input was consumed without content (size lines, CRLFs); feed more. */
  | { readonly kind: "more"; readonly used: number }
  /** The last chunk and the trailer section ended; `used` bytes belong to the body. */
  | { readonly kind: "end"; readonly used: number }
  /** The body is malformed; answer 400 and close. */
  | { readonly kind: "error"; readonly text: string };

type State = "size" | "data" | "data-crlf" | "trailer";

const LF = 10;
const CR = 13;
const HEX = /^[0-9a-fA-F]{1,13}$/;

/**
 * Decodes a chunked body incrementally: feed whatever bytes arrived, get
 * content slices back (views, no copies); a line split across reads is
 * kept until it is complete. Chunk extensions are ignored and trailer
 * fields discarded (RFC 9112 section 7.1.1, 7.1.2).
 *
 * @example
 * ```ts
 * const decoder = new ChunkedDecoder();
 * decoder.decode(new TextEncoder().encode("3\r\nabc\r\n0\r\n\r\n"));
 * // { kind: "data", data: "abc" as bytes, used: 8 }, then { kind: "end", used: 5 } for the rest
 * ```
 */
export class ChunkedDecoder {
  #state: State = "size";
  #remaining = 0;
  #partial = "";
  #trailerBytes = 0;

  /** True once the last chunk and trailers were read. */
  get done(): boolean {
    return this.#state === "trailer" && this.#remaining < 0;
  }

  /** Decodes from the start of `input`; call again with the rest (`input.subarray(used)`). */
  decode(input: Uint8Array): ChunkedStep {
    let at = 0;
    while (at < input.byteLength) {
      switch (this.#state) {
        case "data": {
          const n = Math.min(this.#remaining, input.byteLength - at);
          this.#remaining -= n;
          if (this.#remaining === 0) this.#state = "data-crlf";
          return {
            kind: "data",
            data: input.subarray(at, at + n),
            used: at + n,
          };
        }
        case "data-crlf": {
          const taken = this.#takeLine(input, at);
          if (taken === -1) return { kind: "more", used: input.byteLength };
          if ("kind" in taken) return taken;
          at = taken.next;
          if (taken.line !== "") return fail("chunk data not followed by CRLF");
          this.#state = "size";
          break;
        }
        case "size": {
          const taken = this.#takeLine(input, at);
          if (taken === -1) return { kind: "more", used: input.byteLength };
          if ("kind" in taken) return taken;
          at = taken.next;
          const semicolon = taken.line.indexOf(";");
          const size =
            (semicolon === -1 ? taken.line : taken.line.slice(0, semicolon))
              .replace(/[ \t]+$/, "");
          if (!HEX.test(size)) {
            return fail(`invalid chunk size "${size.slice(0, 20)}"`);
          }
          this.#remaining = parseInt(size, 16);
          this.#state = this.#remaining === 0 ? "trailer" : "data";
          break;
        }
        case "trailer": {
          if (this.#remaining < 0) return { kind: "end", used: at };
          const taken = this.#takeLine(input, at);
          if (taken === -1) return { kind: "more", used: input.byteLength };
          if ("kind" in taken) return taken;
          this.#trailerBytes += taken.next - at;
          at = taken.next;
          if (this.#trailerBytes > CHUNKED_LIMITS.maxTrailerBytes) {
            return fail("trailer section too large");
          }
          if (taken.line === "") {
            this.#remaining = -1;
            return { kind: "end", used: at };
          }
          break;
        }
      }
    }
    return { kind: "more", used: at };
  }

  /**
   * Completes the current line from `input` at `from`: the line (without
   * CRLF) and the index past its LF, -1 when the line continues in the
   * next input, or an error.
   */
  #takeLine(
    input: Uint8Array,
    from: number,
  ): { line: string; next: number } | -1 | { kind: "error"; text: string } {
    const lf = input.indexOf(LF, from);
    const end = lf === -1 ? input.byteLength : lf;
    if (end - from + this.#partial.length > CHUNKED_LIMITS.maxLineBytes) {
      return fail("chunk line too long");
    }
    const piece = String.fromCharCode(...input.subarray(from, end));
    if (lf === -1) {
      this.#partial += piece;
      return -1;
    }
    const line = this.#partial + piece;
    this.#partial = "";
    if (line.charCodeAt(line.length - 1) !== CR) {
      return fail("bare LF (lines end with CRLF)");
    }
    const text = line.slice(0, -1);
    if (text.includes("\r")) return fail("bare CR");
    return { line: text, next: lf + 1 };
  }
}

function fail(text: string): { kind: "error"; text: string } {
  return { kind: "error", text: `Cannot parse chunked body: ${text}` };
}

const encoder = new TextEncoder();

/** The last chunk with an empty trailer section, which ends a chunked body. */
export const LAST_CHUNK: Uint8Array = encoder.encode("0\r\n\r\n");

/**
 * One chunk framing `data` in a single buffer (size line, data, CRLF), so
 * it goes out in one write; empty data gives an empty buffer, never a
 * premature last chunk.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(encodeChunk(new TextEncoder().encode("hello"))); // "5\r\nhello\r\n"
 * ```
 */
export function encodeChunk(data: Uint8Array): Uint8Array {
  if (data.byteLength === 0) return new Uint8Array(0);
  const size = data.byteLength.toString(16);
  const out = new Uint8Array(size.length + 4 + data.byteLength);
  for (let i = 0; i < size.length; i++) out[i] = size.charCodeAt(i);
  out[size.length] = CR;
  out[size.length + 1] = LF;
  out.set(data, size.length + 2);
  out[out.length - 2] = CR;
  out[out.length - 1] = LF;
  return out;
}
