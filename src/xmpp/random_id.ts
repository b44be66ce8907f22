// Unguessable ids for stanzas (RFC 6120 section 8.1.3 asks ids to be unique; mod_rest makes them random): base64url (RFC 4648 section 5) of random bytes drawn in bulk.

// Random bytes are drawn 18 KiB at a time: one crypto.getRandomValues()
// call costs several times the rest of an id.
const POOL_BYTES = 18 * 1024;
let pool = new Uint8Array(0);
let offset = 0;

const BASE64URL =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * `bytes` random bytes (a multiple of 3, at most 18 KiB) from
 * `crypto.getRandomValues` as base64url without padding: `bytes / 3 * 4`
 * characters.
 *
 * @example
 * ```ts
 * randomBase64url(18); // e.g. "q3Zb0v2sT1xYw9KcPaR-_h4m"
 * ```
 */
export function randomBase64url(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    offset = 0;
  }
  const start = offset;
  offset += bytes;
  return base64url(pool, start, offset);
}

/**
 * RFC 4648 section 5 base64url of `bytes[start..end)`, a multiple of 3
 * long (no padding). A table lookup: `Uint8Array.prototype.toBase64` was
 * the largest single cost of a message POST in a profile.
 */
function base64url(bytes: Uint8Array, start: number, end: number): string {
  // Character codes, then one string: joined pieces would be a rope that
  // has to be flattened the first time the id is hashed (a map key) or
  // scanned (serialised), which costs more than making it.
  const length = ((end - start) / 3) * 4;
  const codes = scratch[length] ??= new Array<number>(length).fill(0);
  for (let i = start, j = 0; i < end; i += 3, j += 4) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    codes[j] = BASE64URL_CODES[n >> 18];
    codes[j + 1] = BASE64URL_CODES[(n >> 12) & 63];
    codes[j + 2] = BASE64URL_CODES[(n >> 6) & 63];
    codes[j + 3] = BASE64URL_CODES[n & 63];
  }
  return String.fromCharCode.apply(null, codes);
}

/** A reused array of character codes per id length. */
const scratch: number[][] = [];
const BASE64URL_CODES = Uint8Array.from(BASE64URL, (c) => c.charCodeAt(0));
