// XML element model for RFC 6120 section 11 restricted XML: namespaces resolved, no comments or PIs.

/** A child of an element: another element or a run of character data. */
export type XmlNode = XmlElement | string;

/** Attributes by name; `xml:lang` keeps its prefix, namespace declarations are not attributes. */
export type XmlAttributes = Readonly<Record<string, string>>;

/**
 * An XML element with its namespace resolved.
 *
 * `name` is the local name, `ns` the namespace URI ("" for none). Namespace
 * declarations (`xmlns`, `xmlns:p`) are not kept as attributes: the
 * serializer writes whatever declarations the resolved namespaces need.
 * Attributes in the XML namespace keep the `xml:` prefix (`xml:lang`);
 * attributes in any other namespace are keyed in Clark notation
 * (`{urn:example}name`).
 *
 * Elements are treated as immutable values: helpers such as
 * {@linkcode XmlElement.withAttrs} return copies.
 *
 * @example
 * ```ts
 * const msg = new XmlElement("message", "jabber:client", { to: "a@b" }, [
 *   new XmlElement("body", "jabber:client", {}, ["Hi"]),
 * ]);
 * msg.getChildText("body"); // "Hi"
 * ```
 */
export class XmlElement {
  /** Local name, e.g. `message`. */
  readonly name: string;
  /** Namespace URI, e.g. `jabber:client`; "" when the element has none. */
  readonly ns: string;
  /** Attributes, without namespace declarations. */
  readonly attrs: XmlAttributes;
  /** Child elements and text, in document order. */
  readonly children: readonly XmlNode[];

  /** Creates an element; `ns` defaults to no namespace. */
  constructor(
    name: string,
    ns = "",
    attrs: XmlAttributes = {},
    children: readonly XmlNode[] = [],
  ) {
    this.name = name;
    this.ns = ns;
    this.attrs = attrs;
    this.children = children;
  }

  /** True when the element has this local name and (if given) namespace. */
  is(name: string, ns?: string): boolean {
    return this.name === name && (ns === undefined || this.ns === ns);
  }

  /** The value of an attribute, or undefined. */
  attr(name: string): string | undefined {
    return Object.hasOwn(this.attrs, name) ? this.attrs[name] : undefined;
  }

  /** Child elements, optionally filtered by name and namespace (default: this element's namespace when a name is given). */
  getChildren(name?: string, ns?: string): XmlElement[] {
    const out: XmlElement[] = [];
    const wantNs = name === undefined ? ns : (ns ?? this.ns);
    for (const child of this.children) {
      if (typeof child === "string") continue;
      if (name !== undefined && child.name !== name) continue;
      if (wantNs !== undefined && child.ns !== wantNs) continue;
      out.push(child);
    }
    return out;
  }

  /** The first child element with this name and namespace (default: this element's namespace). */
  getChild(name: string, ns: string = this.ns): XmlElement | undefined {
    for (const child of this.children) {
      if (typeof child !== "string" && child.name === name && child.ns === ns) {
        return child;
      }
    }
    return undefined;
  }

  /** The first child element in a namespace, whatever its name. */
  getChildByNs(ns: string): XmlElement | undefined {
    for (const child of this.children) {
      if (typeof child !== "string" && child.ns === ns) return child;
    }
    return undefined;
  }

  /** All child elements (text dropped). */
  elements(): XmlElement[] {
    return this.children.filter((c): c is XmlElement => typeof c !== "string");
  }

  /** The concatenated text of this element's direct text children. */
  text(): string {
    let out = "";
    for (const child of this.children) {
      if (typeof child === "string") out += child;
    }
    return out;
  }

  /** The text of the first matching child, or undefined when there is no such child. */
  getChildText(name: string, ns: string = this.ns): string | undefined {
    return this.getChild(name, ns)?.text();
  }

  /** A copy with attributes merged in; an `undefined` value removes the attribute. */
  withAttrs(patch: Readonly<Record<string, string | undefined>>): XmlElement {
    const attrs: Record<string, string> = { ...this.attrs };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) delete attrs[key];
      else setOwn(attrs, key, value);
    }
    return new XmlElement(this.name, this.ns, attrs, this.children);
  }

  /** A copy with other children. */
  withChildren(children: readonly XmlNode[]): XmlElement {
    return new XmlElement(this.name, this.ns, this.attrs, children);
  }
}

/**
 * Builds an element; children that are `undefined`, `null` or `false` are
 * skipped, so optional parts can be written inline.
 *
 * @example
 * ```ts
 * const iq = el("iq", "jabber:client", { type: "get", id: "1" },
 *   el("ping", "urn:xmpp:ping"));
 * ```
 */
export function el(
  name: string,
  ns: string,
  attrs: Readonly<Record<string, string | undefined>> = {},
  ...children: (XmlNode | undefined | null | false)[]
): XmlElement {
  const cleanAttrs: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined) setOwn(cleanAttrs, key, value);
  }
  const kids: XmlNode[] = [];
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    kids.push(child);
  }
  return new XmlElement(name, ns, cleanAttrs, kids);
}

/** Sets an own property, also for the key "__proto__" (which plain assignment would swallow). */
export function setOwn(
  target: Record<string, string>,
  key: string,
  value: string,
): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else target[key] = value;
}
