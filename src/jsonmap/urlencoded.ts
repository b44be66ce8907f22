// WHATWG URL Standard application/x-www-form-urlencoded, as mod_rest uses it for stanzas (README "Request body formats", "Response format").

import type { JsonStanza } from "./types.ts";

/**
 * Decodes a form body (or a query string without `?`) to a flat map of
 * strings; the last of duplicate keys wins, as in mod_rest. `+` is a
 * space; malformed `%` escapes are kept literally. Feed the result to
 * `jsonToStanza(map, { coerce: true })`.
 *
 * @example
 * ```ts
 * decodeForm("to=a%40example.org&body=Hi+there&body=again");
 * // { to: "a@example.org", body: "again" }
 * ```
 */
export function decodeForm(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

// mod_rest (util.http.urlencode) leaves only A-Z a-z 0-9 . ~ _ - unescaped.
function encodeComponent(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

/**
 * Encodes the JSON form of a stanza as a form body the way mod_rest does:
 * only top-level strings and numbers are kept, `true` becomes an empty
 * value (`ping=`), `false`, null, objects and arrays are dropped. Keys keep
 * the JSON object's order.
 *
 * @example
 * ```ts
 * encodeForm({ kind: "iq", type: "result", ping: true, lastactivity: { seconds: 5 } });
 * // "kind=iq&type=result&ping="
 * ```
 */
export function encodeForm(json: JsonStanza): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(json)) {
    let text: string;
    if (typeof value === "string") text = value;
    else if (typeof value === "number" && Number.isFinite(value)) {
      text = String(value);
    } else if (value === true) text = "";
    else continue;
    parts.push(encodeComponent(key) + "=" + encodeComponent(text));
  }
  return parts.join("&");
}
