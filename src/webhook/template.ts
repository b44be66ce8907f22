// README "Options": rest_callback_url templates with {kind} {type} {to} {from}, values percent-encoded.

import type { XmlElement } from "../xml/element.ts";

/** The placeholders a callback URL may contain. */
export const URL_PLACEHOLDERS = ["kind", "type", "to", "from"] as const;
/** A placeholder name. */
export type UrlPlaceholder = typeof URL_PLACEHOLDERS[number];
/** Values for the placeholders; a missing value renders as "". */
export type UrlTemplateValues = Partial<Record<UrlPlaceholder, string>>;

/** A piece of a parsed template: literal text or a placeholder. */
export type UrlTemplatePart =
  | { readonly literal: string }
  | { readonly placeholder: UrlPlaceholder };

/** A parsed URL template. */
export interface UrlTemplate {
  /** The template as written. */
  readonly source: string;
  /** Literal text and placeholders, in order. */
  readonly parts: readonly UrlTemplatePart[];
}

/**
 * A callback URL template that cannot be used.
 *
 * @example
 * ```ts
 * try { parseUrlTemplate("http://h/{user}"); } catch (e) {
 *   if (e instanceof UrlTemplateError) console.log(e.message);
 * }
 * ```
 */
export class UrlTemplateError extends SyntaxError {
  /** The template that failed. */
  readonly template: string;
  /** Creates the error. */
  constructor(template: string, reason: string) {
    super(`Cannot parse callback URL template "${template}": ${reason}`);
    this.name = "UrlTemplateError";
    this.template = template;
  }
}

function isPlaceholder(name: string): name is UrlPlaceholder {
  return (URL_PLACEHOLDERS as readonly string[]).includes(name);
}

/**
 * Splits a template into literal text and placeholders. Throws
 * {@linkcode UrlTemplateError} for an unknown placeholder or a stray brace.
 *
 * @example
 * ```ts
 * const t = parseUrlTemplate("http://api/{kind}/{type}");
 * renderUrl(t, { kind: "message", type: "chat" }); // "http://api/message/chat"
 * ```
 */
export function parseUrlTemplate(source: string): UrlTemplate {
  const parts: UrlTemplatePart[] = [];
  const pattern = /\{([^{}]*)\}/g;
  let last = 0;
  for (const match of source.matchAll(pattern)) {
    const name = match[1];
    if (!isPlaceholder(name)) {
      throw new UrlTemplateError(
        source,
        `unknown placeholder "{${name}}" (use {kind}, {type}, {to} or {from})`,
      );
    }
    pushLiteral(parts, source, source.slice(last, match.index));
    parts.push({ placeholder: name });
    last = match.index + match[0].length;
  }
  pushLiteral(parts, source, source.slice(last));
  return { source, parts };
}

function pushLiteral(
  parts: UrlTemplatePart[],
  source: string,
  literal: string,
): void {
  if (/[{}]/.test(literal)) {
    throw new UrlTemplateError(source, "unbalanced brace");
  }
  if (literal !== "") parts.push({ literal });
}

const encoder = new TextEncoder();

/**
 * Percent-encodes every UTF-8 byte except `A-Z a-z 0-9 . ~ _ -`, with
 * lower-case hex digits (Prosody's `urlencode`).
 *
 * @example
 * ```ts
 * percentEncode("bot@rest.example.net/x"); // "bot%40rest.example.net%2fx"
 * ```
 */
export function percentEncode(value: string): string {
  let out = "";
  for (const byte of encoder.encode(value)) {
    const unreserved = (byte >= 0x30 && byte <= 0x39) || // 0-9
      (byte >= 0x41 && byte <= 0x5a) || // A-Z
      (byte >= 0x61 && byte <= 0x7a) || // a-z
      byte === 0x2d || byte === 0x2e || byte === 0x5f || byte === 0x7e;
    out += unreserved
      ? String.fromCharCode(byte)
      : "%" + byte.toString(16).padStart(2, "0");
  }
  return out;
}

/** Renders a template; each value is percent-encoded, a missing one is "". */
export function renderUrl(
  template: UrlTemplate,
  values: UrlTemplateValues,
): string {
  let out = "";
  for (const part of template.parts) {
    out += "literal" in part
      ? part.literal
      : percentEncode(values[part.placeholder] ?? "");
  }
  return out;
}

/** The placeholder values of a stanza: its name, `type`, `to` and `from`. */
export function stanzaUrlValues(stanza: XmlElement): UrlTemplateValues {
  return {
    kind: stanza.name,
    type: stanza.attr("type"),
    to: stanza.attr("to"),
    from: stanza.attr("from"),
  };
}

/** The placeholder values of the startup probe: kind `meta`, type `info`, to and from the domain. */
export function probeUrlValues(domain: string): UrlTemplateValues {
  return { kind: "meta", type: "info", to: domain, from: domain };
}
