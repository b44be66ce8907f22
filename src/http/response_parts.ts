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
  };
})();

/**
 * The header fields of `response` as name/value pairs: Deno's own list
 * when it is complete (no copy, no sorting), else the public iteration.
 */
export function headerPairs(
  response: Response,
): readonly (readonly [string, string])[] {
  const record = response as unknown as Record<symbol, unknown>;
  if (
    internals.inner !== undefined && internals.lazyType !== undefined &&
    typeof record[internals.lazyType] !== "string"
  ) {
    const list = (record[internals.inner] as { headerList?: unknown })
      ?.headerList;
    if (Array.isArray(list)) return list as [string, string][];
  }
  return [...response.headers];
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
