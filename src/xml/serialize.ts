// XML 1.0 serialization (W3C XML 1.0 sections 2.2-2.4) of the element model; all text and attribute values escaped.

import { XmlElement } from "./element.ts";
import { XML_NCNAME } from "./chars.ts";

/** Namespace bound to the `xml:` prefix (never declared). */
export const XML_NS = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

/** Options for {@linkcode serialize}. */
export interface SerializeOptions {
  /**
   * Namespace in scope where the element is written (the default namespace
   * of its parent). When the element's namespace equals it, no `xmlns` is
   * written on the top element. Default: "" (write `xmlns` whenever the
   * element has a namespace).
   */
  parentNs?: string;
}

/** Thrown when a string cannot be written as XML (a character XML forbids, a bad name). */
export class XmlSerializeError extends TypeError {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "XmlSerializeError";
  }
}

// Characters XML 1.0 allows (section 2.2); lone surrogates are outside the ranges.
const FORBIDDEN_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const TEXT_SPECIAL = /[&<>\r]/;
const ATTR_SPECIAL = /[&<>"\t\n\r]/;

function checkChars(value: string): void {
  const bad = FORBIDDEN_CHAR.exec(value);
  if (bad) {
    const cp = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(
      4,
      "0",
    );
    throw new XmlSerializeError(
      `Cannot serialize XML: character U+${cp} is not allowed in XML`,
    );
  }
}

/** Escapes character data for use as element text. Throws on characters XML forbids. */
export function escapeText(value: string): string {
  checkChars(value);
  if (!TEXT_SPECIAL.test(value)) return value;
  return value.replace(/[&<>\r]/g, (c) => ESCAPES[c]);
}

/** Escapes a value for a double-quoted attribute. Throws on characters XML forbids. */
export function escapeAttr(value: string): string {
  checkChars(value);
  if (!ATTR_SPECIAL.test(value)) return value;
  return value.replace(/[&<>"\t\n\r]/g, (c) => ESCAPES[c]);
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};

const checkedNames = new Set<string>();
function checkName(name: string): void {
  if (checkedNames.has(name)) return;
  if (!XML_NCNAME.test(name)) {
    throw new XmlSerializeError(
      `Cannot serialize XML: "${name}" is not a valid XML name`,
    );
  }
  if (checkedNames.size < 10_000) checkedNames.add(name);
}

/**
 * Serializes an element to an XML string (no XML declaration).
 *
 * @example
 * ```ts
 * serialize(el("body", "jabber:client", {}, "a < b"), { parentNs: "jabber:client" });
 * // "<body>a &lt; b</body>"
 * ```
 */
export function serialize(
  element: XmlElement,
  options: SerializeOptions = {},
): string {
  const out: string[] = [];
  write(element, options.parentNs ?? "", out, 0);
  return out.join("");
}

function write(
  element: XmlElement,
  parentNs: string,
  out: string[],
  depth: number,
): void {
  checkName(element.name);
  let head = "<" + element.name;
  if (element.ns === XML_NS || element.ns === XMLNS_NS) {
    throw new XmlSerializeError(
      `Cannot serialize XML: "${element.ns}" cannot be an element namespace`,
    );
  }
  if (element.ns !== parentNs) {
    head += ' xmlns="' + escapeAttr(element.ns) + '"';
  }
  let prefixCount = depth * 100;
  for (const key in element.attrs) {
    const value = element.attrs[key];
    if (key.charCodeAt(0) === 123 /* { */) {
      const close = key.lastIndexOf("}");
      const uri = key.slice(1, close);
      const local = key.slice(close + 1);
      checkName(local);
      if (uri === "" || uri === XMLNS_NS) {
        throw new XmlSerializeError(
          `Cannot serialize XML: attribute "${key}" has an invalid namespace`,
        );
      }
      if (uri === XML_NS) {
        head += " xml:" + local + '="' + escapeAttr(value) + '"';
        continue;
      }
      const prefix = "ns" + prefixCount++;
      head += " xmlns:" + prefix + '="' + escapeAttr(uri) + '" ' + prefix +
        ":" + local + '="' + escapeAttr(value) + '"';
      continue;
    }
    if (key === "xmlns") {
      throw new XmlSerializeError(
        'Cannot serialize XML: "xmlns" is a namespace declaration, not an attribute',
      );
    }
    checkName(key.startsWith("xml:") ? key.slice(4) : key);
    head += " " + key + '="' + escapeAttr(value) + '"';
  }
  if (element.children.length === 0) {
    out.push(head + "/>");
    return;
  }
  out.push(head + ">");
  for (const child of element.children) {
    if (typeof child === "string") out.push(escapeText(child));
    else write(child, element.ns, out, depth + 1);
  }
  out.push("</" + element.name + ">");
}

/**
 * A canonical string form for comparing elements in tests: namespaces
 * written explicitly on the top element, attributes sorted, and the child
 * elements of any element without non-whitespace text sorted by their own
 * canonical form (whitespace-only text between them dropped). Elements with
 * text keep their order (mixed content such as XHTML-IM is ordered).
 */
export function canonicalize(element: XmlElement): string {
  return serialize(canonicalElement(element));
}

function canonicalElement(element: XmlElement): XmlElement {
  const attrs: Record<string, string> = {};
  for (const key of Object.keys(element.attrs).sort()) {
    attrs[key] = element.attrs[key];
  }
  const hasText = element.children.some((c) =>
    typeof c === "string" && c.trim() !== ""
  );
  let children: (XmlElement | string)[];
  if (hasText) {
    children = [];
    for (const child of element.children) {
      const next = typeof child === "string" ? child : canonicalElement(child);
      const last = children.length - 1;
      if (typeof next === "string" && typeof children[last] === "string") {
        children[last] += next;
      } else children.push(next);
    }
  } else {
    children = element.elements()
      .map((child) => canonicalElement(child))
      .map((child) => ({
        child,
        key: serialize(child, { parentNs: element.ns }),
      }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map(({ child }) => child);
  }
  return new XmlElement(element.name, element.ns, attrs, children);
}
