// One webhook HTTP attempt (RFC 9110): a POST with a deadline, a capped body read, and the failure named for the log.

import type { WebhookOutcome } from "./reply.ts";
import type { WebhookRequest } from "./request.ts";
import type { WebhookTransport } from "./transport.ts";
import type { WebhookAttemptOutcome } from "./options.ts";

const utf8 = new TextDecoder();

/** The result of {@linkcode attemptWebhook}. */
export interface AttemptResult {
  /** What happened, in the reply decision's terms. */
  readonly outcome: WebhookOutcome;
  /** A short reason for failure logs ("connection refused", "HTTP 503", ...); undefined on 2xx. */
  readonly reason?: string;
  /** The underlying error message of a failed connection, if any. */
  readonly error?: string;
  /** The response's `Retry-After` header, if any. */
  readonly retryAfter?: string;
}

/** Effects and limits of one attempt. */
export interface AttemptContext {
  /** How the request is sent (`fetchTransport(fetch)`, or the pooled HTTP/1.1 client). */
  readonly transport: WebhookTransport;
  /** Aborts the attempt (the deadline). */
  readonly signal: AbortSignal;
  /** The deadline in seconds, for the outcome and the reason. */
  readonly timeoutSeconds: number;
  /** Largest response body read. */
  readonly maxReplyBytes: number;
  /** Told how the attempt ended and how long it took, seconds (metrics). */
  readonly onAttempt?: (
    outcome: WebhookAttemptOutcome,
    seconds: number,
  ) => void;
}

/** The metrics outcome of an attempt: the status class, or no answer. */
export function attemptOutcome(outcome: WebhookOutcome): WebhookAttemptOutcome {
  if (outcome.kind === "timeout") return "timeout";
  if (outcome.kind !== "response") return "unreachable";
  const status = outcome.status;
  return status >= 500
    ? "5xx"
    : status >= 400
    ? "4xx"
    : status >= 300
    ? "3xx"
    : "2xx";
}

/**
 * POSTs a built request and reads the answer; never throws. Redirects are
 * not followed (a 3xx is an answer like any other).
 */
export async function attemptWebhook(
  request: WebhookRequest,
  context: AttemptContext,
): Promise<AttemptResult> {
  const started = performance.now();
  const result = await attempt(request, context);
  context.onAttempt?.(
    attemptOutcome(result.outcome),
    (performance.now() - started) / 1000,
  );
  return result;
}

async function attempt(
  request: WebhookRequest,
  context: AttemptContext,
): Promise<AttemptResult> {
  const { signal } = context;
  try {
    const response = await context.transport.post(request, {
      signal,
      maxBodyBytes: context.maxReplyBytes,
    });
    const read = response.body;
    const body = read.ok ? utf8.decode(read.bytes) : "";
    const error = read.ok || read.reason !== "too-large"
      ? undefined
      : `response body is larger than ${read.limit} bytes`;
    const ok = response.status >= 200 && response.status < 300;
    const retryAfter = response.header("retry-after") ?? undefined;
    return {
      outcome: {
        kind: "response",
        status: response.status,
        statusText: response.statusText,
        contentType: response.header("content-type"),
        body,
        bodyError: error,
      },
      ...(ok ? {} : { reason: `HTTP ${response.status}` }),
      ...(retryAfter === undefined ? {} : { retryAfter }),
    };
  } catch (error) {
    if (signal.aborted) {
      return {
        outcome: { kind: "timeout", seconds: context.timeoutSeconds },
        reason: `timed out after ${context.timeoutSeconds} s`,
      };
    }
    return {
      outcome: { kind: "unreachable" },
      reason: failureReason(error),
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/**
 * Names a connection failure (of fetch or Deno.connect) as an operator reads it: connection refused,
 * connection reset, DNS lookup failed, TLS error, or the error's message.
 *
 * @example
 * ```ts
 * failureReason(new TypeError("error sending request: Connection refused (os error 111)")); // "connection refused"
 * ```
 */
export function failureReason(error: unknown): string {
  const text = error instanceof Error
    ? [error.message, causeText(error)].join(" ")
    : String(error);
  if (/refused|ECONNREFUSED|os error 111/i.test(text)) {
    return "connection refused";
  }
  if (/reset|ECONNRESET|os error 104|broken pipe/i.test(text)) {
    return "connection reset";
  }
  if (/dns|lookup|resolve|name or service not known/i.test(text)) {
    return "DNS lookup failed";
  }
  if (/tls|ssl|certificate|handshake/i.test(text)) {
    return `TLS error: ${firstLine(text)}`;
  }
  return firstLine(text);
}

function causeText(error: Error): string {
  const cause = error.cause;
  return cause instanceof Error ? cause.message : cause ? String(cause) : "";
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0].slice(0, 200);
}
