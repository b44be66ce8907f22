// Public API of the webhook side (README "Receiving (webhooks)", README "Differences from mod_rest").

export { createWebhook, WEBHOOK_ACCEPT } from "./delivery.ts";
export type { DeliveryReport, Webhook } from "./delivery.ts";
export {
  resolveWebhookSettings,
  validateCallbackUrl,
  WEBHOOK_DEFAULTS,
  WebhookOptionsError,
} from "./options.ts";
export type {
  WebhookAttemptOutcome,
  WebhookOptions,
  WebhookSettings,
} from "./options.ts";
export { decideReply, unhandledReply } from "./reply.ts";
export type { ReplyContext, ReplyDecision, WebhookOutcome } from "./reply.ts";
export type { ProbeResult } from "./probe.ts";
export { CALLBACK_CONTENT_TYPES } from "./encode.ts";
export type { CallbackContentType } from "./encode.ts";
export { CALLBACK_EVENTS, CALLBACK_STANZAS } from "./filter.ts";
export type { CallbackEvent, StanzaSelection } from "./filter.ts";
export { URL_PLACEHOLDERS } from "./template.ts";
export type {
  UrlPlaceholder,
  UrlTemplate,
  UrlTemplatePart,
} from "./template.ts";
