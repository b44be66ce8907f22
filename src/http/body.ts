// mod_rest request bodies (spec/mod_rest.md section 1.2): size-limited reading and parsing by Content-Type.

import type { XmlElement } from "../xml/element.ts";
import { parseXml } from "../xml/parser.ts";
import { XmlSyntaxError } from "../xml/errors.ts";
import { NS } from "../xmpp/namespaces.ts";
import { HttpError } from "./errors.ts";
import type { RequestFormat } from "./media.ts";
import { decodeForm } from "../jsonmap/urlencoded.ts";

/** A request body, parsed according to its Content-Type. */
export type ParsedBody =
  | { readonly format: "xml"; readonly element: XmlElement }
  | {
    readonly format: "json";
    /** An object, unless {@linkcode ParseBodyOptions.payload} allowed any value. */
    readonly json: unknown;
  }
  | {
    readonly format: "form";
    readonly fields: Readonly<Record<string, string>>;
  }
  | { readonly format: "text"; readonly text: string }
  | { readonly format: "none" };

/**
 * Reads a request body, failing with 413 as soon as more than `limit`
 * bytes have arrived (a larger `Content-Length` fails before reading at
 * all); the rest of the stream is cancelled, never buffered. A body still
 * incomplete after `timeoutMs` fails with 408 and `Connection: close`
 * (README "Security notes": a stalled upload holds no connection).
 */
export function readLimitedBody(
  request: Request,
  limit: number,
  timeoutMs = Infinity,
): Promise<Uint8Array> {
  const declared = request.headers.get("Content-Length");
  if (declared !== null && Number(declared) > limit) {
    return (request.body?.cancel() ?? Promise.resolve()).catch(() => {})
      .then(() => {
        throw new HttpError("size");
      });
  }
  if (request.body === null) return Promise.resolve(new Uint8Array(0));
  const read = declared !== null && /^\d+$/.test(declared)
    // RFC 9112 section 6.2: the declared length ends the body (Deno.serve
    // enforces it), so read it in one go: a stream reader costs about as
    // much CPU again as the rest of the HTTP request.
    ? request.bytes().then((bytes) => {
      if (bytes.byteLength > limit) throw new HttpError("size");
      return bytes;
    })
    : readChunks(request.body, limit);
  return Number.isFinite(timeoutMs) ? beforeDeadline(read, timeoutMs) : read;
}

/** `read`, or a 408 when it has not settled after `timeoutMs`. */
async function beforeDeadline<T>(
  read: Promise<T>,
  timeoutMs: number,
): Promise<T> {
  read.catch(() => {}); // it may fail after the deadline, when nobody waits
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new HttpError("body_timeout", { headers: { Connection: "close" } }),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([read, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function readChunks(
  body: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        throw new HttpError("size");
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      bytes,
    );
  } catch (cause) {
    throw new HttpError("parse", { cause });
  }
}

/** Options for {@linkcode parseBody}. */
export interface ParseBodyOptions {
  /** True when the route carries kind/type/to in the path (a form body without `=` is then a 400). */
  hasPath: boolean;
  /**
   * True when the path names an iq payload (`POST /rest/iq/stats/...`): the
   * JSON body is that payload's value, so any JSON value but `false` is
   * accepted (mod_rest wraps the decoded body as `{kind: "iq", [key]: body}`),
   * e.g. an array for `stats`, a node string for `disco`; `null` stands for
   * an empty payload, as in mod_rest.
   */
  payload?: boolean;
  /** Largest stanza the XML parser accepts, in bytes. */
  sizeLimit: number;
}

/**
 * Parses a body of a known format. XML must be exactly one element (no
 * XML declaration), unprefixed names resolving in `jabber:client`; JSON
 * must be an object (any value but false for an iq payload named in the
 * path); a form body without any `=` is URL-decoded text when
 * there is no path, else a 400; an empty body of any format but JSON/XML
 * counts as no body. Throws {@linkcode HttpError} `parse` (400).
 */
export function parseBody(
  bytes: Uint8Array,
  format: RequestFormat,
  options: ParseBodyOptions,
): ParsedBody {
  if (format === "none") return { format: "none" };
  const text = decodeUtf8(bytes);
  switch (format) {
    case "xml":
      try {
        return {
          format: "xml",
          element: parseXml(text, {
            defaultNamespace: NS.client,
            maxStanzaBytes: options.sizeLimit,
          }),
        };
      } catch (cause) {
        if (cause instanceof XmlSyntaxError) {
          throw new HttpError("parse", { cause });
        }
        throw cause;
      }
    case "json": {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (cause) {
        throw new HttpError("parse", { cause });
      }
      const isObject = typeof json === "object" && json !== null &&
        !Array.isArray(json);
      const isPayload = options.payload === true && json !== false;
      if (!isObject && !isPayload) throw new HttpError("parse");
      return { format: "json", json };
    }
    case "form": {
      if (text.includes("=")) {
        return { format: "form", fields: decodeForm(text) };
      }
      if (text.trim() === "" && options.hasPath) return { format: "none" };
      if (options.hasPath) {
        throw new HttpError("parse");
      }
      try {
        return {
          format: "text",
          text: decodeURIComponent(text.replaceAll("+", " ")),
        };
      } catch (cause) {
        throw new HttpError("parse", { cause });
      }
    }
    case "text":
      return { format: "text", text };
  }
}
