// How a webhook request goes over the wire (RFC 9110): the transport interface, and its implementation with `fetch`.

import { type CappedRead, readCapped } from "../wire/mod.ts";
import type { WebhookRequest } from "./request.ts";

/** What a webhook endpoint answered. */
export interface WebhookResponse {
  /** The status code. */
  readonly status: number;
  /** The registered reason phrase, as fetch gives it (empty for other codes and over the pooled client). */
  readonly statusText: string;
  /** A response header by (case-insensitive) name; repeated fields joined with ", ". */
  header(name: string): string | null;
  /** The body, read up to the cap. */
  readonly body: CappedRead;
}

/** Limits of one exchange. */
export interface ExchangeOptions {
  /** Aborts the exchange (the deadline); the promise then rejects. */
  readonly signal: AbortSignal;
  /** Largest response body read; a larger one is `too-large`, never buffered. */
  readonly maxBodyBytes: number;
}

/**
 * Sends webhook requests. Redirects are answers like any other (never
 * followed); connection failures and aborts reject.
 */
export interface WebhookTransport {
  /** POSTs `request` and reads the answer. */
  post(
    request: WebhookRequest,
    options: ExchangeOptions,
  ): Promise<WebhookResponse>;
}

/**
 * The transport over a `fetch` function (the global one, or a test's).
 *
 * @example
 * ```ts
 * const transport = fetchTransport(fetch);
 * const response = await transport.post(request, { signal: AbortSignal.timeout(5000), maxBodyBytes: 1 << 20 });
 * ```
 */
export function fetchTransport(fetchFn: typeof fetch): WebhookTransport {
  return {
    async post(request, options) {
      const response = await fetchFn(request.url, {
        method: "POST",
        headers: request.headers,
        body: request.body,
        redirect: "manual",
        signal: options.signal,
      });
      const body = await readCapped(response, options.maxBodyBytes);
      return {
        status: response.status,
        statusText: response.statusText,
        header: (name) => response.headers.get(name),
        body,
      };
    },
  };
}
