// The webhook's last success and last failure, as the status API reports them (README "Webhook operations").

import type { AttemptError } from "../store/types.ts";

/** Records the outcome of webhook attempts in both modes. */
export interface WebhookHealth {
  /** An attempt got a 2xx. */
  success(at: number): void;
  /** An attempt failed (no answer, or a status that is not 2xx). */
  failure(error: AttemptError): void;
  /** When the last 2xx came. */
  readonly lastSuccessAt: number | undefined;
  /** The last failure. */
  readonly lastError: AttemptError | undefined;
}

/**
 * Creates an empty record.
 *
 * @example
 * ```ts
 * const health = createWebhookHealth();
 * health.failure({ at: Date.now(), reason: "connection refused" });
 * ```
 */
export function createWebhookHealth(): WebhookHealth {
  let lastSuccessAt: number | undefined;
  let lastError: AttemptError | undefined;
  return {
    success(at) {
      lastSuccessAt = at;
    },
    failure(error) {
      lastError = error;
    },
    get lastSuccessAt() {
      return lastSuccessAt;
    },
    get lastError() {
      return lastError;
    },
  };
}
