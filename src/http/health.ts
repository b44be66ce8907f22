// Liveness and readiness endpoints with draft-inadarei-api-health-check bodies (application/health+json).

/** Paths of the operational endpoints served by {@linkcode healthResponse}. */
export const HEALTH_PATHS = {
  /** The process is alive. */
  liveness: "/healthz",
  /** The XMPP component stream is online. */
  readiness: "/readyz",
} as const;

/** Which health endpoint. */
export type HealthCheck = keyof typeof HEALTH_PATHS;

/** The media type of health bodies (draft-inadarei-api-health-check section 3). */
export const HEALTH_MEDIA_TYPE = "application/health+json";

/** Methods the health endpoints answer; anything else is a 405. */
const HEALTH_METHODS = ["GET", "HEAD"] as const;

/** What the readiness endpoint reports about the component stream. */
export interface Readiness {
  /** True while stanzas can be sent. */
  readonly online: boolean;
  /** The stream's state name, e.g. `online`, `waiting-to-reconnect`. */
  readonly state: string;
  /** True while the event store cannot write (inbound stanzas are answered `wait`). */
  readonly storeFailing?: boolean;
  /**
   * With several instances (README "Running several instances"): this
   * instance's role (`holder`, `standby`, `active`; `single` alone).
   */
  readonly role?: string;
  /** With several instances: this instance's id. */
  readonly instance?: string;
}

/** Returns the current readiness; called once per request. */
export type ReadinessProbe = () => Readiness;

/** The body of a health response. */
export interface HealthBody {
  /** `pass` or `fail`. */
  readonly status: "pass" | "fail";
  /** Why it fails (absent on pass). */
  readonly output?: string;
  /** The instance's role, when it runs as one of several. */
  readonly role?: string;
  /** The instance's id (draft-inadarei-api-health-check `serviceId`), when it runs as one of several. */
  readonly serviceId?: string;
}

/** Options for {@linkcode healthResponse}. */
export interface HealthOptions {
  /** Current readiness of the component stream. */
  readiness: ReadinessProbe;
  /** Seconds in `Retry-After` while not ready. Default 5. */
  retryAfter?: number;
}

// A state name is reported as is when it looks like one; anything else
// (which our own code never produces) is not echoed.
const STATE_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * The readiness body: `pass` while online, otherwise `fail` with the
 * stream's state. A probe that throws counts as not ready (state
 * `unknown`). Nothing but the state name is revealed.
 *
 * @example
 * ```ts
 * readinessBody(() => ({ online: false, state: "connecting" }));
 * // { status: "fail", output: "XMPP component stream is connecting" }
 * ```
 */
export function readinessBody(probe: ReadinessProbe): HealthBody {
  let readiness: Readiness;
  try {
    readiness = probe();
  } catch {
    readiness = { online: false, state: "unknown" };
  }
  const instance = instanceFields(readiness);
  if (readiness.online === true && readiness.storeFailing === true) {
    return { status: "fail", output: "Event store cannot write", ...instance };
  }
  if (readiness.online === true) return { status: "pass", ...instance };
  const state = STATE_NAME.test(readiness.state) ? readiness.state : "unknown";
  return {
    status: "fail",
    output: `XMPP component stream is ${state}`,
    ...instance,
  };
}

// Instance ids are operator-chosen names; anything else is not echoed.
const INSTANCE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

function instanceFields(readiness: Readiness): Partial<HealthBody> {
  const out: { role?: string; serviceId?: string } = {};
  if (readiness.role && STATE_NAME.test(readiness.role)) {
    out.role = readiness.role;
  }
  if (readiness.instance && INSTANCE_ID.test(readiness.instance)) {
    out.serviceId = readiness.instance;
  }
  return out;
}

/**
 * Answers `GET`/`HEAD` on `/healthz` (always 200 `{"status":"pass"}`) and
 * `/readyz` (200 while the stream is online, else 503 with `Retry-After`),
 * as `application/health+json` with `Cache-Control: no-store`. Other
 * methods get a 405 with `Allow`. No credentials are needed.
 *
 * @example
 * ```ts
 * const res = healthResponse("readiness", new Request("http://x/readyz"), {
 *   readiness: () => ({ online: true, state: "online" }),
 * });
 * res.status; // 200
 * ```
 */
export function healthResponse(
  check: HealthCheck,
  request: Request,
  options: HealthOptions,
): Response {
  const method = request.method;
  if (!(HEALTH_METHODS as readonly string[]).includes(method)) {
    return new Response(null, {
      status: 405,
      headers: { Allow: HEALTH_METHODS.join(", ") },
    });
  }
  const body: HealthBody = check === "liveness"
    ? { status: "pass" }
    : readinessBody(options.readiness);
  const headers = new Headers({
    "Content-Type": HEALTH_MEDIA_TYPE,
    "Cache-Control": "no-store",
  });
  if (body.status === "fail") {
    headers.set("Retry-After", String(options.retryAfter ?? 5));
  }
  return new Response(method === "HEAD" ? null : JSON.stringify(body), {
    status: body.status === "pass" ? 200 : 503,
    headers,
  });
}
