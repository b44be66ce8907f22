// The parts of a handler's Response as the own engines write them (HTTP/1.1 and HTTP/2): its header fields and its body, read without copying through a stream when Deno keeps the source.

/** A response body as the engine sends it. */
export type Body =
  | { readonly kind: "bytes"; readonly bytes: Uint8Array }
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "stream"; readonly stream: ReadableStream<Uint8Array> };

/** An empty body. */
export const EMPTY: Uint8Array = new Uint8Array(0);

/** Symbols under which Deno keeps a Response's body; read-only use, with a public fallback. */
const internals = (() => {
  const sample = new Response("x");
  const find = (description: string) =>
    Object.getOwnPropertySymbols(sample).find((s) =>
      s.description === description
    );
  return {
    lazy: find("lazy static body"),
    lazyType: find("lazy static content type"),
    inner: find("response"),
    headers: find("headers"),
    guard: find("headers guard"),
  };
})();

/**
 * Adds a header field to `response` straight to Deno's own list when that
 * is safe: its headers are mutable (not a `Response.error()` or
 * `redirect()`), no `Headers` object has been made for them yet, and the
 * field is not there already.
 * False when it did nothing; then use `response.headers.set`. `name` and
 * `value` must be valid (they are not checked here).
 */
export function appendHeader(
  response: Response,
  name: string,
  value: string,
): boolean {
  const list = headerListOf(response);
  const guard = internals.guard;
  if (list === undefined || guard === undefined) return false;
  if ((response as unknown as Record<symbol, unknown>)[guard] !== "response") {
    return false;
  }
  const lower = name.toLowerCase();
  for (const [existing] of list) {
    if (existing.toLowerCase() === lower) return false;
  }
  list.push([name, value]);
  return true;
}

/**
 * The header fields of `response` as name/value pairs: Deno's own list
 * when it is complete (no copy, no sorting), with the content type Deno
 * keeps aside for a string body added; else the public iteration (which
 * makes Deno build a `Headers` object). `tests/http/response_parts_test.ts`
 * holds this against the public view for every kind of response.
 */
export function headerPairs(
  response: Response,
): readonly (readonly [string, string])[] {
  const list = headerListOf(response);
  if (list === undefined) return [...response.headers];
  const record = response as unknown as Record<symbol, unknown>;
  const lazyType = record[internals.lazyType!];
  if (typeof lazyType === "string") {
    return [...list, ["content-type", lazyType]];
  }
  // A string body with no type of its own gets text/plain from Deno later:
  // only the public view has it.
  if (typeof record[internals.lazy!] === "string") return [...response.headers];
  return list;
}

/**
 * Deno's own header list of `response` while no `Headers` object has been
 * made for it (then the list is all there is), else undefined.
 */
function headerListOf(response: Response): [string, string][] | undefined {
  const { inner, headers, lazy, lazyType } = internals;
  if (
    inner === undefined || headers === undefined || lazy === undefined ||
    lazyType === undefined
  ) return undefined;
  const record = response as unknown as Record<symbol, unknown>;
  if (record[headers] !== null) return undefined;
  const list = (record[inner] as { headerList?: unknown } | undefined)
    ?.headerList;
  return Array.isArray(list) ? list as [string, string][] : undefined;
}

/** The empty body. */
const NO_BODY: Body = { kind: "bytes", bytes: EMPTY };

/**
 * The body of `response` without copying it through a stream when it is
 * a string or bytes (Deno keeps the source), at once; a promise only for
 * another source Deno keeps (a Blob, form data); a real stream otherwise.
 */
export function bodyOf(response: Response): Body | Promise<Body> {
  const record = response as unknown as Record<symbol, unknown>;
  if (internals.lazy !== undefined) {
    const lazy = record[internals.lazy];
    if (typeof lazy === "string") return { kind: "text", text: lazy };
  }
  const inner = internals.inner === undefined
    ? undefined
    : record[internals.inner] as
      | { body?: { source?: unknown } | null }
      | undefined;
  if (inner !== undefined && inner !== null && "body" in inner) {
    if (inner.body === null || inner.body === undefined) return NO_BODY;
    const source = inner.body.source;
    if (typeof source === "string") return { kind: "text", text: source };
    if (source instanceof Uint8Array) return { kind: "bytes", bytes: source };
    if (source !== null && source !== undefined) {
      return response.bytes().then((bytes) => ({ kind: "bytes", bytes }));
    }
  }
  return response.body === null
    ? NO_BODY
    : { kind: "stream", stream: response.body };
}
