// RFC 7541 (HPACK): the header block decoder (static and dynamic table, size updates, integer and string literals, Huffman) and a plain encoder for responses.

import { HpackError } from "./errors.ts";
import { STATIC_TABLE } from "./hpack_tables.ts";
import { huffmanDecode } from "./huffman.ts";
import { latin1 } from "./latin1.ts";

/** A header field as decoded: name and value, octets as ISO-8859-1 characters. */
export type HeaderField = readonly [string, string];

/** RFC 7541 section 4.1: the size an entry counts for in the table (and RFC 9113 section 6.5.2 in a header list). */
export function fieldSize(name: string, value: string): number {
  return name.length + value.length + 32;
}

/** The default and initial SETTINGS_HEADER_TABLE_SIZE (RFC 9113 section 6.5.2). */
export const DEFAULT_TABLE_SIZE = 4096;

/** Strings up to this length are interned per connection, at most this many. */
const INTERNED_LENGTH = 128;
const INTERNED_STRINGS = 256;

/** Largest integer accepted in a representation (bounds what a peer can ask for). */
const MAX_INTEGER = 2 ** 31 - 1;

/** What {@linkcode HpackDecoder.decode} found. */
export interface DecodedBlock {
  /** The fields in order (empty when the list was too large). */
  readonly fields: HeaderField[];
  /** True when the list exceeded the size limit: its fields were dropped. */
  readonly tooLarge: boolean;
}

/**
 * The decoding context of one connection (RFC 7541 section 2.2): the
 * dynamic table lives across header blocks, so every block must be
 * decoded in order, even one whose fields are dropped.
 *
 * @example
 * ```ts
 * const decoder = new HpackDecoder();
 * decoder.decode(Uint8Array.of(0x82, 0x86, 0x84), 16384).fields;
 * // [[":method", "GET"], [":scheme", "http"], [":path", "/"]]
 * ```
 */
export class HpackDecoder {
  /** Newest entry first. */
  #table: HeaderField[] = [];
  #size = 0;
  #maxSize: number;
  /** The most a size update may ask for: our SETTINGS_HEADER_TABLE_SIZE. */
  readonly #limit: number;
  #bytes: Uint8Array = new Uint8Array(0);
  #at = 0;
  readonly #interned = new Map<string, string>();

  /** A decoder whose table may grow to `limit` bytes (what we advertise). */
  constructor(limit: number = DEFAULT_TABLE_SIZE) {
    this.#limit = limit;
    this.#maxSize = limit;
  }

  /** The dynamic table's size in bytes (RFC 7541 section 4.1). */
  get tableSize(): number {
    return this.#size;
  }

  /** The dynamic table's entries, newest first. */
  get entries(): readonly HeaderField[] {
    return this.#table;
  }

  /**
   * Decodes one complete header block. Fields beyond `maxListSize`
   * (RFC 9113 section 6.5.2) are decoded (the table must follow) but
   * dropped, and the result says so. Throws {@linkcode HpackError}.
   */
  decode(block: Uint8Array, maxListSize: number): DecodedBlock {
    this.#bytes = block;
    this.#at = 0;
    const fields: HeaderField[] = [];
    let listSize = 0;
    let sawField = false;
    try {
      while (this.#at < block.byteLength) {
        const first = block[this.#at];
        let field: HeaderField;
        if (first & 0x80) {
          field = this.#entry(this.#integer(7));
        } else if (first & 0x40) {
          field = this.#literal(6);
          this.#add(field);
        } else if (first & 0x20) {
          if (sawField) {
            throw new HpackError("table size update after a field");
          }
          const size = this.#integer(5);
          if (size > this.#limit) {
            throw new HpackError(
              `table size update to ${size} beyond ${this.#limit}`,
            );
          }
          this.#maxSize = size;
          this.#evict(0);
          continue;
        } else {
          field = this.#literal(4); // without indexing, or never indexed
        }
        sawField = true;
        listSize += fieldSize(field[0], field[1]);
        if (listSize <= maxListSize) fields.push(field);
      }
    } finally {
      this.#bytes = new Uint8Array(0);
    }
    const tooLarge = listSize > maxListSize;
    return { fields: tooLarge ? [] : fields, tooLarge };
  }

  /** RFC 7541 section 5.1: an integer with an `n`-bit prefix. */
  #integer(n: number): number {
    const bytes = this.#bytes;
    if (this.#at >= bytes.byteLength) throw new HpackError("truncated integer");
    const mask = (1 << n) - 1;
    let value = bytes[this.#at++] & mask;
    if (value < mask) return value;
    let shift = 0;
    for (;;) {
      if (this.#at >= bytes.byteLength) {
        throw new HpackError("truncated integer");
      }
      const byte = bytes[this.#at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (value > MAX_INTEGER) throw new HpackError("integer too large");
      if ((byte & 0x80) === 0) return value;
      shift += 7;
    }
  }

  /** RFC 7541 section 5.2: a string literal, Huffman-coded or raw octets. */
  #string(): string {
    const bytes = this.#bytes;
    if (this.#at >= bytes.byteLength) throw new HpackError("truncated string");
    const huffman = (bytes[this.#at] & 0x80) !== 0;
    const length = this.#integer(7);
    if (this.#at + length > bytes.byteLength) {
      throw new HpackError("string longer than the block");
    }
    const raw = bytes.subarray(this.#at, this.#at + length);
    this.#at += length;
    const text = huffman ? huffmanDecode(raw) : latin1(raw);
    return text.length <= INTERNED_LENGTH ? this.#intern(text) : text;
  }

  /**
   * The one copy of a short string this connection has seen before: the
   * same credential, path or length sent as a literal on every request is
   * kept once however many requests wait.
   */
  #intern(text: string): string {
    const known = this.#interned.get(text);
    if (known !== undefined) return known;
    if (this.#interned.size >= INTERNED_STRINGS) this.#interned.clear();
    this.#interned.set(text, text);
    return text;
  }

  /** RFC 7541 section 6.2: a literal field with an `n`-bit name index prefix. */
  #literal(n: number): HeaderField {
    const index = this.#integer(n);
    const name = index === 0 ? this.#string() : this.#entry(index)[0];
    return [name, this.#string()];
  }

  /** RFC 7541 section 2.3.3: the entry at `index` of the combined index space. */
  #entry(index: number): HeaderField {
    if (index === 0) throw new HpackError("index 0");
    if (index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1];
    const entry = this.#table[index - STATIC_TABLE.length - 1];
    if (entry === undefined) {
      throw new HpackError(`index ${index} not in the table`);
    }
    return entry;
  }

  /** RFC 7541 section 4.4: adds an entry, evicting the oldest ones to make room. */
  #add(field: HeaderField): void {
    const size = fieldSize(field[0], field[1]);
    this.#evict(size);
    if (size > this.#maxSize) return; // the table is now empty (section 4.4)
    this.#table.unshift(field);
    this.#size += size;
  }

  /** Evicts the oldest entries until `room` more bytes fit. */
  #evict(room: number): void {
    while (this.#table.length > 0 && this.#size + room > this.#maxSize) {
      const [name, value] = this.#table.pop()!;
      this.#size -= fieldSize(name, value);
    }
  }
}

/** Static table index of each name, and of each name with its value. */
const staticNames = new Map<string, number>();
const staticPairs = new Map<string, number>();
STATIC_TABLE.forEach(([name, value], i) => {
  if (!staticNames.has(name)) staticNames.set(name, i + 1);
  if (value !== "") staticPairs.set(`${name}\0${value}`, i + 1);
});

/** Appends an integer with an `n`-bit prefix whose first byte carries `flags` (RFC 7541 section 5.1). */
function putInteger(out: number[], flags: number, n: number, value: number) {
  const mask = (1 << n) - 1;
  if (value < mask) {
    out.push(flags | value);
    return;
  }
  out.push(flags | mask);
  value -= mask;
  while (value >= 128) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
}

/** Appends a raw string literal (octets as ISO-8859-1 characters; others truncated to a byte). */
function putString(out: number[], text: string) {
  putInteger(out, 0, 7, text.length);
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i) & 0xff);
}

/**
 * Encodes fields without a dynamic table (RFC 7541 section 6.2.2, literal
 * without indexing, names lower-case as HTTP/2 requires): a static-table
 * match is indexed, a static name is referenced, the rest is raw octets.
 * It needs no state, so any number of streams can encode concurrently.
 *
 * @example
 * ```ts
 * encodeFields([[":status", "200"]]); // Uint8Array [0x88]
 * ```
 */
export function encodeFields(fields: readonly HeaderField[]): Uint8Array {
  const out: number[] = [];
  for (const [name, value] of fields) {
    const pair = staticPairs.get(`${name}\0${value}`);
    if (pair !== undefined) {
      putInteger(out, 0x80, 7, pair);
      continue;
    }
    const index = staticNames.get(name);
    if (index !== undefined) putInteger(out, 0x00, 4, index);
    else {
      out.push(0x00);
      putString(out, name);
    }
    putString(out, value);
  }
  return Uint8Array.from(out);
}
