// mod_rest.md sections 1.2 and 1.3: application/x-www-form-urlencoded bodies as flat JSON maps (WHATWG URL "urlencoded" serializer).

/**
 * Flattens a stanza's JSON form to form fields as mod_rest does: strings
 * kept, numbers stringified, `true` as "", everything else dropped.
 *
 * @example
 * ```ts
 * flattenForForm({ kind: "message", body: "Hi", ping: true, thread: {} });
 * // { kind: "message", body: "Hi", ping: "" }
 * ```
 */
export function flattenForForm(
  json: Readonly<Record<string, unknown>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(json)) {
    if (typeof value === "string") out[key] = value;
    else if (typeof value === "number" && Number.isFinite(value)) {
      out[key] = String(value);
    } else if (value === true) out[key] = "";
  }
  return out;
}

/** Encodes fields as `application/x-www-form-urlencoded` (spaces as `+`). */
export function encodeForm(fields: Readonly<Record<string, string>>): string {
  return new URLSearchParams(Object.entries(fields)).toString();
}

/**
 * Decodes an `application/x-www-form-urlencoded` body to a flat map (the
 * last of duplicate keys wins). Returns undefined for a body without any
 * `=`, which mod_rest reads as URL-encoded plain text instead.
 */
export function decodeForm(body: string): Record<string, string> | undefined {
  if (!body.includes("=")) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body)) out[key] = value;
  return out;
}

/** Decodes a URL-encoded text (a form body without `=`): `+` is a space. */
export function decodeFormText(body: string): string {
  const params = new URLSearchParams("x=" + body.replaceAll("&", "%26"));
  return params.get("x") ?? "";
}
