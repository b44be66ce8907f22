// Namespaces in XML 1.0 (third edition) sections 3-6, required by RFC 6120 section 11.2: prefix scopes and name resolution.

import { ASCII_NAME, XML_NCNAME } from "./chars.ts";
import { setOwn, XmlElement, type XmlNode } from "./element.ts";
import { XML_NS } from "./serialize.ts";

/** The namespace of `xmlns` declarations (never bound to a prefix). */
export const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

/**
 * The namespace declarations in scope while a document is read. `open()`
 * applies the declarations of a start tag and resolves its names into an
 * {@linkcode XmlElement}; `close()` leaves that element's scope.
 */
export class NamespaceScope {
  #prefixes: string[] = ["xml"];
  #uris: string[] = [XML_NS];
  #marks: number[] = [];
  #defaults: string[];
  #aliases: Readonly<Record<string, string>> | undefined;
  #fail: (message: string) => Error;

  /**
   * `defaultNs` is the default namespace outside the root; `aliases` renames
   * namespaces as they are declared; `fail` makes the error to throw.
   */
  constructor(
    defaultNs: string,
    aliases: Readonly<Record<string, string>> | undefined,
    fail: (message: string) => Error,
  ) {
    this.#aliases = aliases;
    this.#fail = fail;
    this.#defaults = [this.#alias(defaultNs)];
  }

  #alias(uri: string): string {
    const aliases = this.#aliases;
    return aliases !== undefined && Object.hasOwn(aliases, uri)
      ? aliases[uri]
      : uri;
  }

  /** Enters the scope of a start tag and returns its element (children: `kids`). */
  open(qname: string, raw: readonly string[], kids: XmlNode[]): XmlElement {
    const mark = this.#prefixes.length;
    let ns = this.#defaults[this.#defaults.length - 1];
    let attrs: Record<string, string> = {};
    let prefixed = false; // an attribute with a prefix other than xml:
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i];
      const colon = name.indexOf(":");
      if (isDeclaration(name)) {
        if (colon === -1) ns = this.#defaultNamespace(raw[i + 1]);
        else this.#declare(name.slice(6), raw[i + 1]);
      } else if (colon === -1) setOwn(attrs, name, raw[i + 1]);
      else if (this.#split(name, colon) === "xml") attrs[name] = raw[i + 1];
      else prefixed = true;
    }
    this.#marks.push(mark);
    this.#defaults.push(ns);
    let local = qname;
    const colon = qname.indexOf(":");
    if (colon !== -1) {
      const prefix = this.#split(qname, colon);
      // Namespaces in XML 1.0 section 3: the xml and xmlns namespaces
      // name attributes; no element of an XMPP stream is in either.
      if (prefix === "xmlns" || prefix === "xml") {
        throw this.#fail(
          `element "${qname}" cannot use the prefix "${prefix}"`,
        );
      }
      ns = this.#lookup(prefix);
      local = qname.slice(colon + 1);
    }
    if (prefixed) attrs = this.#resolveAll(raw);
    return new XmlElement(local, ns, attrs, kids);
  }

  /** Leaves the scope of the innermost open element. */
  close(): void {
    const mark = this.#marks.pop()!;
    if (this.#prefixes.length !== mark) {
      this.#prefixes.length = mark;
      this.#uris.length = mark;
    }
    this.#defaults.pop();
  }

  /** Resolves all attributes in document order (only needed when some carry a declared prefix). */
  #resolveAll(raw: readonly string[]): Record<string, string> {
    const attrs: Record<string, string> = {};
    for (let i = 0; i < raw.length; i += 2) {
      let key = raw[i];
      if (isDeclaration(key)) continue;
      const c = key.indexOf(":");
      if (c !== -1 && this.#split(key, c) !== "xml") {
        key = "{" + this.#lookup(key.slice(0, c)) + "}" + key.slice(c + 1);
        // Names as written are unique (the tokenizer checks); two prefixes
        // bound to one namespace can still make resolved names collide.
        if (Object.hasOwn(attrs, key)) {
          throw this.#fail(
            `duplicate attribute "${raw[i]}" (resolves to "${key}")`,
          );
        }
      }
      setOwn(attrs, key, raw[i + 1]);
    }
    return attrs;
  }

  #defaultNamespace(uri: string): string {
    if (uri === XML_NS || uri === XMLNS_NS) {
      throw this.#fail(`namespace "${uri}" cannot be the default`);
    }
    return this.#alias(uri);
  }

  #declare(prefix: string, uri: string): void {
    if (prefix === "" || prefix.indexOf(":") !== -1) {
      throw this.#fail(`invalid namespace prefix "${prefix}"`);
    }
    if (prefix === "xmlns") {
      throw this.#fail('the prefix "xmlns" cannot be declared');
    }
    if ((prefix === "xml") !== (uri === XML_NS) || uri === XMLNS_NS) {
      throw this.#fail(
        `the prefix "${prefix}" cannot be bound to "${uri}"`,
      );
    }
    if (uri === "") {
      throw this.#fail(`the prefix "${prefix}" cannot be undeclared`);
    }
    if (prefix === "xml") return;
    this.#prefixes.push(prefix);
    this.#uris.push(this.#alias(uri));
  }

  #split(qname: string, colon: number): string {
    const next = qname.charCodeAt(colon + 1);
    if (
      colon === 0 || colon === qname.length - 1 ||
      qname.indexOf(":", colon + 1) !== -1 ||
      (next < 128
        ? (ASCII_NAME[next] & 1) === 0
        : !XML_NCNAME.test(qname.slice(colon + 1)))
    ) {
      throw this.#fail(`invalid qualified name "${qname}"`);
    }
    return qname.slice(0, colon);
  }

  #lookup(prefix: string): string {
    const prefixes = this.#prefixes;
    for (let i = prefixes.length - 1; i >= 0; i--) {
      if (prefixes[i] === prefix) return this.#uris[i];
    }
    throw this.#fail(`namespace prefix "${prefix}" is not bound`);
  }
}

/** True for `xmlns` and `xmlns:*` (namespace declarations, not attributes). */
function isDeclaration(name: string): boolean {
  return name.charCodeAt(0) === 0x78 /* x */ && name.startsWith("xmlns") &&
    (name.length === 5 || name.charCodeAt(5) === 0x3a /* : */);
}
