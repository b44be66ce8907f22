// JSON mapping: keys mod_rest maps by hand (disco, items, command, dataform, archive...), one child element each (README "iq payloads").

import type { XmlElement } from "../xml/element.ts";
import type { StanzaKind } from "../xmpp/stanza.ts";
import type { FieldCodec, WriteContext } from "./types.ts";

/** What {@linkcode elementField} needs. */
export interface ElementFieldSpec {
  /** The JSON key. */
  readonly key: string;
  /** Stanza kinds on which it is mapped. */
  readonly kinds: readonly StanzaKind[];
  /** mod_rest maps it by hand (skipped on error stanzas). */
  readonly handwritten?: boolean;
  /** The child element that carries it; none for an input-only key. */
  readonly element?: { readonly name: string; readonly ns: string };
  /** Reads the JSON value from that element. */
  readonly read?: (element: XmlElement) => unknown;
  /** Builds that element from a JSON value (throws on a wrong shape). */
  readonly write: (value: unknown, ctx: WriteContext) => XmlElement;
}

/**
 * A key mapped to one child element by a reader and a writer (the
 * hand-written payloads: disco, items, command, dataform, archive...).
 * `false` and `null` write nothing.
 *
 * @example
 * ```ts
 * elementField({
 *   key: "command", kinds: ["iq"], handwritten: true,
 *   element: { name: "command", ns: NS.commands },
 *   read: readCommand, write: writeCommand,
 * });
 * ```
 */
export function elementField(spec: ElementFieldSpec): FieldCodec {
  const { element, read } = spec;
  return {
    key: spec.key,
    kinds: spec.kinds,
    handwritten: spec.handwritten,
    read(stanza) {
      if (!element || !read) return undefined;
      const child = stanza.getChild(element.name, element.ns);
      return child ? read(child) : undefined;
    },
    write(value, ctx) {
      if (value === false || value === null) return [];
      return [spec.write(value, ctx)];
    },
  };
}

/** How a hand-written payload is read from and written to its element. */
export interface PayloadCodec {
  /** Reads the JSON value from the element; none for an input-only key. */
  readonly read?: (element: XmlElement) => unknown;
  /** Builds the element from a JSON value (throws on a wrong shape). */
  readonly write: (value: unknown, ctx: WriteContext) => XmlElement;
}

/**
 * A key mod_rest maps by hand on every kind of stanza (so skipped on error
 * stanzas): {@linkcode elementField} with those settings.
 *
 * @example
 * ```ts
 * handwrittenField("command", { name: "command", ns: NS.commands }, { read: readCommand, write: writeCommand });
 * ```
 */
export function handwrittenField(
  key: string,
  element: { readonly name: string; readonly ns: string } | undefined,
  codec: PayloadCodec,
): FieldCodec {
  return elementField({
    key,
    kinds: ["message", "presence", "iq"],
    handwritten: true,
    element,
    ...codec,
  });
}
