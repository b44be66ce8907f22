// JSON mapping: XEP-0071 XHTML-IM `html` key, mod_rest's hand-written mapping (spec/mod_rest.md section 6.3).

import { XmlElement } from "../xml/element.ts";
import { XmlSyntaxError } from "../xml/errors.ts";
import { parseXml } from "../xml/parser.ts";
import { serialize } from "../xml/serialize.ts";
import { expectString, fail } from "./shape.ts";
import type { FieldCodec } from "./types.ts";

/** XEP-0071 namespaces. */
export const XHTML_NS = {
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
 * Output: the XHTML `<body>` serialized without its own `xmlns`; an
 * `<html>` without `<body>` maps to nothing (mod_rest outputs `"nil"`).
 */
export const htmlCodec: FieldCodec = {
  key: "html",
  kinds: ["message"],
  handwritten: true,
  read(stanza) {
    const body = stanza.getChild("html", XHTML_NS.im)
      ?.getChild("body", XHTML_NS.xhtml);
    return body ? serialize(body, { parentNs: XHTML_NS.xhtml }) : undefined;
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
