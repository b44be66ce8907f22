// RFC 6120 section 4.9.3 stream-error conditions raised by the XML layer (section 11: restricted XML).

/** The RFC 6120 stream-error condition that a given XML problem calls for. */
export type XmlErrorCondition =
  | "not-well-formed"
  | "restricted-xml"
  | "policy-violation"
  | "unsupported-encoding"
  | "invalid-namespace"
  | "bad-format";

/** Where in the input an error was found (1-based line and column, 0-based byte offset). */
export interface XmlPosition {
  /** 1-based line number. */
  line: number;
  /** 1-based column, counted in characters. */
  column: number;
  /** 0-based offset in bytes (for byte input) or characters (for string input). */
  offset: number;
}

/**
 * A syntax or policy error in XML input. `condition` names the RFC 6120
 * stream error to send when the input came from an XMPP stream.
 *
 * @example
 * ```ts
 * try { parseXml("<a><b></a>"); } catch (e) {
 *   if (e instanceof XmlSyntaxError) console.log(e.condition, e.line, e.column);
 * }
 * ```
 */
export class XmlSyntaxError extends SyntaxError {
  /** Stream-error condition for this problem. */
  readonly condition: XmlErrorCondition;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /** 0-based offset. */
  readonly offset: number;

  /** Creates the error; the message gets " at LINE:COLUMN" appended. */
  constructor(
    message: string,
    condition: XmlErrorCondition,
    position: XmlPosition,
  ) {
    super(`${message} at ${position.line}:${position.column}`);
    this.name = "XmlSyntaxError";
    this.condition = condition;
    this.line = position.line;
    this.column = position.column;
    this.offset = position.offset;
  }
}
