// Namespaces in XML 1.0 (third edition) sections 3-6, required by RFC 6120 section 11.2: prefix scopes and name resolution.

import { ASCII_NAME, XML_NCNAME } from "./chars.ts";
import { XmlElement, type XmlNode } from "./element.ts";
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
    const prefixes = this.#prefixes;
    const mark = prefixes.length;
    let ns = this.#defaults[this.#defaults.length - 1];
    let plain = 0;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i];
      if (name.charCodeAt(0) !== 0x78 /* x */ || !name.startsWith("xmlns")) {
        plain++;
      } else if (name.length === 5) {
        const uri = raw[i + 1];
        if (uri === XML_NS || uri === XMLNS_NS) {
          throw this.#fail(`namespace "${uri}" cannot be the default`);
        }
        ns = this.#alias(uri);
      } else if (name.charCodeAt(5) === 0x3a /* : */) {
        this.#declare(name.slice(6), raw[i + 1]);
      } else plain++;
    }
    this.#marks.push(mark);
    this.#defaults.push(ns);
    let local = qname;
    const colon = qname.indexOf(":");
    if (colon !== -1) {
      const prefix = this.#split(qname, colon);
      if (prefix === "xmlns") {
        throw this.#fail(`element "${qname}" cannot use the prefix "xmlns"`);
      }
      ns = this.#lookup(prefix);
      local = qname.slice(colon + 1);
    }
    const attrs: Record<string, string> = {};
    for (let i = 0; plain > 0 && i < raw.length; i += 2) {
      let key = raw[i];
      if (key.startsWith("xmlns") && (key.length === 5 || key[5] === ":")) {
        continue;
      }
      plain--;
      const c = key.indexOf(":");
      if (c !== -1) {
        const prefix = this.#split(key, c);
        if (prefix !== "xml") {
          key = "{" + this.#lookup(prefix) + "}" + key.slice(c + 1);
        }
      }
      if (Object.hasOwn(attrs, key)) {
        throw this.#fail(
          `duplicate attribute "${raw[i]}" (resolves to "${key}")`,
        );
      }
      if (key === "__proto__") {
        Object.defineProperty(attrs, key, {
          value: raw[i + 1],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else attrs[key] = raw[i + 1];
    }
    return new XmlElement(local, ns, attrs, kids);
  }

  /** Leaves the scope of the innermost open element. */
  close(): void {
    const mark = this.#marks.pop()!;
    this.#prefixes.length = mark;
    this.#uris.length = mark;
    this.#defaults.pop();
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
