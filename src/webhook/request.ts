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

/** A webhook request ready for `fetch` or the own HTTP/1.1 client. */
export interface WebhookRequest {
  /** The rendered URL (its credentials are in the `Authorization` header). */
  readonly url: string;
  /** Request headers. */
  readonly headers: Headers;
  /**
   * The same fields as name/value pairs (names lower-case), when the
   * request has them: the HTTP/1.1 client writes these without a `Headers`.
   */
  readonly fields?: readonly (readonly [string, string])[];
  /** The body text. */
  readonly body: string;
  /** Set when the stanza had no JSON form and is sent as XML: why. */
  readonly fallbackReason?: string;
}

/** Field pairs, with the `Headers` for `fetch` made only when asked for. */
class BuiltRequest implements WebhookRequest {
  readonly url: string;
  readonly fields: readonly (readonly [string, string])[];
  readonly body: string;
  readonly fallbackReason?: string;
  #headers?: Headers;

  constructor(
    url: string,
    fields: [string, string][],
    body: string,
    fallbackReason: string | undefined,
  ) {
    this.url = url;
    this.fields = fields;
    this.body = body;
    if (fallbackReason !== undefined) this.fallbackReason = fallbackReason;
  }

  get headers(): Headers {
    return this.#headers ??= new Headers(this.fields as [string, string][]);
  }
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
  // Every value is safe in a field: fixed, generated, or checked here.
  const fields: [string, string][] = [["user-agent", settings.userAgent]];
  if (settings.authorization) {
    fields.push(["authorization", settings.authorization]);
  }
  fields.push(
    ["content-type", encoded.contentType],
    ["accept", WEBHOOK_ACCEPT],
  );
  const lang = stanza.attr("xml:lang");
  if (lang !== undefined && /^[A-Za-z0-9-]{1,64}$/.test(lang)) {
    fields.push(["content-language", lang]);
  }
  if (context.requestId !== undefined) {
    fields.push(["x-request-id", context.requestId]);
  }
  fields.push(
    ["webhook-id", context.webhookId],
    ["webhook-timestamp", String(context.timestamp)],
  );
  if (context.keys.length > 0) {
    fields.push([
      "webhook-signature",
      signWebhook(
        context.keys,
        context.webhookId,
        context.timestamp,
        encoded.body,
      ),
    ]);
  }
  return new BuiltRequest(url, fields, encoded.body, encoded.fallbackReason);
}

/** `User-Agent` and, from the URL's userinfo, `Authorization`. */
export function baseHeaders(settings: WebhookSettings): Headers {
  const headers = new Headers({ "User-Agent": settings.userAgent });
  if (settings.authorization) {
    headers.set("Authorization", settings.authorization);
  }
  return headers;
}
