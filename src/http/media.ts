// RFC 9110 section 8.3 (Content-Type): the media types of the REST API as data.

/** Media types a response (and a stanza-carrying request) can use, by short name. */
export const OUTPUT_MEDIA_TYPES = {
  xml: "application/xmpp+xml",
  json: "application/json",
  form: "application/x-www-form-urlencoded",
} as const;

/** A response format. */
export type OutputFormat = keyof typeof OUTPUT_MEDIA_TYPES;

/** Output formats in server preference order (used to break ties between wildcards). */
export const OUTPUT_PREFERENCE: readonly OutputFormat[] = [
  "xml",
  "json",
  "form",
] as const;

/** Request body formats: the output formats plus `text` (a message body) and `none` (no body). */
export type RequestFormat = OutputFormat | "text" | "none";

/** Request media types by short name; anything else is 415. */
export const REQUEST_MEDIA_TYPES = {
  ...OUTPUT_MEDIA_TYPES,
  text: "text/plain",
} as const;

/**
 * The bare media type of a `Content-Type` value, lower-cased, parameters
 * removed; "" for a missing or empty header.
 *
 * @example
 * ```ts
 * mediaTypeOf("Application/JSON; charset=utf-8"); // "application/json"
 * ```
 */
export function mediaTypeOf(contentType: string | null): string {
  if (contentType === null) return "";
  return contentType.split(";", 1)[0].trim().toLowerCase();
}

/**
 * The request format named by a `Content-Type` header: `none` when it is
 * missing, undefined for a type the API does not accept.
 */
export function requestFormatOf(
  contentType: string | null,
): RequestFormat | undefined {
  const type = mediaTypeOf(contentType);
  if (type === "") return "none";
  for (const [format, media] of Object.entries(REQUEST_MEDIA_TYPES)) {
    if (media === type) return format as RequestFormat;
  }
  return undefined;
}
