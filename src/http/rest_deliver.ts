// Handing a composed stanza to XMPP for the REST handler: a message or presence sent, an iq sent and its reply turned into the response, with mod_rest's Prosody-Rest-Timeout (README "Sending (REST API)"); the access line of every request.

import type { XmlElement } from "../xml/element.ts";
import { IqTimeoutError, StreamDownError } from "../xmpp/port.ts";
import type { StanzaFormat } from "../wire/mod.ts";
import { mamCapture } from "./normalise.ts";
import { stanzaResponse } from "./respond.ts";
import { errorResponse, HttpError, sendError } from "./errors.ts";
import type { IqOutcome } from "../metrics/gateway_metrics.ts";
import type { Settings } from "./rest_handler.ts";

/** Most ms a message or presence waits for room in a full outgoing queue before a 503. */
const QUEUE_WAIT_MS = 2000;

/** The (never filled) results of an iq that is no MAM query. */
const NOTHING_CAPTURED: readonly XmlElement[] = Object.freeze([]);

/** The iq timeout header mod_rest reads (seconds, a number). */
export const TIMEOUT_HEADER = "Prosody-Rest-Timeout";

/** How long an iq waits: `Prosody-Rest-Timeout` capped at the maximum, else the default (ms). */
export function iqTimeoutMs(request: Request, settings: Settings): number {
  const raw = request.headers.get(TIMEOUT_HEADER);
  const asked = raw === null || raw.trim() === "" ? NaN : Number(raw);
  // As mod_rest: any number counts, capped at the maximum (so 1e999 waits
  // the maximum) and a negative one times out at once; anything else is
  // the default.
  const seconds = Number.isNaN(asked) ? settings.iqTimeout : asked;
  return Math.round(
    Math.max(0, Math.min(seconds, settings.iqMaxTimeout)) * 1000,
  );
}

/** An iq sent and waiting for its reply: what its response needs, in one object. */
export interface SentIq {
  /** Settles with the reply (the tracker's own promise, no step of ours between). */
  readonly reply: Promise<XmlElement>;
  /** A MAM query's results, gathered while it waits. */
  readonly captured: readonly XmlElement[];
  /** When it was sent (`performance.now()`), for the round-trip metric. */
  readonly started: number;
  /** The response format. */
  readonly output: StanzaFormat;
}

/**
 * Sends a message or presence (resolves once handed over), or an iq (the
 * {@linkcode SentIq} at once: the caller waits on its reply with one
 * callback, so no async frame or promise step of ours waits with it).
 */
export function deliver(
  stanza: XmlElement,
  queryid: string | undefined,
  output: StanzaFormat,
  request: Request,
  settings: Settings,
): Promise<undefined> | SentIq {
  const { xmpp } = settings;
  const timeoutMs = stanza.name === "iq" ? iqTimeoutMs(request, settings) : 0;
  // mod_rest's Prosody-Rest-Timeout: 0 or less times out at once, and an
  // iq that cannot be waited for is not sent at all.
  if (stanza.name === "iq" && timeoutMs <= 0) {
    throw new IqTimeoutError(stanza.attr("id") ?? "", 0);
  }
  if (!xmpp.online) throw new StreamDownError();
  if (stanza.name !== "iq") return sendOne(xmpp, stanza);
  // Only a MAM query gathers results: others share one empty list.
  let captured: readonly XmlElement[] = NOTHING_CAPTURED;
  let capture: ((stanza: XmlElement) => boolean) | undefined;
  if (queryid !== undefined) {
    const results: XmlElement[] = [];
    captured = results;
    capture = mamCapture(queryid, stanza.attr("to") ?? "", results);
  }
  const started = performance.now();
  settings.metrics?.iqStarted();
  let reply: Promise<XmlElement>;
  try {
    reply = xmpp.sendIq(stanza, {
      timeoutMs,
      // Not request.signal: under Deno.serve it also aborts after successful
      // responses (and warns about it); pending iqs end by reply, timeout or a
      // dropped stream.
      capture,
    });
  } catch (error) {
    reply = Promise.reject(error);
  }
  return { reply, captured, started, output };
}

/** Sends a message or presence; a full queue (the server reads slower than clients send) waits a moment for room before it answers 503 (README "What 202 means"). */
async function sendOne(
  xmpp: Settings["xmpp"],
  stanza: XmlElement,
): Promise<undefined> {
  await (xmpp.sendWhenRoom
    ? xmpp.sendWhenRoom(stanza, QUEUE_WAIT_MS)
    : xmpp.send(stanza));
  return undefined;
}

/** Counts an iq round trip that ended (`metrics.iqEnded`). */
export function iqEnded(
  sent: SentIq,
  outcome: IqOutcome,
  settings: Settings,
  now: number = performance.now(),
): void {
  settings.metrics?.iqEnded(outcome, (now - sent.started) / 1000);
}

/** The 200 response of an iq's reply (after a MAM query's results). */
export function replyResponse(sent: SentIq, reply: XmlElement): Response {
  const { captured } = sent;
  return stanzaResponse(
    captured.length === 0 ? [reply] : [...captured, reply],
    sent.output,
  );
}

/** What the access log line says about the stanza of a request. */
export interface StanzaInfo {
  kind?: string;
  type?: string;
  id?: string;
  to?: string;
}

/** What the access line of a request says, besides its outcome. */
export interface AccessLine {
  readonly settings: Settings;
  readonly requestId: string | undefined;
  readonly method: string;
  readonly path: string;
  /** Filled in once the stanza is known. */
  readonly info: StanzaInfo;
  /** `performance.now()` when the request came. */
  readonly started: number;
}

/**
 * Logs the access line of a request (never credentials or bodies; a
 * refused request says which check refused it) and returns `response`.
 */
export function logged(
  line: AccessLine,
  response: Response,
  condition?: string,
  reason?: string,
  now: number = performance.now(),
): Response {
  const { info } = line;
  line.settings.logger.info("http request", {
    requestId: line.requestId,
    method: line.method,
    path: line.path,
    status: response.status,
    condition,
    reason,
    kind: info.kind,
    type: info.type,
    id: info.id,
    to: info.to,
    ms: Math.round(now - line.started),
  });
  return response;
}

/** {@linkcode sendError}, else a 500 that is logged. */
function toHttpError(
  error: unknown,
  settings: Settings,
  requestId: string | undefined,
): HttpError {
  const known = sendError(error, settings.retryAfter);
  if (known) return known;
  settings.logger.error("REST request failed", {
    requestId,
    error: String(error),
  });
  return new HttpError("internal", { cause: error });
}

/** The logged error response for `error`. */
export function refused(
  line: AccessLine,
  error: unknown,
  errorFormat: "xml" | "json",
): Response {
  const httpError = toHttpError(error, line.settings, line.requestId);
  return logged(
    line,
    errorResponse(httpError, errorFormat),
    httpError.condition,
    httpError.text,
  );
}

/** The logged response to a sent iq, once its reply (or its failure) comes. */
export function awaitReply(
  sent: SentIq,
  line: AccessLine,
  errorFormat: "xml" | "json",
): Promise<Response> {
  const { settings } = line;
  return sent.reply.then((reply) => {
    const now = performance.now();
    iqEnded(
      sent,
      reply.attr("type") === "error" ? "error" : "result",
      settings,
      now,
    );
    try {
      return logged(
        line,
        replyResponse(sent, reply),
        undefined,
        undefined,
        now,
      );
    } catch (error) {
      return refused(line, error, errorFormat);
    }
  }, (error) => {
    iqEnded(
      sent,
      error instanceof IqTimeoutError ? "timeout" : "failed",
      settings,
    );
    return refused(line, error, errorFormat);
  });
}
