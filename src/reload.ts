// SIGHUP reload (README "Reloading the configuration"): the settings a running gateway can change without dropping its XMPP stream, and a webhook that can be replaced while stanzas flow.

import type { XmlElement } from "./xml/element.ts";
import type { ScopedCredential } from "./http/scope.ts";
import type { Webhook } from "./webhook/delivery.ts";
import type { WebhookOptions, WebhookSettings } from "./webhook/options.ts";

/** What a reload may change: credentials, Basic, the metrics credential and the webhook settings. */
export interface ReloadableOptions {
  /** Accepted `Authorization` values, each with an optional scope. */
  readonly credentials?: readonly (string | ScopedCredential)[];
  /** Accept Basic `<domain>:<secret>`. */
  readonly basicAuth?: boolean;
  /** The `Authorization` value `/metrics` requires. */
  readonly metricsCredential?: string;
  /** Webhook URL template (must stay set, or stay unset: turning webhooks on or off needs a restart). */
  readonly callbackUrl?: string;
  /** Webhook body format. */
  readonly callbackContentType?: WebhookOptions["callbackContentType"];
  /** Stanza kinds sent to the webhook. */
  readonly callbackStanzas?: WebhookOptions["callbackStanzas"];
  /** Address forms sent to the webhook. */
  readonly callbackEvents?: WebhookOptions["callbackEvents"];
  /** Webhook request timeout, seconds. */
  readonly callbackTimeout?: number;
  /** Standard Webhooks signing secrets. */
  readonly callbackSecrets?: readonly string[];
}

/** The configuration fields {@linkcode ReloadableOptions} covers, by name. */
export const RELOADABLE_FIELDS = [
  "credentials",
  "basicAuth",
  "metricsCredential",
  "callbackUrl",
  "callbackContentType",
  "callbackStanzas",
  "callbackEvents",
  "callbackTimeout",
  "callbackSecrets",
] as const;

/** A reload that cannot be applied; the running settings stay as they were. */
export class ReloadError extends Error {
  /** Creates the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ReloadError";
  }
}

/** An opened webhook: the object stanzas go to and its validated settings. */
export interface OpenedWebhook {
  /** The webhook. */
  readonly webhook: Webhook;
  /** Its settings (the reliable loop reads them on every attempt). */
  readonly settings: WebhookSettings;
}

/** A webhook whose target can be replaced; stanzas already taken finish where they started. */
export interface SwitchableWebhook {
  /** The stable webhook to hand out: it delegates to the current one. */
  readonly webhook: Webhook;
  /** The settings object the reliable loop holds: updated in place on replace. */
  readonly settings: WebhookSettings;
  /** Makes `next` current; the previous one drains in the background. */
  replace(next: OpenedWebhook): void;
}

/**
 * Wraps an opened webhook so that a reload can swap it: new stanzas go to
 * the newest webhook, `drain()` waits for every one still busy, and the
 * shared settings object is updated in place (so that the reliable loop's
 * next attempt uses the new URL, timeout and secrets).
 *
 * @example
 * ```ts
 * const switchable = switchableWebhook(openWebhook(options));
 * switchable.replace(openWebhook(newOptions));
 * ```
 */
export function switchableWebhook(initial: OpenedWebhook): SwitchableWebhook {
  let current = initial.webhook;
  const retired = new Set<Webhook>();
  const settings = { ...initial.settings };
  const webhook: Webhook = {
    get contentType() {
      return current.contentType;
    },
    get inFlight() {
      let n = current.inFlight;
      for (const old of retired) n += old.inFlight;
      return n;
    },
    get queued() {
      let n = current.queued;
      for (const old of retired) n += old.queued;
      return n;
    },
    selects: (stanza: XmlElement) => current.selects(stanza),
    probe: () => current.probe(),
    deliver: (stanza: XmlElement) => current.deliver(stanza),
    async drain() {
      await Promise.all([current, ...retired].map((w) => w.drain()));
    },
  };
  return {
    webhook,
    settings,
    replace(next) {
      const previous = current;
      current = next.webhook;
      Object.assign(settings, next.settings);
      retired.add(previous);
      void previous.drain().then(() => retired.delete(previous));
    },
  };
}

/** The fields whose values differ between two configurations (compared as JSON). */
export function changedFields<T extends object>(
  before: T,
  after: T,
): (keyof T)[] {
  const keys = new Set([
    ...Object.keys(before),
    ...Object.keys(after),
  ]) as Set<keyof T>;
  return [...keys].filter((key) =>
    JSON.stringify(before[key]) !== JSON.stringify(after[key])
  );
}
