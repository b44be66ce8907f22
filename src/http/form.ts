// WHATWG URL section 5 (application/x-www-form-urlencoded) in mod_rest's flat form (spec/mod_rest.md sections 1.2, 1.3).
// Interim: to be replaced by src/jsonmap/urlencoded.ts once it lands.

/**
 * Decodes a form body into a flat string map; the last duplicate key wins.
 *
 * @example
 * ```ts
 * decodeForm("body=Hi+there&to=a%40b"); // { body: "Hi there", to: "a@b" }
 * ```
 */
export function decodeForm(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) out[key] = value;
  return out;
}

/**
 * Encodes the top level of a JSON stanza as a form: strings as they are,
 * numbers stringified, `true` as an empty value; objects, arrays, `false`
 * and `null` are dropped (as mod_rest does).
 *
 * @example
 * ```ts
 * encodeForm({ kind: "iq", ping: true, disco: {} }); // "kind=iq&ping="
 * ```
 */
export function encodeForm(json: Readonly<Record<string, unknown>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(json)) {
    if (typeof value === "string") params.append(key, value);
    else if (typeof value === "number") params.append(key, String(value));
    else if (value === true) params.append(key, "");
  }
  return params.toString();
}
