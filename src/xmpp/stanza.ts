// RFC 6120 section 8 (stanza semantics): kinds, error elements and error replies.

import { el, type XmlElement } from "../xml/element.ts";
import {
  isStanzaErrorCondition,
  isStanzaErrorType,
  STANZA_ERROR_CONDITIONS,
  type StanzaErrorCondition,
  type StanzaErrorType,
} from "./conditions.ts";
import { NS } from "./namespaces.ts";

/** The three stanza kinds. */
export type StanzaKind = "message" | "presence" | "iq";

/** True when the element is a message, presence or iq in `jabber:client`. */
export function isStanza(element: XmlElement): boolean {
  return element.ns === NS.client &&
    (element.name === "message" || element.name === "presence" ||
      element.name === "iq");
}

/** The details of a stanza error. */
export interface StanzaErrorDetails {
  /** Error type; defaults to the condition's RFC 6120 type. */
  type?: StanzaErrorType;
  /** Defined condition. */
  condition: StanzaErrorCondition;
  /** Human-readable text. */
  text?: string;
  /** The entity that generated the error. */
  by?: string;
}

/**
 * A stanza-level error (RFC 6120 section 8.3) as a value that can be thrown
 * and turned into an `<error/>` element.
 *
 * @example
 * ```ts
 * throw new StanzaError({ condition: "item-not-found", text: "No such user" });
 * ```
 */
export class StanzaError extends Error {
  /** Error type. */
  readonly type: StanzaErrorType;
  /** Defined condition. */
  readonly condition: StanzaErrorCondition;
  /** Text, if any. */
  readonly text?: string;
  /** Generator of the error, if known. */
  readonly by?: string;

  /** Creates the error; the type defaults to the condition's usual type. */
  constructor(details: StanzaErrorDetails) {
    super(
      details.text
        ? `${details.condition}: ${details.text}`
        : details.condition,
    );
    this.name = "StanzaError";
    this.condition = details.condition;
    this.type = details.type ?? STANZA_ERROR_CONDITIONS[details.condition];
    this.text = details.text;
    this.by = details.by;
  }

  /** The `<error/>` element (in `jabber:client`). */
  toElement(): XmlElement {
    return errorElement(this);
  }
}

/** Builds `<error type><condition xmlns=stanzas/><text xmlns=stanzas>…</text></error>`. */
export function errorElement(details: StanzaErrorDetails): XmlElement {
  const type = details.type ?? STANZA_ERROR_CONDITIONS[details.condition];
  return el(
    "error",
    NS.client,
    { type, by: details.by },
    el(details.condition, NS.stanzas),
    details.text !== undefined && details.text !== "" &&
      el("text", NS.stanzas, {}, details.text),
  );
}

/**
 * Reads the `<error/>` child of a stanza. Unknown conditions read as
 * `undefined-condition`, a missing or unknown type as the condition's
 * usual type. Returns undefined when there is no `<error/>`.
 */
export function readStanzaError(
  stanza: XmlElement,
):
  | Required<Pick<StanzaErrorDetails, "type" | "condition">> & {
    text?: string;
    by?: string;
  }
  | undefined {
  const error = stanza.getChild("error", stanza.ns);
  if (!error) return undefined;
  let condition: StanzaErrorCondition = "undefined-condition";
  let text: string | undefined;
  for (const child of error.elements()) {
    if (child.ns !== NS.stanzas) continue;
    if (child.name === "text") text = child.text();
    else if (isStanzaErrorCondition(child.name)) condition = child.name;
  }
  const rawType = error.attr("type") ?? "";
  const type = isStanzaErrorType(rawType)
    ? rawType
    : STANZA_ERROR_CONDITIONS[condition];
  return { type, condition, text, by: error.attr("by") };
}

/**
 * An error reply to a stanza (RFC 6120 section 8.3.1): same kind and id,
 * addresses swapped, `type="error"`, an `<error/>` child and no payload.
 * The original is not modified.
 */
export function errorReply(
  stanza: XmlElement,
  details: StanzaErrorDetails,
): XmlElement {
  return el(
    stanza.name,
    stanza.ns,
    {
      type: "error",
      id: stanza.attr("id"),
      from: stanza.attr("to"),
      to: stanza.attr("from"),
    },
    errorElement(details),
  );
}

/** An empty `type="result"` reply to an iq (same id, addresses swapped). */
export function iqResult(
  iq: XmlElement,
  ...payload: XmlElement[]
): XmlElement {
  return el(
    "iq",
    iq.ns,
    {
      type: "result",
      id: iq.attr("id"),
      from: iq.attr("to"),
      to: iq.attr("from"),
    },
    ...payload,
  );
}

/** True for stanzas that must never be answered: `type="error"` and iq `type="result"`. */
export function isReplyForbidden(stanza: XmlElement): boolean {
  const type = stanza.attr("type");
  return type === "error" || (stanza.name === "iq" && type === "result");
}
