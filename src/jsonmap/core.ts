// JSON mapping core: RFC 6120 section 8.1 stanza attributes and 8.3 errors as mod_rest's jsonmap maps them (README "Stanza basics", "Errors in JSON").

import { el, type XmlElement } from "../xml/element.ts";
import {
  isStanzaErrorCondition,
  STANZA_ERROR_TYPES,
  type StanzaErrorCondition,
} from "../xmpp/conditions.ts";
import { InvalidJidError, prepJid } from "../xmpp/jid.ts";
import { NS } from "../xmpp/namespaces.ts";
import {
  errorElement,
  readStanzaError,
  type StanzaKind,
} from "../xmpp/stanza.ts";
import { CODECS } from "./registry.ts";
import {
  at,
  compact,
  expectEnum,
  expectInteger,
  expectObject,
  expectString,
  fail,
  optional,
  type ShapeContext,
} from "./shape.ts";
import {
  type FieldCodec,
  JsonMappingError,
  type JsonStanza,
  type ReadContext,
  type WriteContext,
} from "./types.ts";

/** The stanza kinds, as the `kind` key spells them. */
export const KINDS = ["message", "presence", "iq"] as const;

/** mod_rest's kind inference from `type` when `kind` is absent. */
const KIND_BY_TYPE: Readonly<Record<string, StanzaKind>> = {
  get: "iq",
  set: "iq",
  result: "iq",
  normal: "message",
  chat: "message",
  headline: "message",
  groupchat: "message",
  available: "presence",
  unavailable: "presence",
  subscribe: "presence",
  subscribed: "presence",
  unsubscribe: "presence",
  unsubscribed: "presence",
};

/**
 * mod_rest's kind inference from the keys present when neither `kind` nor
 * a known `type` says it; the first match in this order wins (mod_rest
 * leaves the order unspecified).
 */
const KIND_BY_KEY = [
  ["disco", "iq"],
  ["items", "iq"],
  ["ping", "iq"],
  ["version", "iq"],
  ["command", "iq"],
  ["archive", "iq"],
  ["body", "message"],
  ["html", "message"],
  ["replace", "message"],
  ["state", "message"],
  ["subject", "message"],
  ["thread", "message"],
  ["join", "presence"],
  ["priority", "presence"],
  ["show", "presence"],
  ["status", "presence"],
] as const satisfies readonly (readonly [string, StanzaKind])[];

/** iq keys that imply `type="set"` (everything else on an iq implies `get`). */
const SET_KEYS = ["command", "archive"] as const;

/** Deepest JSON pointer (in segments) accepted for nested stanzas. */
const MAX_NESTED_PATH_SEGMENTS = 64;

const BY_KIND: Readonly<Record<StanzaKind, readonly FieldCodec[]>> = {
  message: CODECS.filter((c) => c.kinds.includes("message")),
  presence: CODECS.filter((c) => c.kinds.includes("presence")),
  iq: CODECS.filter((c) => c.kinds.includes("iq")),
};

// Nested messages (forwarded) carry only the declarative fields.
const NESTED_MESSAGE = BY_KIND.message.filter((c) => !c.handwritten);

/** The codecs registered for a kind, in output order. */
export function codecsFor(kind: StanzaKind): readonly FieldCodec[] {
  return BY_KIND[kind];
}

// mod_rest tests `if t[k]`: present and neither null nor false.
function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

/** `value` when it is a valid JID, else undefined. */
function validJid(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    prepJid(value);
    return value;
  } catch (error) {
    if (error instanceof InvalidJidError) return undefined;
    throw error;
  }
}

function prep(value: string, ctx: ShapeContext): string {
  try {
    return prepJid(value);
  } catch (error) {
    if (!(error instanceof InvalidJidError)) throw error;
    return fail(ctx, `expected a valid JID: ${error.part} ${error.reason}`, {
      cause: error,
    });
  }
}

function stanzaKind(stanza: XmlElement, path: string): StanzaKind {
  if (
    stanza.ns === NS.client &&
    (KINDS as readonly string[]).includes(stanza.name)
  ) {
    return stanza.name as StanzaKind;
  }
  throw new JsonMappingError(
    path,
    `cannot map element "${stanza.name}" in namespace "${stanza.ns}": expected a message, presence or iq in jabber:client`,
  );
}

/**
 * Maps one stanza to JSON. `path` is the JSON pointer of the result (for
 * error messages); `nested` maps a forwarded message: no `kind`, addresses
 * copied verbatim, no `error` object, hand-written fields skipped.
 */
export function readStanza(
  stanza: XmlElement,
  path = "",
  nested = false,
): JsonStanza {
  const kind = stanzaKind(stanza, path);
  const type = stanza.attr("type");
  const out: Record<string, unknown> = {};
  if (!nested) out.kind = kind;
  if (type !== undefined) out.type = type;
  else if (kind === "presence" && !nested) out.type = "available";
  const id = stanza.attr("id");
  if (id !== undefined) out.id = id;
  for (const key of ["from", "to"] as const) {
    const value = stanza.attr(key);
    if (value === undefined) continue;
    out[key] = nested
      ? value
      : prep(value, { path: `${path}/${key}`, coerce: false });
  }
  const lang = stanza.attr("xml:lang");
  if (lang !== undefined) out.lang = lang;

  const isError = type === "error" && !nested;
  const ctx: ReadContext = {
    kind,
    type,
    readNested: (inner) => readStanza(inner, path, true),
  };
  const codecs = nested ? NESTED_MESSAGE : BY_KIND[kind];
  for (const codec of codecs) {
    if (isError && codec.handwritten) continue;
    let value: unknown;
    try {
      value = codec.read(stanza, ctx);
    } catch (error) {
      throw rebase(error, path);
    }
    if (value !== undefined) out[codec.key] = value;
  }
  if (isError) {
    const error = readStanzaError(stanza);
    // Output is always valid input: a `by` that is no JID is left out
    // (RFC 6120 section 8.3.2: by is the entity that returned the error).
    if (error) out.error = compact({ ...error, by: validJid(error.by) });
  }
  return out;
}

// Codec errors carry paths relative to their stanza; prefix the stanza's own.
function rebase(error: unknown, path: string): unknown {
  if (!(error instanceof JsonMappingError) || path === "") return error;
  return new JsonMappingError(path + error.path, error.reason);
}

/**
 * Maps a JSON object to a stanza in `jabber:client` (see
 * {@linkcode jsonToStanza} in mod.ts for the rules). `nested` builds a
 * forwarded message: always a message, `kind` ignored, addresses copied
 * verbatim, no error handling, hand-written fields ignored.
 */
export function writeStanza(
  json: unknown,
  base: ShapeContext,
  nested = false,
): XmlElement {
  if (nested && base.path.split("/").length > MAX_NESTED_PATH_SEGMENTS) {
    fail(base, "expected less deeply nested stanzas");
  }
  const obj = expectObject(json, base);
  let type = optional(obj, "type", base, expectString);
  const kind = nested ? "message" : inferKind(obj, type, base);
  if (type === undefined && kind === "iq") {
    type = SET_KEYS.some((k) => truthy(obj[k])) ? "set" : "get";
  }
  if (kind === "presence" && type === "available") type = undefined;

  const attrs: Record<string, string | undefined> = {
    type,
    id: optional(obj, "id", base, expectString),
  };
  for (const key of ["from", "to"] as const) {
    const value = optional(obj, key, base, expectString);
    attrs[key] = value === undefined || nested
      ? value
      : prep(value, at(base, key));
  }
  attrs["xml:lang"] = optional(obj, "lang", base, expectString);

  if (!nested && obj.error !== undefined && obj.error !== null) {
    attrs.type = "error";
    return el(kind, NS.client, attrs, readErrorObject(obj.error, base));
  }
  const legacyError = !nested && type === "error";
  const ctx: WriteContext = {
    kind,
    type,
    path: base.path,
    coerce: base.coerce,
    stanza: obj,
    writeNested: (inner, innerCtx) => writeStanza(inner, innerCtx, true),
  };
  const children: XmlElement[] = [];
  for (const codec of nested ? NESTED_MESSAGE : BY_KIND[kind]) {
    if (legacyError && codec.handwritten) continue;
    const value = Object.hasOwn(obj, codec.key) ? obj[codec.key] : undefined;
    if (value === undefined || value === null) continue;
    children.push(...codec.write(value, at(ctx, codec.key)));
  }
  if (legacyError) children.push(legacyErrorElement(obj, base));
  return el(kind, NS.client, attrs, ...children);
}

function inferKind(
  obj: Readonly<Record<string, unknown>>,
  type: string | undefined,
  base: ShapeContext,
): StanzaKind {
  const kind = obj.kind;
  if (kind !== undefined && kind !== null) {
    return expectEnum(kind, at(base, "kind"), KINDS);
  }
  if (type !== undefined && Object.hasOwn(KIND_BY_TYPE, type)) {
    return KIND_BY_TYPE[type];
  }
  if (type === undefined && SET_KEYS.some((k) => truthy(obj[k]))) return "iq";
  for (const [key, implied] of KIND_BY_KEY) {
    if (truthy(obj[key])) return implied;
  }
  return "message";
}

/** `"error": { type, condition, text, by }` → `<error/>`; condition defaults to undefined-condition. */
function readErrorObject(value: unknown, base: ShapeContext): XmlElement {
  const ctx = at(base, "error");
  const error = expectObject(value, ctx);
  const conditionText = optional(error, "condition", ctx, expectString);
  let condition: StanzaErrorCondition = "undefined-condition";
  if (conditionText !== undefined) {
    if (!isStanzaErrorCondition(conditionText)) {
      fail(
        at(ctx, "condition"),
        "expected a stanza error condition (RFC 6120 section 8.3.3)",
      );
    }
    condition = conditionText;
  }
  const type = optional(
    error,
    "type",
    ctx,
    (v, c) => expectEnum(v, c, STANZA_ERROR_TYPES),
  );
  const text = optional(error, "text", ctx, expectString);
  const byRaw = optional(error, "by", ctx, expectString);
  const by = byRaw === undefined ? undefined : prep(byRaw, at(ctx, "by"));
  return errorElement({ condition, type, text, by });
}

/** Legacy (XEP-0086 style) `<error code="…">body</error>` for `"type":"error"` without an error object. */
function legacyErrorElement(
  obj: Readonly<Record<string, unknown>>,
  base: ShapeContext,
): XmlElement {
  const raw = obj.error_code;
  const ctx = at(base, "error_code");
  const code = raw === undefined || raw === null
    ? undefined
    : typeof raw === "string"
    ? expectString(raw, ctx)
    : String(expectInteger(raw, ctx));
  const body = typeof obj.body === "string" ? obj.body : undefined;
  return el("error", NS.client, { code }, body || undefined);
}
