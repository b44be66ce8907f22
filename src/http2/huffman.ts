// RFC 7541 section 5.2 and Appendix B: Huffman decoding of string literals (and encoding, for tests and clients).

import { HpackError } from "./errors.ts";
import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from "./hpack_tables.ts";
import { latin1 } from "./latin1.ts";

const EOS = 256;

/** The code as a binary tree: node n has children `tree[2n]` and `tree[2n+1]`; a leaf is `-(symbol + 1)`. */
const tree = (() => {
  const nodes = new Int32Array(2 * 512);
  let count = 1;
  for (let symbol = 0; symbol <= EOS; symbol++) {
    const code = HUFFMAN_CODES[symbol];
    const length = HUFFMAN_LENGTHS[symbol];
    let node = 0;
    for (let bit = length - 1; bit >= 0; bit--) {
      const slot = 2 * node + ((code >>> bit) & 1);
      if (bit === 0) {
        nodes[slot] = -(symbol + 1);
      } else {
        if (nodes[slot] === 0) nodes[slot] = count++;
        node = nodes[slot];
      }
    }
  }
  return nodes;
})();

/**
 * Decodes a Huffman-coded string literal into octets (one char each,
 * ISO-8859-1). Padding longer than 7 bits, padding that is not a prefix
 * of EOS (all ones), or EOS itself in the string is an error (RFC 7541
 * section 5.2).
 */
export function huffmanDecode(bytes: Uint8Array): string {
  let node = 0;
  let pending = 0; // bits read since the last symbol
  let allOnes = true;
  // At most 8 symbols per 5 bits (the shortest code): room for all.
  const out = new Uint8Array(Math.ceil(bytes.byteLength * 8 / 5));
  let n = 0;
  for (let i = 0; i < bytes.byteLength; i++) {
    const byte = bytes[i];
    for (let bit = 7; bit >= 0; bit--) {
      const one = (byte >>> bit) & 1;
      const next = tree[2 * node + one];
      pending++;
      if (one === 0) allOnes = false;
      if (next < 0) {
        const symbol = -next - 1;
        if (symbol === EOS) throw new HpackError("EOS in a Huffman string");
        out[n++] = symbol;
        node = 0;
        pending = 0;
        allOnes = true;
      } else if (next === 0) {
        throw new HpackError("invalid Huffman code");
      } else node = next;
    }
  }
  if (pending > 7) throw new HpackError("Huffman padding longer than 7 bits");
  if (!allOnes) throw new HpackError("Huffman padding is not a prefix of EOS");
  return latin1(out.subarray(0, n));
}

/** Encodes octets (one char each, ISO-8859-1) with the Huffman code, padded with ones. */
export function huffmanEncode(text: string): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const symbol = text.charCodeAt(i) & 0xff;
    const length = HUFFMAN_LENGTHS[symbol];
    const code = HUFFMAN_CODES[symbol];
    for (let bit = length - 1; bit >= 0; bit--) {
      acc = (acc << 1) | ((code >>> bit) & 1);
      if (++bits === 8) {
        out.push(acc);
        acc = 0;
        bits = 0;
      }
    }
  }
  if (bits > 0) out.push(((acc << (8 - bits)) | (0xff >>> bits)) & 0xff);
  return Uint8Array.from(out);
}
