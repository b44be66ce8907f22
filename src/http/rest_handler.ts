// mod_rest sending API (README "Sending (REST API)") with the deviations in README "Differences from mod_rest", as a fetch-style handler.

import type { Logger } from "../logger.ts";
import { silentLogger } from "../logger.ts";
import type { StanzaPort } from "../xmpp/port.ts";
import { authenticate, type AuthOptions } from "./auth.ts";
import {
  checkRouteGroup,
  checkStanzaScope,
  type RouteGroup,
  type ScopedCredential,
} from "./scope.ts";
import { parseJid } from "../xmpp/jid.ts";
import { composeStanza, type PathStanza, pathStanza } from "./compose.ts";
import { HttpError, readFailure } from "./errors.ts";
import { decodeForm } from "../jsonmap/urlencoded.ts";
import {
  type CappedRead,
  decodeBody,
  type DecodedBody,
  decodeUtf8,
  negotiate,
  negotiateError,
  readCapped,
  type RequestFormat,
  requestFormatOf,
} from "../wire/mod.ts";
import {
  normaliseStanza,
  prepareMamQuery,
  randomStanzaId,
  validateIq,
} from "./normalise.ts";
import { acceptedResponse, stanzaResponse } from "./respond.ts";
import {
  type AccessLine,
  awaitReply,
  deliver,
  logged,
  refused,
  type SentIq,
  type StanzaInfo,
} from "./rest_deliver.ts";
import { matchRequest, type RouteMatch } from "./routes.ts";
import { requestIdOf } from "./request_id.ts";
import { requestStartOf } from "./request_start.ts";
import { type RequestUrl, urlOf } from "./request_url.ts";
import type { GatewayMetrics } from "../metrics/gateway_metrics.ts";
import { HTTP_SERVER_DEFAULTS } from "./server.ts";
import type { OpenIqs } from "../inbound/open_iqs.ts";
import { answerInboundIq } from "./inbound_answer.ts";

/**
 * Defaults of {@linkcode RestHandlerOptions}, mod_rest's where it has the
 * option (`rest_stanza_size_limit`, `rest_iq_timeout`, `rest_iq_max_timeout`).
 *
 * @example
 * ```ts
 * REST_DEFAULTS.sizeLimit; // 196608
 * ```
 */
export const REST_DEFAULTS = {
  sizeLimit: 196608,
  iqTimeout: 120,
  iqMaxTimeout: 300,
  retryAfter: 5,
} as const;

/** Options for {@linkcode createRestHandler}. */
export interface RestHandlerOptions {
  /** How stanzas reach XMPP. */
  xmpp: StanzaPort;
  /** Component domain (default: `xmpp.domain`): default `from`, Basic user name, realm. */
  domain?: string;
  /** Component secret, the Basic password for `<domain>:<secret>`; Basic with the domain is refused without it. */
  secret?: string;
  /** Accepted `Authorization` header values, e.g. `"Bearer xyz"`, each with an optional scope. */
  credentials?: readonly (string | ScopedCredential)[];
  /** Accept Basic `<domain>:<secret>`. Default true. */
  basicAuth?: boolean;
  /**
   * Live authentication settings, read on every request (a reload replaces
   * their fields); when given, `domain`, `secret`, `credentials` and
   * `basicAuth` are not used for authentication.
   */
  auth?: AuthOptions;
  /** Largest request body in bytes (`rest_stanza_size_limit`). Default 196608. */
  sizeLimit?: number;
  /** Seconds a request body may take to arrive; then 408. Default 30. */
  bodyTimeout?: number;
  /** Default iq wait in seconds (`rest_iq_timeout`). Default 120. */
  iqTimeout?: number;
  /** Upper bound for `Prosody-Rest-Timeout`, in seconds (`rest_iq_max_timeout`). Default 300. */
  iqMaxTimeout?: number;
  /** Seconds in `Retry-After` when the XMPP stream is down. Default 5. */
  retryAfter?: number;
  /** Where request problems are logged. Default: silent. */
  logger?: Logger;
  /** Generates stanza ids and MAM query ids. Default: 18 random bytes, base64url. */
  randomId?: () => string;
  /** Where iq round trips are counted. Default: not counted. */
  metrics?: GatewayMetrics;
  /**
   * Inbound iqs waiting for a consumer's answer: a POSTed iq `result` or
   * `error` that matches one is sent as its answer (202). Default: none
   * (such iqs are a 422, as in mod_rest).
   */
  inboundIqs?: Pick<OpenIqs, "answer">;
}

export { TIMEOUT_HEADER } from "./rest_deliver.ts";

/** Resolved options. */
export interface Settings {
  readonly xmpp: StanzaPort;
  readonly domain: string;
  readonly secret?: string;
  readonly credentials: readonly (string | ScopedCredential)[];
  readonly basic: boolean;
  readonly auth: AuthOptions;
  readonly sizeLimit: number;
  readonly bodyTimeoutMs: number;
  readonly iqTimeout: number;
  readonly iqMaxTimeout: number;
  readonly retryAfter: number;
  readonly logger: Logger;
  readonly randomId: () => string;
  readonly metrics?: GatewayMetrics;
  readonly inboundIqs?: Pick<OpenIqs, "answer">;
}

/** The decoded body of a request: at once when it is in memory, else a promise. */
function readRequestBody(
  request: Request,
  match: RouteMatch,
  path: PathStanza | undefined,
  url: RequestUrl,
  format: RequestFormat,
  settings: Settings,
): DecodedBody | Promise<DecodedBody> {
  if (match.route.id === "query") {
    const search = url.search.slice(1);
    if (search === "") return { format: "none" };
    if (!search.includes("=")) throw new HttpError("parse");
    return { format: "form", fields: decodeForm(search) };
  }
  const read = readCapped(request, settings.sizeLimit, settings.bodyTimeoutMs);
  return read instanceof Promise
    ? read.then((done) => decodeRead(done, match, path, format, settings))
    : decodeRead(read, match, path, format, settings);
}

/** The body of a read request decoded in its format (400, 413, 415 when it cannot be). */
function decodeRead(
  read: CappedRead,
  match: RouteMatch,
  path: PathStanza | undefined,
  format: RequestFormat,
  settings: Settings,
): DecodedBody {
  if (!read.ok) throw readFailure(read);
  if (format === "none") {
    if (read.bytes.byteLength > 0) throw new HttpError("mediatype");
    return { format: "none" };
  }
  const text = decodeUtf8(read.bytes);
  if (!text.ok) throw new HttpError("parse", { cause: text.cause });
  const body = decodeBody(text.value, format, {
    path: match.route.id === "send_path",
    anyJson: path?.payload !== undefined,
    maxStanzaBytes: settings.sizeLimit,
  });
  if (!body.ok) throw new HttpError("parse", { cause: body.cause });
  return body.value;
}

/** A request up to its answer, or up to its iq sent (then the caller waits for the reply). */
async function handle(
  request: Request,
  url: RequestUrl,
  format: RequestFormat | undefined,
  settings: Settings,
  info: StanzaInfo,
): Promise<Response | SentIq> {
  const match = matchRequest(request, url.pathname);
  if (match === undefined) {
    // mod_rest serves GET and POST for everything below /rest/: a path that
    // does not parse is a 400 after authentication; anything else is a 404.
    const underRest = url.pathname.startsWith("/rest/") &&
      (request.method === "GET" || request.method === "POST");
    if (!underRest) {
      throw new HttpError("not_found", {
        text: `No such route: ${request.method} ${url.pathname}`,
      });
    }
    authenticate(request.headers.get("Authorization"), settings.auth);
    throw new HttpError("parse");
  }
  const principal = authenticate(
    request.headers.get("Authorization"),
    settings.auth,
  );
  const isGet = match.route.id === "query";
  const group: RouteGroup = isGet ? "iq" : "send";
  checkRouteGroup(principal, group);
  if (!isGet && format === undefined) {
    const declared = request.headers.get("Content-Length");
    if (declared !== null && Number(declared) > settings.sizeLimit) {
      throw new HttpError("size");
    }
    throw new HttpError("mediatype");
  }
  const requestFormat: RequestFormat = isGet ? "none" : format ?? "none";
  const path: PathStanza | undefined = match.route.id === "send_path" || isGet
    ? pathStanza(match.params)
    : undefined;
  const reading = readRequestBody(
    request,
    match,
    path,
    url,
    requestFormat,
    settings,
  );
  const body = reading instanceof Promise ? await reading : reading;
  let stanza = normaliseStanza(composeStanza(body, path), settings);
  if (principal.scope !== undefined) {
    const from = parseJid(stanza.attr("from") ?? settings.domain);
    checkStanzaScope(principal, stanza.name, from, settings.domain);
  }
  let queryid: string | undefined;
  // A promise only for an iq answer, so other stanzas take no extra step.
  const answering = match.route.id !== "echo" &&
    answerInboundIq(stanza, settings.xmpp, settings.inboundIqs);
  if (answering !== false && await answering) {
    Object.assign(info, {
      kind: "iq",
      type: stanza.attr("type"),
      id: stanza.attr("id"),
    });
    return acceptedResponse();
  }
  if (stanza.name === "iq") {
    validateIq(stanza);
    ({ iq: stanza, queryid } = prepareMamQuery(stanza, settings.randomId));
  }
  const output = negotiate(request.headers.get("Accept"), requestFormat);
  if (match.route.id === "echo") return stanzaResponse([stanza], output);
  info.kind = stanza.name;
  info.type = stanza.attr("type");
  info.id = stanza.attr("id");
  info.to = stanza.attr("to");
  // An iq is returned, not awaited: while it waits, this frame is not kept
  // (README "Performance", memory per long-poll).
  const sent = deliver(stanza, queryid, output, request, settings);
  if (!(sent instanceof Promise)) return sent;
  await sent;
  return acceptedResponse();
}

/**
 * Creates the REST sending API as a `(Request) => Promise<Response>`
 * handler: `POST /rest`, `POST /rest/echo`, `POST /rest/{kind}/{type}/{to}`
 * and `GET /rest/{query}/{to}`, with mod_rest's statuses and error bodies
 * (the deviations in README "Differences from mod_rest" applied). Never throws; errors become
 * JSON/XML/form error responses chosen by `Accept` and the request format.
 *
 * @example
 * ```ts
 * const handler = createRestHandler({ xmpp, secret: "s3cret", credentials: ["Bearer abc"] });
 * Deno.serve(handler);
 * ```
 */
export function createRestHandler(
  options: RestHandlerOptions,
): (request: Request) => Promise<Response> {
  const settings: Settings = {
    xmpp: options.xmpp,
    domain: options.domain ?? options.xmpp.domain,
    secret: options.secret,
    credentials: options.credentials ?? [],
    sizeLimit: options.sizeLimit ?? REST_DEFAULTS.sizeLimit,
    bodyTimeoutMs: (options.bodyTimeout ?? HTTP_SERVER_DEFAULTS.bodyTimeout) *
      1000,
    iqTimeout: options.iqTimeout ?? REST_DEFAULTS.iqTimeout,
    iqMaxTimeout: options.iqMaxTimeout ?? REST_DEFAULTS.iqMaxTimeout,
    retryAfter: options.retryAfter ?? REST_DEFAULTS.retryAfter,
    logger: options.logger ?? silentLogger,
    randomId: options.randomId ?? randomStanzaId,
    inboundIqs: options.inboundIqs,
    basic: options.basicAuth ?? true,
    auth: options.auth ?? {
      domain: options.domain ?? options.xmpp.domain,
      secret: options.secret,
      credentials: options.credentials ?? [],
      basic: options.basicAuth ?? true,
    },
    metrics: options.metrics,
  };
  return (request) => {
    const url = urlOf(request);
    const format = requestFormatOf(request.headers.get("Content-Type"));
    const line: AccessLine = {
      settings,
      requestId: requestIdOf(request),
      method: request.method,
      path: url.pathname,
      info: {},
      started: requestStartOf(request) ?? performance.now(),
    };
    // Callbacks rather than an awaiting frame; a waiting iq keeps only its
    // SentIq, its access line and one reaction on the tracker's promise, not
    // the request (README "Performance").
    return handle(request, url, format, settings, line.info).then(
      (next) =>
        next instanceof Response
          ? logged(line, next)
          : awaitReply(next, line, errorFormatOf(request, format)),
      async (error) => {
        if (!request.bodyUsed) await request.body?.cancel().catch(() => {});
        return refused(line, error, errorFormatOf(request, format));
      },
    );
  };
}

/** The error format of a request's error responses (`Accept`, else its own format). */
function errorFormatOf(
  request: Request,
  format: RequestFormat | undefined,
): "xml" | "json" {
  return negotiateError(
    request.headers.get("Accept"),
    request.method === "GET" ? "none" : format ?? "none",
  );
}
