// mod_rest's webhook request (section 5 of its documentation) with Standard Webhooks v1 headers: built from a stanza, pure.

import type { XmlElement } from "../xml/element.ts";
import { type CallbackContentType, encodeWebhookBody } from "./encode.ts";
import { MEDIA_TYPES } from "../wire/mod.ts";
import type { WebhookSettings } from "./options.ts";
import { signWebhook } from "./signature.ts";
import { renderUrl, stanzaUrlValues } from "./template.ts";

/** The `Accept` header of webhook requests (mod_rest's, without CBOR). */
export const WEBHOOK_ACCEPT: string = Object.values(MEDIA_TYPES).join(", ");

/** What varies per request. */
export interface RequestContext {
  /** The body format in use (the probe may have changed it). */
  readonly contentType: CallbackContentType;
  /** `webhook-id`: the event id in reliable mode, the same on every retry. */
  readonly webhookId: string;
  /** `webhook-timestamp`, Unix seconds. */
  readonly timestamp: number;
  /** Signing keys (decoded `whsec_` secrets); none: no `webhook-signature`. */
  readonly keys: readonly Uint8Array[];
  /** `X-Request-Id` of this attempt (README "Request ids"); none: no header. */
  readonly requestId?: string;
}

/** A webhook request ready for `fetch`. */
export interface WebhookRequest {
  /** The rendered URL (its credentials are in the `Authorization` header). */
  readonly url: string;
  /** Request headers. */
  readonly headers: Headers;
  /** The body text. */
  readonly body: string;
  /** Set when the stanza had no JSON form and is sent as XML: why. */
  readonly fallbackReason?: string;
}

/**
 * Builds the POST for one stanza: URL from the template, body in the
 * configured format, `User-Agent`, `Authorization` from the URL's userinfo,
 * `Content-Language` from `xml:lang`, and the Standard Webhooks headers
 * `webhook-id`, `webhook-timestamp` and (with keys) `webhook-signature`.
 *
 * @example
 * ```ts
 * const request = buildWebhookRequest(message, settings,
 *   { contentType: "application/json", webhookId: "42", timestamp: 1700000000, keys: [] });
 * await fetch(request.url, { method: "POST", headers: request.headers, body: request.body });
 * ```
 */
export function buildWebhookRequest(
  stanza: XmlElement,
  settings: WebhookSettings,
  context: RequestContext,
): WebhookRequest {
  const url = renderUrl(settings.template, stanzaUrlValues(stanza));
  const encoded = encodeWebhookBody(stanza, context.contentType);
  const headers = baseHeaders(settings);
  headers.set("Content-Type", encoded.contentType);
  headers.set("Accept", WEBHOOK_ACCEPT);
  const lang = stanza.attr("xml:lang");
  if (lang !== undefined && /^[A-Za-z0-9-]{1,64}$/.test(lang)) {
    headers.set("Content-Language", lang);
  }
  if (context.requestId !== undefined) {
    headers.set("X-Request-Id", context.requestId);
  }
  headers.set("webhook-id", context.webhookId);
  headers.set("webhook-timestamp", String(context.timestamp));
  if (context.keys.length > 0) {
    headers.set(
      "webhook-signature",
      signWebhook(
        context.keys,
        context.webhookId,
        context.timestamp,
        encoded.body,
      ),
    );
  }
  return {
    url,
    headers,
    body: encoded.body,
    ...(encoded.fallbackReason === undefined
      ? {}
      : { fallbackReason: encoded.fallbackReason }),
  };
}

/** `User-Agent` and, from the URL's userinfo, `Authorization`. */
export function baseHeaders(settings: WebhookSettings): Headers {
  const headers = new Headers({ "User-Agent": settings.userAgent });
  if (settings.authorization) {
    headers.set("Authorization", settings.authorization);
  }
  return headers;
}
