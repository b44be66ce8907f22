// Test support for the RFC 6120 section 11 parser: feed a case whole, split in two at every offset, and piece by piece.

import { deepEqual, equal, fail } from "node:assert/strict";
import { XmlSyntaxError } from "../../src/xml/errors.ts";
import {
  parseXml,
  type ParseXmlOptions,
  type XmlParserOptions,
  type XmlStreamEvent,
  XmlStreamParser,
} from "../../src/xml/parser.ts";
import type { XmlElement } from "../../src/xml/element.ts";
import { serialize } from "../../src/xml/serialize.ts";

/** What parsing produced: event descriptions, or the error's condition and position. */
export type Outcome =
  | { events: string[] }
  | { error: string; at: string; message: string };

const encoder = new TextEncoder();

/** A compact, exact description of an element (text children kept apart, attributes in order). */
export function dump(element: XmlElement): string {
  return JSON.stringify(element);
}

function describe(event: XmlStreamEvent): string {
  switch (event.type) {
    case "open":
      return "open " + serialize(event.header);
    case "element":
      return serialize(event.element);
    case "close":
      return "close";
  }
}

function exact(event: XmlStreamEvent): string {
  return event.type === "open"
    ? "open " + dump(event.header)
    : event.type === "element"
    ? dump(event.element)
    : "close";
}

function outcome(
  run: () => XmlStreamEvent[],
  show: (e: XmlStreamEvent) => string,
): Outcome {
  try {
    return { events: run().map(show) };
  } catch (error) {
    if (!(error instanceof XmlSyntaxError)) throw error;
    return {
      error: error.condition,
      at: `${error.line}:${error.column}@${error.offset}`,
      message: error.message,
    };
  }
}

function feedStream(
  chunks: readonly (string | Uint8Array)[],
  options: XmlParserOptions,
): XmlStreamEvent[] {
  const parser = new XmlStreamParser(options);
  const events: XmlStreamEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  events.push(...parser.end());
  return events;
}

/** Chunkings of the UTF-8 bytes of `input`: whole, two pieces at every offset, one byte at a time. */
export function byteChunkings(input: string): Uint8Array[][] {
  const bytes = encoder.encode(input);
  const out: Uint8Array[][] = [[bytes]];
  for (let i = 1; i < bytes.length; i++) {
    out.push([bytes.subarray(0, i), bytes.subarray(i)]);
  }
  out.push(Array.from(bytes, (b) => new Uint8Array([b])));
  return out;
}

/** Chunkings of `input` as strings: whole, two pieces at every UTF-16 offset, one code point and one UTF-16 unit at a time. */
export function stringChunkings(input: string): string[][] {
  const out: string[][] = [[input]];
  for (let i = 1; i < input.length; i++) {
    out.push([input.slice(0, i), input.slice(i)]);
  }
  out.push(Array.from(input), input.split(""));
  return out;
}

function sameOutcome(
  input: string,
  all: readonly (readonly (string | Uint8Array)[])[],
  options: XmlParserOptions,
): Outcome {
  const want = outcome(() => feedStream(all[0], options), exact);
  for (const chunks of all) {
    const got = outcome(() => feedStream(chunks, options), exact);
    try {
      deepEqual(got, want);
    } catch {
      fail(
        `chunking changed the outcome for ${JSON.stringify(input)}\n` +
          `chunks: ${JSON.stringify(chunks.map(String))}\n` +
          `got:  ${JSON.stringify(got)}\nwant: ${JSON.stringify(want)}`,
      );
    }
  }
  return want;
}

/**
 * Parses `input` as a stream in every chunking and checks that all give the
 * same outcome (same events, or the same error at the same position; byte
 * and string input are compared separately since offsets count different
 * units). Returns the outcome with events as serialized XML.
 * `stringsOnly` is for inputs that UTF-8 cannot encode (lone surrogates).
 */
export function streamOutcome(
  input: string,
  options: XmlParserOptions = {},
  stringsOnly = false,
): Outcome {
  const fromStrings = sameOutcome(input, stringChunkings(input), options);
  if (stringsOnly) return readable(fromStrings, () => [input], options);
  const fromBytes = sameOutcome(input, byteChunkings(input), options);
  if ("error" in fromBytes) {
    equal(
      "error" in fromStrings && fromStrings.error,
      fromBytes.error,
      "string and byte input fail alike",
    );
  } else deepEqual(fromStrings, fromBytes, "string and byte input agree");
  return readable(fromBytes, () => [encoder.encode(input)], options);
}

function readable(
  result: Outcome,
  chunks: () => (string | Uint8Array)[],
  options: XmlParserOptions,
): Outcome {
  if ("error" in result) return result;
  return outcome(() => feedStream(chunks(), options), describe);
}

/** Parses `input` with {@linkcode parseXml} as bytes and as a string; both must agree. */
export function documentOutcome(
  input: string,
  options: ParseXmlOptions = {},
): Outcome {
  const run = (value: string | Uint8Array) =>
    outcome(() => {
      const root = parseXml(value, options);
      return [{ type: "element", element: root }];
    }, describe);
  const fromBytes = run(encoder.encode(input));
  const fromString = run(input);
  if ("error" in fromBytes) {
    equal("error" in fromString && fromString.error, fromBytes.error);
  } else deepEqual(fromString, fromBytes);
  return fromBytes;
}

/** The error condition of an outcome, or "ok". */
export function conditionOf(result: Outcome): string {
  return "error" in result ? result.error : "ok";
}
