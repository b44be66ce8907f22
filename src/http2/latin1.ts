// RFC 9110 section 5.5: field values are octets; HPACK strings are kept as ISO-8859-1 characters, one per octet.

/**
 * Octets as a flat string of ISO-8859-1 characters (no rope of one-char
 * pieces: a waiting request keeps its fields).
 */
export function latin1(bytes: Uint8Array): string {
  if (bytes.byteLength <= 4096) {
    return String.fromCharCode.apply(null, bytes as unknown as number[]);
  }
  let out = "";
  for (let at = 0; at < bytes.byteLength; at += 4096) {
    out += latin1(bytes.subarray(at, at + 4096));
  }
  return out;
}
