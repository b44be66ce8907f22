// RFC 6120 section 11.6 (UTF-8 only) and RFC 3629 section 4: decoding a byte stream split at arbitrary points.

/** Decoded text, and whether an invalid byte sequence follows it. */
export interface DecodedChunk {
  /** Text decoded up to the end or up to the first invalid sequence. */
  text: string;
  /** True when an invalid (or, at the end, incomplete) sequence follows `text`. */
  invalid: boolean;
}

/**
 * Decodes UTF-8 pushed in chunks. A sequence split between chunks is carried
 * over; a surrogate pair split between string chunks is kept together. After
 * an invalid sequence the text before it is still returned, so that errors
 * are reported in document order whatever the chunking.
 */
export class Utf8Stream {
  #decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  #carry: Uint8Array | undefined;
  #high = "";

  /** Decodes a chunk of bytes. */
  bytes(chunk: Uint8Array): DecodedChunk {
    let bytes = chunk;
    const carry = this.#carry;
    if (carry !== undefined) {
      bytes = new Uint8Array(carry.length + chunk.length);
      bytes.set(carry);
      bytes.set(chunk, carry.length);
      this.#carry = undefined;
    }
    const cut = completeLength(bytes);
    if (cut < bytes.length) this.#carry = bytes.slice(cut);
    const whole = cut === bytes.length ? bytes : bytes.subarray(0, cut);
    try {
      return { text: this.#decoder.decode(whole), invalid: false };
    } catch {
      const bad = firstInvalid(whole);
      this.#carry = undefined;
      return {
        text: this.#decoder.decode(whole.subarray(0, bad)),
        invalid: true,
      };
    }
  }

  /** Passes a string chunk through, keeping a trailing high surrogate for the next one. */
  string(chunk: string): DecodedChunk {
    const invalid = this.#carry !== undefined;
    this.#carry = undefined;
    let text = this.#high === "" ? chunk : this.#high + chunk;
    this.#high = "";
    const last = text.charCodeAt(text.length - 1);
    if (!invalid && last >= 0xd800 && last <= 0xdbff) {
      this.#high = text.slice(-1);
      text = text.slice(0, -1);
    }
    return { text, invalid };
  }

  /** Ends the input: carried bytes are an incomplete sequence; a carried high surrogate is returned as text. */
  end(): DecodedChunk {
    const text = this.#high;
    const invalid = this.#carry !== undefined;
    this.#high = "";
    this.#carry = undefined;
    return { text, invalid };
  }
}

/** Length of `bytes` without a trailing incomplete (but so far plausible) sequence. */
function completeLength(bytes: Uint8Array): number {
  const len = bytes.length;
  let i = len - 1;
  while (i >= 0 && len - i <= 3 && (bytes[i] & 0xc0) === 0x80) i--;
  if (i < 0 || len - i > 3 && (bytes[i] & 0xc0) === 0x80) return len;
  const lead = bytes[i];
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return len - i < need ? i : len;
}

/** Index of the first byte that does not start a valid, complete UTF-8 sequence. */
export function firstInvalid(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return i;
    if (i + need >= b.length) return i;
    if (b[i + 1] < lo || b[i + 1] > hi) return i;
    for (let k = 2; k <= need; k++) {
      if ((b[i + k] & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return i;
}
