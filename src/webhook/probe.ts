// mod_rest's documentation, "Webhooks": the startup OPTIONS probe and what it found.

import type { CallbackContentType } from "./encode.ts";
import type { Logger } from "../logger.ts";
import { firstListedFormat, MEDIA_TYPES } from "../wire/mod.ts";
import type { WebhookSettings } from "./options.ts";
import { probeUrlValues, renderUrl } from "./template.ts";
import { errorMessage } from "./log_fields.ts";

/** What the startup probe found. */
export type ProbeResult =
  | {
    /** The endpoint answered 2xx. */
    readonly state: "ok";
    /** HTTP status. */
    readonly status: number;
    /** The body format in use after the probe. */
    readonly contentType: CallbackContentType;
    /** True when the `Accept` header changed the format. */
    readonly switched: boolean;
  }
  | {
    /** The endpoint answered with another status; deliveries go on. */
    readonly state: "unexpected-status";
    /** HTTP status. */
    readonly status: number;
    /** The body format in use (unchanged). */
    readonly contentType: CallbackContentType;
  }
  | {
    /** No HTTP answer (refused, DNS, TLS, timeout); deliveries go on. */
    readonly state: "unreachable";
    /** What went wrong. */
    readonly error: string;
    /** The body format in use (unchanged). */
    readonly contentType: CallbackContentType;
  };

/** Effects and state the probe needs from its webhook. */
export interface ProbeContext {
  /** Sends the OPTIONS request. */
  readonly fetchFn: typeof fetch;
  /** Where the findings are logged. */
  readonly logger: Logger;
  /** The headers every webhook request carries. */
  readonly headers: Headers;
  /** Aborts the probe (the deadline). */
  readonly signal: AbortSignal;
  /** The body format in use. */
  readonly current: CallbackContentType;
  /** The component's domain, for the URL template. */
  readonly domain: string;
  /** Switches the webhook's body format (the endpoint's `Accept` asked for another). */
  readonly switchTo: (type: CallbackContentType) => void;
}

/**
 * Sends `OPTIONS` to the URL rendered for kind `meta`: a 2xx with an
 * `Accept` header listing a body format switches to it; any other answer
 * or none is logged and reported, never thrown.
 */
export async function probeWebhook(
  settings: WebhookSettings,
  ctx: ProbeContext,
): Promise<ProbeResult> {
  const url = renderUrl(settings.template, probeUrlValues(ctx.domain));
  let response: Response;
  try {
    response = await ctx.fetchFn(url, {
      method: "OPTIONS",
      headers: ctx.headers,
      redirect: "manual",
      signal: ctx.signal,
    });
    await response.body?.cancel();
  } catch (error) {
    const text = ctx.signal.aborted
      ? `timed out after ${settings.timeoutSeconds} s`
      : errorMessage(error);
    ctx.logger.error(
      "Cannot reach webhook; deliveries will be attempted anyway",
      {
        url,
        error: text,
      },
    );
    return { state: "unreachable", error: text, contentType: ctx.current };
  }
  const { status } = response;
  if (status < 200 || status > 299) {
    ctx.logger.warn("Webhook probe got an unexpected status; carrying on", {
      url,
      status,
    });
    return { state: "unexpected-status", status, contentType: ctx.current };
  }
  const listed = firstListedFormat(response.headers.get("accept"));
  const accepted = listed === undefined ? undefined : MEDIA_TYPES[listed];
  const switched = accepted !== undefined && accepted !== ctx.current;
  const contentType = accepted ?? ctx.current;
  if (switched) {
    ctx.switchTo(contentType);
    ctx.logger.info("Webhook body format set from its Accept header", {
      contentType,
    });
  }
  ctx.logger.info("Webhook reachable", { url, status, contentType });
  return { state: "ok", status, contentType, switched };
}
