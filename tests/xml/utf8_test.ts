// Tests for UTF-8 input to the RFC 6120 section 11.6 parser: sequences split across chunks, invalid bytes found in any chunking.

import { deepEqual, equal } from "node:assert/strict";
import { XmlStreamParser } from "../../src/xml/parser.ts";
import { XmlSyntaxError } from "../../src/xml/errors.ts";
import { firstInvalid, Utf8Stream } from "../../src/xml/utf8.ts";

const encoder = new TextEncoder();
const HEADER = encoder.encode(
  "<s:s xmlns:s='http://etherx.jabber.org/streams'><m>",
);

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const bytes = parts.flatMap((p) => Array.from(p));
  return new Uint8Array(bytes);
}

function errorOffset(chunks: Uint8Array[]): string {
  const parser = new XmlStreamParser();
  try {
    for (const chunk of chunks) parser.push(chunk);
    parser.end();
  } catch (error) {
    if (error instanceof XmlSyntaxError) {
      return `${error.condition}@${error.offset}`;
    }
    throw error;
  }
  return "ok";
}

const INVALID: [string, number[]][] = [
  ["a lone continuation byte", [0x80]],
  ["an overlong slash", [0xc0, 0xaf]],
  ["an overlong three-byte form", [0xe0, 0x80, 0xaf]],
  ["an encoded surrogate", [0xed, 0xa0, 0x80]],
  ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
  ["an invalid lead byte", [0xff]],
  ["a truncated sequence before ASCII", [0xe2, 0x82, 0x41]],
  ["a five-byte lead", [0xf8, 0x88, 0x80, 0x80, 0x80]],
];

Deno.test({
  name:
    "XmlStreamParser reports invalid UTF-8 at the same byte offset in every chunking",
  permissions: "none",
  fn() {
    for (const [name, bad] of INVALID) {
      const bytes = concat(
        HEADER,
        encoder.encode("ok é "),
        bad,
        encoder.encode("</m>"),
      );
      const want = `not-well-formed@${HEADER.length + 6}`;
      equal(errorOffset([bytes]), want, name);
      for (let i = 1; i < bytes.length; i++) {
        equal(
          errorOffset([bytes.subarray(0, i), bytes.subarray(i)]),
          want,
          `${name} split at ${i}`,
        );
      }
      equal(
        errorOffset(Array.from(bytes, (b) => new Uint8Array([b]))),
        want,
        `${name} byte by byte`,
      );
    }
  },
});

Deno.test({
  name: "XmlStreamParser rejects a sequence cut off by end()",
  permissions: "none",
  fn() {
    const bytes = concat(HEADER, [0xf0, 0x9f, 0x98]);
    equal(errorOffset([bytes]), `not-well-formed@${HEADER.length}`);
  },
});

Deno.test({
  name:
    "Utf8Stream carries incomplete sequences and split surrogate pairs to the next chunk",
  permissions: "none",
  fn() {
    const utf8 = new Utf8Stream();
    const emoji = encoder.encode("😀");
    deepEqual(utf8.bytes(emoji.subarray(0, 1)), { text: "", invalid: false });
    deepEqual(utf8.bytes(emoji.subarray(1, 3)), { text: "", invalid: false });
    deepEqual(utf8.bytes(emoji.subarray(3)), { text: "😀", invalid: false });
    deepEqual(utf8.string("a\uD83D"), { text: "a", invalid: false });
    deepEqual(utf8.string("\uDE00b"), { text: "😀b", invalid: false });
    deepEqual(utf8.string("\uD83D"), { text: "", invalid: false });
    deepEqual(utf8.end(), { text: "\uD83D", invalid: false });
    const cut = new Utf8Stream();
    cut.bytes(new Uint8Array([0xe2, 0x82]));
    deepEqual(cut.end(), { text: "", invalid: true });
  },
});

Deno.test({
  name: "firstInvalid() finds the first byte that starts no valid sequence",
  permissions: "none",
  fn() {
    const cases: [number[], number][] = [
      [[0x41, 0x42], 2],
      [[0x41, 0xc3, 0xa9, 0x80], 3],
      [[0xe2, 0x82, 0xac, 0xe2, 0x82], 3],
      [[0xf0, 0x9f, 0x98, 0x80, 0xc0, 0x80], 4],
      [[0xed, 0x9f, 0xbf, 0xed, 0xa0, 0x80], 3],
      [[0xf4, 0x8f, 0xbf, 0xbf, 0xf4, 0x90, 0x80, 0x80], 4],
    ];
    for (const [bytes, want] of cases) {
      equal(firstInvalid(new Uint8Array(bytes)), want, JSON.stringify(bytes));
    }
  },
});
