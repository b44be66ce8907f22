// JSON mapping: typed readers for JSON values and XML attribute/text values (README "JSON mapping reference").

/**
 * Typed readers shared by every codec of the JSON mapping.
 *
 * JSON → XML: `expectString(value, ctx)` and friends either return the value
 * with its type narrowed or throw {@linkcode JsonMappingError} naming the
 * JSON pointer (`ctx.path`) and what was expected. When `ctx.coerce` is set
 * (form-urlencoded bodies, GET query parameters: every value is a string)
 * numbers and booleans are also accepted as strings. Use {@linkcode at} to
 * build the context of a nested value and {@linkcode compact} to build JSON
 * output without `undefined` members.
 *
 * XML → JSON: `xmlInteger`, `xmlNumber` and `xmlBoolean` parse attribute or
 * text values the way Prosody's util.datamapper does, returning undefined
 * for values that do not parse (the key is then omitted).
 *
 * @example
 * ```ts
 * const ctx = { path: "/muc", coerce: false };
 * const muc = expectObject(value, ctx);
 * const history = muc.history === undefined
 *   ? undefined
 *   : expectObject(muc.history, at(ctx, "history"));
 * const max = expectInteger(history?.maxstanzas, at(ctx, "history", "maxstanzas"), { min: 0 });
 * // throws JsonMappingError("/muc/history/maxstanzas", "expected an integer of at least 0")
 * ```
 *
 * @module
 */

import { JsonMappingError } from "./types.ts";

/** Where a value sits (JSON pointer) and whether strings may stand for numbers/booleans. */
export interface ShapeContext {
  /** JSON pointer of the value, e.g. `/thread/id`. */
  readonly path: string;
  /** Accept numbers and booleans written as strings. */
  readonly coerce: boolean;
}

/** Bounds for {@linkcode expectInteger}. */
export interface IntegerBounds {
  /** Smallest allowed value. */
  min?: number;
  /** Largest allowed value. */
  max?: number;
}

/**
 * The context of a member of the current value: `at({path:"/a"}, "b", 0)`
 * has path `/a/b/0`. Keys are escaped per RFC 6901 (`~` → `~0`, `/` → `~1`).
 */
export function at<C extends ShapeContext>(
  ctx: C,
  ...keys: (string | number)[]
): C {
  let path = ctx.path;
  for (const key of keys) {
    path += typeof key === "number" ? "/" + key : "/" + pointerToken(key);
  }
  return { ...ctx, path };
}

/** Escapes one JSON pointer reference token (RFC 6901 section 3). */
function pointerToken(key: string): string {
  return key.includes("~") || key.includes("/")
    ? key.replaceAll("~", "~0").replaceAll("/", "~1")
    : key;
}

/** Throws the {@linkcode JsonMappingError} for `ctx.path` with this reason. */
export function fail(
  ctx: ShapeContext,
  reason: string,
  options?: ErrorOptions,
): never {
  throw new JsonMappingError(ctx.path, reason, options);
}

// Characters XML 1.0 does not allow (section 2.2); lone surrogates included.
const XML_FORBIDDEN = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * A string that XML can carry. Anything else throws "expected a string";
 * a string with a character XML forbids (NUL, most C0 controls, U+FFFE,
 * lone surrogates) throws "expected a string without characters XML forbids
 * (U+0000)" so that bad input is a mapping error, not a serializer crash.
 */
export function expectString(value: unknown, ctx: ShapeContext): string {
  if (typeof value !== "string") return fail(ctx, "expected a string");
  checkXmlChars(value, ctx);
  return value;
}

/** Throws {@linkcode JsonMappingError} when the text holds a character XML forbids. */
export function checkXmlChars(text: string, ctx: ShapeContext): void {
  const bad = XML_FORBIDDEN.exec(text);
  if (bad === null) return;
  const cp = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
  fail(ctx, `expected a string without characters XML forbids (U+${cp})`);
}

/** One of a fixed set of strings; throws `expected one of "a", "b"`. */
export function expectEnum<T extends string>(
  value: unknown,
  ctx: ShapeContext,
  allowed: readonly T[],
): T {
  if (
    typeof value === "string" && (allowed as readonly string[]).includes(value)
  ) {
    return value as T;
  }
  return fail(
    ctx,
    "expected one of " + allowed.map((v) => JSON.stringify(v)).join(", "),
  );
}

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const NUMBER_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

function describeBounds(bounds: IntegerBounds): string {
  const { min, max } = bounds;
  if (min !== undefined && max !== undefined) {
    return `an integer from ${min} to ${max}`;
  }
  if (min !== undefined) return `an integer of at least ${min}`;
  if (max !== undefined) return `an integer of at most ${max}`;
  return "an integer";
}

/**
 * An integer (a JSON number without fraction; with `ctx.coerce` also a
 * decimal string such as `"42"`), optionally within bounds. Throws
 * "expected an integer from -128 to 127" and the like.
 */
export function expectInteger(
  value: unknown,
  ctx: ShapeContext,
  bounds: IntegerBounds = {},
): number {
  let n: number | undefined;
  if (typeof value === "number") n = value;
  else if (
    ctx.coerce && typeof value === "string" && INTEGER_TEXT.test(value)
  ) {
    n = Number(value);
  }
  if (
    n === undefined || !Number.isSafeInteger(n) ||
    (bounds.min !== undefined && n < bounds.min) ||
    (bounds.max !== undefined && n > bounds.max)
  ) {
    return fail(ctx, "expected " + describeBounds(bounds));
  }
  return n;
}

/** A finite number (with `ctx.coerce` also a numeric string); throws "expected a number". */
export function expectNumber(value: unknown, ctx: ShapeContext): number {
  let n: number | undefined;
  if (typeof value === "number") n = value;
  else if (ctx.coerce && typeof value === "string" && NUMBER_TEXT.test(value)) {
    n = Number(value);
  }
  if (n === undefined || !Number.isFinite(n)) {
    return fail(ctx, "expected a number");
  }
  return n;
}

/**
 * A JSON boolean. With `ctx.coerce` also the strings `"true"`/`"1"`/`""`
 * (true; `""` is a form field without value, `ping=`, which is how mod_rest
 * writes `true` in form output) and `"false"`/`"0"` (false), util.datamapper's
 * spellings. mod_rest coerces nothing by default (its flags only fire on a
 * real `true`), so neither do we. Throws "expected a boolean".
 */
export function expectBoolean(value: unknown, ctx: ShapeContext): boolean {
  if (typeof value === "boolean") return value;
  if (ctx.coerce && typeof value === "string") {
    if (value === "true" || value === "1" || value === "") return true;
    if (value === "false" || value === "0") return false;
  }
  return fail(ctx, "expected a boolean");
}

/** A JSON object (not null, not an array); throws "expected an object". */
export function expectObject(
  value: unknown,
  ctx: ShapeContext,
): Readonly<Record<string, unknown>> {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    return value as Record<string, unknown>;
  }
  return fail(ctx, "expected an object");
}

/** A JSON array; throws "expected an array". */
export function expectArray(
  value: unknown,
  ctx: ShapeContext,
): readonly unknown[] {
  if (Array.isArray(value)) return value;
  return fail(ctx, "expected an array");
}

/**
 * Reads an optional member of an object with one of the readers above:
 * undefined (and JSON null) give undefined, anything else must match.
 *
 * @example
 * ```ts
 * const parent = optional(thread, "parent", ctx, expectString); // string | undefined
 * ```
 */
export function optional<T>(
  object: Readonly<Record<string, unknown>>,
  key: string,
  ctx: ShapeContext,
  reader: (value: unknown, ctx: ShapeContext) => T,
): T | undefined {
  const value = Object.hasOwn(object, key) ? object[key] : undefined;
  if (value === undefined || value === null) return undefined;
  return reader(value, at(ctx, key));
}

/** A copy of an object without its `undefined` members (JSON output must be plain JSON). */
export function compact<T extends Record<string, unknown>>(object: T): T {
  const out: Record<string, unknown> = {};
  for (const key in object) {
    if (object[key] !== undefined) out[key] = object[key];
  }
  return out as T;
}

/**
 * Parses an integer from XML text the way util.datamapper does (Lua
 * `tonumber`, surrounding whitespace allowed); undefined when it does not
 * parse or has a fraction.
 */
export function xmlInteger(text: string | undefined): number | undefined {
  if (text === undefined || !INTEGER_TEXT.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Parses a number from XML text (Lua `tonumber`); undefined when it does not parse. */
export function xmlNumber(text: string | undefined): number | undefined {
  if (text === undefined || !NUMBER_TEXT.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Parses a boolean from XML text as util.datamapper does: `true`/`1` →
 * true, `false`/`0` → false, any other present value → true, absent →
 * undefined.
 */
export function xmlBoolean(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  return !(text === "false" || text === "0");
}

/** Writes a boolean as XML: `"1"` or `"0"` (util.datamapper). */
export function booleanText(value: boolean): string {
  return value ? "1" : "0";
}

/** Writes a number as XML text: integers without fraction, others in shortest form. */
export function numberText(value: number): string {
  return String(value);
}
