// RFC 9110 section 8.3 (Content-Type): the media types that carry stanzas over HTTP, as data.

/**
 * Every media type a stanza travels in, by short name, in preference
 * order: requests and responses of the REST API, webhook requests and
 * webhook replies (mod_rest's documentation, "Payload formats").
 *
 * @example
 * ```ts
 * MEDIA_TYPES.json; // "application/json"
 * ```
 */
export const MEDIA_TYPES = {
  xml: "application/xmpp+xml",
  json: "application/json",
  form: "application/x-www-form-urlencoded",
  text: "text/plain",
} as const;

/** A body format: `xml`, `json`, `form` or `text`. */
export type BodyFormat = keyof typeof MEDIA_TYPES;

/** A media type of {@linkcode MEDIA_TYPES}. */
export type MediaType = typeof MEDIA_TYPES[BodyFormat];

/** A format that can carry any stanza (not `text`, which carries a message body). */
export type StanzaFormat = Exclude<BodyFormat, "text">;

/**
 * The stanza formats in server preference order (breaks ties between
 * wildcards in `Accept`).
 */
export const STANZA_FORMATS: readonly StanzaFormat[] = ["xml", "json", "form"];

/** A request body format: a body format, or `none` when there is no `Content-Type`. */
export type RequestFormat = BodyFormat | "none";

/**
 * The bare media type of a `Content-Type` value, lower-cased, parameters
 * removed; "" for a missing or empty header.
 *
 * @example
 * ```ts
 * mediaTypeOf("Application/JSON; charset=utf-8"); // "application/json"
 * mediaTypeOf(null); // ""
 * ```
 */
export function mediaTypeOf(contentType: string | null | undefined): string {
  if (contentType === null || contentType === undefined) return "";
  return contentType.split(";", 1)[0].trim().toLowerCase();
}

/**
 * The body format of a bare media type; undefined for any other type.
 *
 * @example
 * ```ts
 * formatOfMediaType("text/plain"); // "text"
 * formatOfMediaType("text/html"); // undefined
 * ```
 */
export function formatOfMediaType(mediaType: string): BodyFormat | undefined {
  for (const format of Object.keys(MEDIA_TYPES) as BodyFormat[]) {
    if (MEDIA_TYPES[format] === mediaType) return format;
  }
  return undefined;
}

/**
 * The format named by a `Content-Type` header: `none` when it is missing
 * or empty, undefined for a type no stanza travels in.
 *
 * @example
 * ```ts
 * requestFormatOf("application/json; charset=utf-8"); // "json"
 * requestFormatOf(null); // "none"
 * requestFormatOf("image/png"); // undefined
 * ```
 */
export function requestFormatOf(
  contentType: string | null | undefined,
): RequestFormat | undefined {
  const type = mediaTypeOf(contentType);
  return type === "" ? "none" : formatOfMediaType(type);
}
