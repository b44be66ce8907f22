// README "The reply" with README "Differences from mod_rest": the webhook's HTTP answer -> the stanzas sent back.

import { el, XmlElement } from "../xml/element.ts";
import { escapeText } from "../xml/serialize.ts";
import { NS } from "../xmpp/namespaces.ts";
import {
  errorReply,
  iqResult,
  isReplyForbidden,
  type StanzaErrorDetails,
  type StanzaKind,
} from "../xmpp/stanza.ts";
import { parseReplyBody, ReplyBodyError } from "./parse_body.ts";
import { mediaTypeOf } from "../wire/mod.ts";
import { statusError } from "./status_table.ts";

/** What became of one webhook request. */
export type WebhookOutcome =
  | {
    /** The endpoint answered. */
    readonly kind: "response";
    /** HTTP status. */
    readonly status: number;
    /** Reason phrase the server sent (often empty). */
    readonly statusText?: string;
    /** Response `Content-Type`. */
    readonly contentType?: string | null;
    /** Response body text ("" when none). */
    readonly body: string;
    /** Set when the body could not be read (too large, cut off): why; the body is then ignored. */
    readonly bodyError?: string;
  }
  | {
    /** No answer within the timeout. */
    readonly kind: "timeout";
    /** The timeout, in seconds (it bounds the wait from receipt). */
    readonly seconds: number;
    /** True when no request was made: the stanza waited for a free slot until the deadline. */
    readonly queued?: boolean;
  }
  | {
    /** No HTTP answer at all (connection refused, DNS, TLS, reset). */
    readonly kind: "unreachable";
    /** Error text for the reply; default "Connection failed". */
    readonly text?: string;
  }
  | {
    /** Not delivered: the delivery queue was full. */
    readonly kind: "overloaded";
  };

/** The stanzas to send and what to log. */
export interface ReplyDecision {
  /** Stanzas to send back, in order (zero or one, in practice). */
  readonly replies: readonly XmlElement[];
  /** Warnings for the log. */
  readonly warnings: readonly string[];
}

/** Effects {@linkcode decideReply} needs. */
export interface ReplyContext {
  /** A fresh stanza id for replies that need one. */
  randomId(): string;
}

/** Longest `text/plain` error body used as the error `<text>`. */
const MAX_ERROR_TEXT = 1024;

const NONE: ReplyDecision = { replies: [], warnings: [] };

/**
 * Decides the reply to an incoming stanza from the webhook's answer. Never
 * replies to `error` stanzas or iq `result`s; 202/204 answer only iqs
 * (empty result) and receipt requests; a 2xx body holding a stanza of the
 * incoming kind becomes the reply (addresses swapped, iq ids and types
 * fixed up); an empty or unusable 2xx body gives iqs an empty result and
 * nothing else; every other status is an error reply; transport failures
 * and a full queue are `wait` errors for iqs and messages.
 *
 * @example
 * ```ts
 * const { replies } = decideReply(incomingIq, { kind: "response", status: 204, body: "" },
 *   { randomId: () => "r1" });
 * // [<iq type="result" id=incoming id, addresses swapped/>]
 * ```
 */
export function decideReply(
  incoming: XmlElement,
  outcome: WebhookOutcome,
  context: ReplyContext,
): ReplyDecision {
  if (isReplyForbidden(incoming)) return NONE;
  switch (outcome.kind) {
    case "timeout":
      return failureReply(incoming, "recipient-unavailable", {
        text: outcome.queued
          ? `Webhook busy: no free slot within ${outcome.seconds} s`
          : `Webhook timed out after ${outcome.seconds} s`,
      });
    case "unreachable":
      return failureReply(incoming, "recipient-unavailable", {
        text: outcome.text ?? "Connection failed",
      });
    case "overloaded":
      return failureReply(incoming, "resource-constraint", {
        text: "Too many stanzas waiting for the webhook",
        warning: "Webhook queue is full; stanza not delivered",
      });
    case "response":
      break;
  }
  const { status } = outcome;
  if (status === 202 || status === 204) {
    return { replies: noParsedReply(incoming, context), warnings: [] };
  }
  if (status >= 200 && status < 300) {
    return successReply(incoming, outcome, context);
  }
  const error = httpError(incoming, outcome);
  const reply = error instanceof XmlElement
    ? errorReplyWith(incoming, error)
    : errorReply(incoming, error);
  return { replies: [reply], warnings: [] };
}

/**
 * The reply to a stanza nobody handles (no webhook, or not selected for
 * it): `cancel/service-unavailable` for iq get/set, nothing otherwise.
 */
export function unhandledReply(incoming: XmlElement): XmlElement | undefined {
  const type = incoming.attr("type");
  if (incoming.name !== "iq" || (type !== "get" && type !== "set")) {
    return undefined;
  }
  return errorReply(incoming, {
    type: "cancel",
    condition: "service-unavailable",
  });
}

function failureReply(
  incoming: XmlElement,
  condition: "recipient-unavailable" | "resource-constraint",
  options: { text: string; warning?: string },
): ReplyDecision {
  const warnings = options.warning ? [options.warning] : [];
  if (incoming.name === "presence") return { replies: [], warnings };
  return {
    replies: [
      errorReply(incoming, { type: "wait", condition, text: options.text }),
    ],
    warnings,
  };
}

type ResponseOutcome = Extract<WebhookOutcome, { kind: "response" }>;

function successReply(
  incoming: XmlElement,
  outcome: ResponseOutcome,
  context: ReplyContext,
): ReplyDecision {
  const parsed = replyFromBody(incoming, outcome);
  if (!(parsed instanceof XmlElement)) {
    return {
      replies: noParsedReply(incoming, context),
      warnings: [`Webhook reply ignored: ${parsed.problem}`],
    };
  }
  if (parsed.name !== incoming.name) {
    return {
      replies: noParsedReply(incoming, context),
      warnings: [
        `Webhook reply ignored: expected <${incoming.name}> but got <${parsed.name}>`,
      ],
    };
  }
  let reply = rewriteReply(incoming, parsed, context);
  const receipt = receiptFor(incoming);
  if (receipt && reply.attr("type") !== "error") {
    reply = reply.withChildren([...reply.children, receipt]);
  }
  return { replies: [reply], warnings: [] };
}

function replyFromBody(
  incoming: XmlElement,
  outcome: ResponseOutcome,
): XmlElement | { problem: string } {
  if (outcome.bodyError !== undefined) return { problem: outcome.bodyError };
  try {
    return parseReplyBody(
      outcome.contentType,
      outcome.body,
      incoming.name as StanzaKind,
    );
  } catch (error) {
    if (error instanceof ReplyBodyError) return { problem: error.message };
    throw error;
  }
}

/**
 * README "The reply" step 3: only from, to, id, type and xml:lang
 * survive; groupchat replies go to the bare room; error replies keep the
 * incoming id; iq replies are results with the incoming id.
 */
function rewriteReply(
  incoming: XmlElement,
  parsed: XmlElement,
  context: ReplyContext,
): XmlElement {
  let to = incoming.attr("from");
  let type = parsed.attr("type");
  let id = parsed.attr("id");
  if (parsed.name === "message" && type === "groupchat" && to !== undefined) {
    to = bareJid(to);
  }
  if (incoming.attr("type") === undefined && hasError(parsed)) type = "error";
  if (type === "error") id = incoming.attr("id");
  else if (parsed.name === "iq") {
    id = incoming.attr("id");
    type = "result";
  } else id ??= context.randomId();
  return el(parsed.name, parsed.ns, {
    from: incoming.attr("to"),
    to,
    id,
    type,
    "xml:lang": parsed.attr("xml:lang"),
  }).withChildren(parsed.children);
}

/** No usable reply in the body: iq -> empty result, receipt request -> the receipt alone, else nothing. */
function noParsedReply(
  incoming: XmlElement,
  context: ReplyContext,
): XmlElement[] {
  if (incoming.name === "iq") return [iqResult(incoming)];
  const receipt = receiptMessage(incoming, context.randomId);
  return receipt ? [receipt] : [];
}

/**
 * XEP-0184 section 5.4: the receipt alone, in a message back to the sender
 * (with a fresh id), for a message with an id that requested one; else
 * undefined.
 *
 * @example
 * ```ts
 * receiptMessage(incoming, () => crypto.randomUUID()); // <message ...><received id="m1"/></message>
 * ```
 */
export function receiptMessage(
  incoming: XmlElement,
  randomId: () => string,
): XmlElement | undefined {
  const receipt = receiptFor(incoming);
  if (!receipt) return undefined;
  return el("message", incoming.ns, {
    type: incoming.attr("type"),
    id: randomId(),
    from: incoming.attr("to"),
    to: incoming.attr("from"),
  }, receipt);
}

/** XEP-0184 section 5.4: `<received id>` for a message with an id that requested a receipt. */
function receiptFor(incoming: XmlElement): XmlElement | undefined {
  const id = incoming.attr("id");
  if (incoming.name !== "message" || id === undefined) return undefined;
  if (!incoming.getChild("request", NS.receipts)) return undefined;
  return el("received", NS.receipts, { id });
}

/** Error of a non-2xx answer: the body's `<error>`, else the status table (with a short text/plain body as text). */
function httpError(
  incoming: XmlElement,
  outcome: ResponseOutcome,
): StanzaErrorDetails | XmlElement {
  const table = statusError(outcome.status, outcome.statusText);
  if (outcome.bodyError !== undefined) return table;
  const ownError = bodyErrorElement(incoming, outcome);
  if (ownError) return ownError;
  const text = shortText(outcome);
  return text === undefined ? table : { ...table, text };
}

function bodyErrorElement(
  incoming: XmlElement,
  outcome: ResponseOutcome,
): XmlElement | undefined {
  if (mediaTypeOf(outcome.contentType ?? null) === "text/plain") {
    return undefined;
  }
  try {
    const parsed = parseReplyBody(
      outcome.contentType,
      outcome.body,
      incoming.name as StanzaKind,
    );
    return parsed.getChild("error", parsed.ns);
  } catch (error) {
    if (error instanceof ReplyBodyError) return undefined;
    throw error;
  }
}

function shortText(outcome: ResponseOutcome): string | undefined {
  if (mediaTypeOf(outcome.contentType ?? null) !== "text/plain") {
    return undefined;
  }
  const text = outcome.body.trim();
  if (text === "" || text.length > MAX_ERROR_TEXT) return undefined;
  if (/\r?\n[ \t]*\r?\n/.test(text)) return undefined;
  try {
    escapeText(text);
  } catch {
    return undefined;
  }
  return text;
}

/** Like errorReply(), with an `<error>` element taken from the webhook's body. */
function errorReplyWith(incoming: XmlElement, error: XmlElement): XmlElement {
  return el(incoming.name, incoming.ns, {
    type: "error",
    id: incoming.attr("id"),
    from: incoming.attr("to"),
    to: incoming.attr("from"),
  }, new XmlElement(error.name, incoming.ns, error.attrs, error.children));
}

function hasError(stanza: XmlElement): boolean {
  return stanza.getChild("error", stanza.ns) !== undefined;
}

function bareJid(jid: string): string {
  const slash = jid.indexOf("/");
  return slash === -1 ? jid : jid.slice(0, slash);
}
