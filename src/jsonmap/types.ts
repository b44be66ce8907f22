// Shared types of the JSON <-> stanza mapping (mod_rest's jsonmap, see README "JSON mapping reference").

import type { XmlElement } from "../xml/element.ts";
import type { StanzaKind } from "../xmpp/stanza.ts";

/** A stanza in its JSON form (`{"kind":"message","body":"Hi",...}`). */
export type JsonStanza = Record<string, unknown>;

/**
 * A JSON value that cannot be mapped: wrong shape, invalid JID, markup that
 * does not parse. `path` is a JSON pointer (`/disco/features/0`); the HTTP
 * layer turns this into 422 `bad-format` (or `improper-addressing` /
 * `invalid-from` for `/to` and `/from`).
 *
 * @example
 * ```ts
 * new JsonMappingError("/priority", "expected an integer from -128 to 127").message;
 * // "/priority: expected an integer from -128 to 127"
 * ```
 */
export class JsonMappingError extends TypeError {
  /** JSON pointer of the offending value ("" for the whole document). */
  readonly path: string;
  /** What was expected or what is wrong, without the path. */
  readonly reason: string;

  /** Creates the error. */
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`${path || "/"}: ${reason}`, options);
    this.name = "JsonMappingError";
    this.path = path;
    this.reason = reason;
  }
}

/** Context for turning one JSON field into XML. */
export interface WriteContext {
  /** Kind of the stanza being built. */
  readonly kind: StanzaKind;
  /** Its type attribute, if any. */
  readonly type?: string;
  /** JSON pointer of the field's value, for error messages (`/disco`). */
  readonly path: string;
  /**
   * True when values may arrive as strings that stand for numbers or
   * booleans (form-urlencoded bodies, GET query parameters) and must be
   * coerced where mod_rest coerces them.
   */
  readonly coerce: boolean;
  /**
   * The whole JSON object of the stanza being built, for the rare codec
   * whose output depends on a sibling key (presence `join` yields to
   * `muc`). Set by the core.
   */
  readonly stanza?: Readonly<Record<string, unknown>>;
  /**
   * Builds a nested message (XEP-0297 `forwarded.message`) with the same
   * rules as a top-level one, minus hand-written fields and `kind`; `ctx`
   * carries its JSON path. Set by the core.
   */
  readonly writeNested?: (json: unknown, ctx: WriteContext) => XmlElement;
}

/** Context for reading one field out of a stanza. */
export interface ReadContext {
  /** Kind of the stanza being read. */
  readonly kind: StanzaKind;
  /** Its type attribute, if any. */
  readonly type?: string;
  /**
   * Reads a nested `<message>` (XEP-0297 forwarded) with the same rules as
   * a top-level one, minus hand-written fields and `kind`. Set by the core.
   */
  readonly readNested?: (stanza: XmlElement) => JsonStanza;
}

/**
 * The mapping of one top-level JSON key. The core walks every codec
 * registered for a stanza's kind in both directions.
 */
export interface FieldCodec {
  /** The JSON key, e.g. `body`. */
  readonly key: string;
  /** The stanza kinds on which this key is mapped. */
  readonly kinds: readonly StanzaKind[];
  /**
   * True for mod_rest's hand-written ("func") mappings (html, disco, items,
   * command, dataform, oob_url...): these are skipped when reading an error
   * stanza, as mod_rest does.
   */
  readonly handwritten?: boolean;
  /** Reads the field; returns undefined when the stanza does not carry it. */
  read(stanza: XmlElement, ctx: ReadContext): unknown;
  /**
   * Builds the child element(s) for a JSON value. Throws
   * {@linkcode JsonMappingError} (with `ctx.path`) on a value of the wrong
   * shape. Returns [] when the value maps to nothing (e.g. `false`).
   */
  write(value: unknown, ctx: WriteContext): XmlElement[];
}
