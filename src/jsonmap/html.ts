// JSON mapping: XEP-0071 XHTML-IM `html` key, mod_rest's hand-written mapping (README "Message fields").

import { XmlElement } from "../xml/element.ts";
import { XmlSyntaxError } from "../xml/errors.ts";
import { parseXml } from "../xml/parser.ts";
import { XML_NS } from "../xml/serialize.ts";
import { expectString, fail } from "./shape.ts";
import type { FieldCodec } from "./types.ts";

/** XEP-0071 namespaces. */
const XHTML_NS = {
  im: "http://jabber.org/protocol/xhtml-im",
  xhtml: "http://www.w3.org/1999/xhtml",
} as const;

// What the input string is parsed inside; its length shifts columns on line 1.
const OPEN = "<html>";
const CLOSE = "</html>";

/**
 * `html`: a string holding an XHTML `<body>…</body>`.
 *
 * Input: the string is parsed as XML (default namespace XHTML) inside the
 * `<html xmlns="http://jabber.org/protocol/xhtml-im">` wrapper, never pasted
 * as text, so it cannot inject markup outside the wrapper; input that is
 * not well-formed is a {@linkcode JsonMappingError} at `/html`.
 * Output: the XHTML `<body>` serialized without its own `xmlns`, written the
 * way mod_rest writes it (Prosody's serializer, see {@linkcode prosodyXml});
 * an `<html>` without `<body>` maps to nothing (mod_rest outputs `"nil"`).
 */
export const htmlCodec: FieldCodec = {
  key: "html",
  kinds: ["message"],
  handwritten: true,
  read(stanza) {
    const body = stanza.getChild("html", XHTML_NS.im)
      ?.getChild("body", XHTML_NS.xhtml);
    return body ? prosodyXml(body, XHTML_NS.xhtml) : undefined;
  },
  write(value, ctx) {
    const markup = expectString(value, ctx);
    let wrapper: XmlElement;
    try {
      wrapper = parseXml(OPEN + markup + CLOSE, {
        defaultNamespace: XHTML_NS.xhtml,
      });
    } catch (error) {
      if (!(error instanceof XmlSyntaxError)) throw error;
      return fail(ctx, "expected well-formed XHTML: " + describe(error));
    }
    return [new XmlElement("html", XHTML_NS.im, {}, wrapper.children)];
  },
};

/** The parser's message with the position mapped back into the caller's string. */
function describe(error: XmlSyntaxError): string {
  const suffix = ` at ${error.line}:${error.column}`;
  const base = error.message.endsWith(suffix)
    ? error.message.slice(0, -suffix.length)
    : error.message;
  const column = error.line === 1
    ? Math.max(1, error.column - OPEN.length)
    : error.column;
  return `${base} at ${error.line}:${column}`;
}

// util.stanza's xml_escape: these five, in text and attribute values alike.
const PROSODY_ESCAPES: Readonly<Record<string, string>> = {
  "'": "&apos;",
  '"': "&quot;",
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  // Only reachable through character references; kept so the string
  // parses back to the same value.
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};

function prosodyEscape(value: string, attribute: boolean): string {
  const special = attribute ? /['"&<>\t\n\r]/g : /['"&<>\r]/g;
  return value.replace(special, (c) => PROSODY_ESCAPES[c]);
}

/**
 * An element written as Prosody's util.stanza writes it (`tostring`), which
 * is what mod_rest puts in `html`: attributes in single quotes, `'` `"` `&`
 * `<` `>` escaped in text and attributes, `xmlns` only where the namespace
 * changes, an attribute in another namespace as `xmlns:nsN='…' nsN:name='…'`.
 */
function prosodyXml(element: XmlElement, parentNs: string): string {
  let out = "<" + element.name;
  if (element.ns !== parentNs) {
    out += " xmlns='" + prosodyEscape(element.ns, true) + "'";
  }
  let nsid = 0;
  for (const [key, value] of Object.entries(element.attrs)) {
    const escaped = prosodyEscape(value, true);
    if (!key.startsWith("{")) {
      out += " " + key + "='" + escaped + "'";
      continue;
    }
    const close = key.lastIndexOf("}");
    const uri = key.slice(1, close);
    const local = key.slice(close + 1);
    if (uri === XML_NS) {
      out += " xml:" + local + "='" + escaped + "'";
      continue;
    }
    const prefix = "ns" + ++nsid;
    out += " xmlns:" + prefix + "='" + prosodyEscape(uri, true) + "' " +
      prefix + ":" + local + "='" + escaped + "'";
  }
  if (element.children.length === 0) return out + "/>";
  out += ">";
  for (const child of element.children) {
    out += typeof child === "string"
      ? prosodyEscape(child, false)
      : prosodyXml(child, element.ns);
  }
  return out + "</" + element.name + ">";
}
