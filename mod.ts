/**
 * xmpp-rest: a RESTful XMPP gateway. It connects to an XMPP server as an
 * external component (XEP-0114) and turns it into plain HTTP: `POST /rest`
 * sends stanzas (iqs wait for their reply), and stanzas addressed to the
 * component are POSTed to a webhook whose response becomes the reply.
 *
 * Three ways to use the library:
 *
 * - the whole gateway: {@linkcode createGateway};
 * - only the XEP-0114 component client, for an XMPP component in Deno
 *   without HTTP: {@linkcode createComponent};
 * - only the mod_rest-compatible JSON mapping: {@linkcode stanzaToJson},
 *   {@linkcode jsonToStanza}, with the XML parser and serializer.
 *
 * @example Run the gateway
 * ```ts ignore
 * import { createGateway } from "@xmpp-rest/xmpp-rest";
 *
 * const gateway = await createGateway({
 *   domain: "rest.example.net",
 *   secret: Deno.env.get("COMPONENT_SECRET")!,
 *   server: { hostname: "127.0.0.1", port: 5347 },
 *   credentials: ["Bearer " + Deno.env.get("REST_TOKEN")],
 *   callbackUrl: "http://127.0.0.1:8000/xmpp/{kind}",
 * });
 * ```
 *
 * @example A component without HTTP
 * ```ts ignore
 * import { createComponent, el, iqResult } from "@xmpp-rest/xmpp-rest";
 *
 * const component = createComponent({
 *   domain: "bot.example.net",
 *   secret: "s3cret",
 *   onStanza(stanza) {
 *     if (stanza.name !== "iq" || !stanza.getChild("ping", "urn:xmpp:ping")) return false;
 *     component.send(iqResult(stanza));
 *     return true;
 *   },
 * });
 * component.start();
 * await component.waitOnline();
 * ```
 *
 * @example The JSON mapping
 * ```ts
 * import { jsonToStanza, serialize, stanzaToJson } from "@xmpp-rest/xmpp-rest";
 *
 * const stanza = jsonToStanza({ kind: "message", to: "user@example.org", body: "Hi" });
 * serialize(stanza, { parentNs: "jabber:client" });
 * // '<message to="user@example.org"><body>Hi</body></message>'
 * stanzaToJson(stanza); // { kind: "message", to: "user@example.org", body: "Hi" }
 * ```
 *
 * @module
 */

// This file is the public API. Files under src/ export more than it does:
// the pure parts (parser pieces, codecs, decision tables, option types of
// internal factories) are exported so that tests/ can check them directly;
// they are not part of the API and may change without notice.

// The gateway.
export { createGateway } from "./src/gateway.ts";
export type { Gateway, GatewayOptions } from "./src/gateway.ts";
export { RELOADABLE_FIELDS, ReloadError } from "./src/reload.ts";
export type { ReloadableOptions } from "./src/reload.ts";
export {
  CALLBACK_CONTENT_TYPES,
  CALLBACK_EVENTS,
  CALLBACK_STANZAS,
} from "./src/webhook/mod.ts";
export type {
  CallbackContentType,
  CallbackEvent,
  DeliveryReport,
  ProbeResult,
  Webhook,
  WebhookAttemptOutcome,
  WebhookOptions,
} from "./src/webhook/mod.ts";
export { ROUTE_GROUPS, SCOPE_KINDS } from "./src/http/scope.ts";
export type {
  CredentialScope,
  RouteGroup,
  ScopedCredential,
  ScopeKind,
} from "./src/http/scope.ts";
export type { EventsApiSwitch } from "./src/config/options.ts";
export type { HostPort } from "./src/address.ts";
export { EVENTS_API_SWITCHES } from "./src/config/options.ts";
export {
  ETIQUETTE_ANSWERS,
  type EtiquetteAnswer,
} from "./src/inbound/etiquette.ts";
export {
  signWebhook,
  verifyWebhook,
  WebhookSecretError,
  WebhookVerificationError,
} from "./src/webhook/signature.ts";
export type { VerifyOptions } from "./src/webhook/signature.ts";
export type { WebhookHealth } from "./src/webhook/health.ts";

// The event store.
export {
  createMemoryStore,
  MEMORY_DATA_DIR,
  openSqliteStore,
  openStore,
  StoreError,
} from "./src/store/mod.ts";
export type { SqliteStoreOptions } from "./src/store/mod.ts";
export type * from "./src/store/types.ts";
export { INSTANCE_ROLES, STREAM_MODES } from "./src/cluster/roles.ts";
export type { InstanceRole, StreamMode } from "./src/cluster/roles.ts";
export { VERSION } from "./src/version.ts";

// The XEP-0114 component client.
export {
  ComponentConnectionError,
  ComponentStreamError,
  createComponent,
} from "./src/component/mod.ts";
export type {
  BackoffOptions,
  ComponentClient,
  ComponentErrorContext,
  ComponentOptions,
  ComponentPhase,
  ComponentSocket,
  ComponentState,
  ComponentStateName,
  ConnectionFailure,
  Dial,
  StanzaHandler,
  StateListener,
  Timers,
} from "./src/component/mod.ts";
export {
  IqConflictError,
  IqTimeoutError,
  QueueFullError,
  StreamDownError,
} from "./src/xmpp/port.ts";
export type { SendIqOptions, StanzaPort } from "./src/xmpp/port.ts";

// The JSON mapping.
export {
  containerToJson,
  isContainer,
  JsonMappingError,
  jsonToContainer,
  jsonToStanza,
  stanzasToContainer,
  stanzaToJson,
} from "./src/jsonmap/mod.ts";
export type {
  JsonContainer,
  JsonStanza,
  JsonToStanzaOptions,
} from "./src/jsonmap/mod.ts";

// XML and XMPP building blocks.
export { el, XmlElement } from "./src/xml/element.ts";
export type { XmlAttributes, XmlNode } from "./src/xml/element.ts";
export { parseXml, XmlStreamParser } from "./src/xml/parser.ts";
export type {
  ParseXmlOptions,
  XmlParserOptions,
  XmlStreamEvent,
} from "./src/xml/parser.ts";
export {
  canonicalize,
  serialize,
  XmlSerializeError,
} from "./src/xml/serialize.ts";
export type { SerializeOptions } from "./src/xml/serialize.ts";
export { XmlSyntaxError } from "./src/xml/errors.ts";
export type { XmlErrorCondition, XmlPosition } from "./src/xml/errors.ts";
export { InvalidJidError, Jid, parseJid, tryParseJid } from "./src/xmpp/jid.ts";
export type { JidPart, JidRule } from "./src/xmpp/jid.ts";
export {
  errorElement,
  errorReply,
  iqResult,
  readStanzaError,
  StanzaError,
} from "./src/xmpp/stanza.ts";
export type { StanzaErrorDetails, StanzaKind } from "./src/xmpp/stanza.ts";
export {
  STANZA_ERROR_CONDITIONS,
  STANZA_ERROR_TYPES,
  STREAM_ERROR_CONDITIONS,
} from "./src/xmpp/conditions.ts";
export type {
  StanzaErrorCondition,
  StanzaErrorType,
  StreamErrorCondition,
} from "./src/xmpp/conditions.ts";
export { NS } from "./src/xmpp/namespaces.ts";

// Logging.
export { createLogger, LOG_LEVELS, silentLogger } from "./src/logger.ts";
export type {
  LogFields,
  Logger,
  LoggerOptions,
  LogLevel,
} from "./src/logger.ts";
