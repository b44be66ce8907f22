// Scoped credentials (README "Scoped credentials"): which sender addresses, stanza kinds and route groups a credential may use.

import type { Jid } from "../xmpp/jid.ts";
import { HttpError } from "./errors.ts";

/** Stanza kinds a scope can allow. */
export const SCOPE_KINDS = ["message", "presence", "iq"] as const;
/** A stanza kind. */
export type ScopeKind = typeof SCOPE_KINDS[number];

/**
 * Route groups a scope can allow: `send` (POST /rest and its path forms,
 * echo included), `iq` (the GET /rest/{query}/{to} shortcuts), `events`
 * (receiving: pull and event streams), `operations` (webhook operations).
 */
export const ROUTE_GROUPS = ["send", "iq", "events", "operations"] as const;
/** A route group. */
export type RouteGroup = typeof ROUTE_GROUPS[number];

/** A credential's limits; an absent field allows everything of its kind. */
export interface CredentialScope {
  /**
   * Sender addresses at the component domain: localparts, `*` globs of
   * localparts (`alerts-*`), `node@domain`, or the domain itself.
   */
  readonly from?: readonly string[];
  /** Stanza kinds it may send. */
  readonly kinds?: readonly ScopeKind[];
  /** Route groups it may use. */
  readonly routes?: readonly RouteGroup[];
}

/** A configured credential: the exact `Authorization` value and its scope. */
export interface ScopedCredential {
  /** `Scheme token`, e.g. `Bearer abc`. */
  readonly credential: string;
  /** What it may do; absent: everything. */
  readonly scope?: CredentialScope;
}

/** Who a request authenticated as. */
export interface Principal {
  /** Its scope; undefined: unrestricted (Basic, or a credential without one). */
  readonly scope?: CredentialScope;
}

/** The unrestricted principal (component Basic, unscoped credentials). */
export const UNRESTRICTED: Principal = {};

function globToRegExp(glob: string): RegExp {
  const body = glob.split("*").map((part) =>
    part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")
  ).join(".*");
  return new RegExp(`^${body}$`, "u");
}

/**
 * The localpart pattern of one `from` entry, or an error text: `bot`,
 * `alerts-*` and `bot@domain` name localparts, the domain itself names the
 * address without a localpart.
 */
export function fromPattern(
  entry: string,
  domain: string,
): RegExp | string {
  const value = entry.trim().toLowerCase();
  if (value === domain) return /^$/;
  const at = value.indexOf("@");
  if (at !== -1) {
    if (value.slice(at + 1) !== domain) {
      return `"${entry}" is not at the component domain ${domain}`;
    }
    return fromPattern(value.slice(0, at), domain);
  }
  if (value === "" || /[\s"&'/:<>@]/.test(value)) {
    return `"${entry}" is not a localpart or a pattern of localparts`;
  }
  return globToRegExp(value);
}

function refuse(text: string): HttpError {
  return new HttpError("scope", { text });
}

/**
 * Throws a 403 {@linkcode HttpError} when the principal may not use the
 * route group.
 *
 * @example
 * ```ts
 * checkRouteGroup({ scope: { routes: ["send"] } }, "iq"); // throws 403
 * ```
 */
export function checkRouteGroup(principal: Principal, group: RouteGroup): void {
  const routes = principal.scope?.routes;
  if (routes !== undefined && !routes.includes(group)) {
    throw refuse(
      `Credential may not use the ${group} routes (allowed: ${
        routes.join(", ") || "none"
      })`,
    );
  }
}

/**
 * Throws a 403 {@linkcode HttpError} when the principal may not send this
 * kind of stanza from this address (already normalised, at the domain).
 */
export function checkStanzaScope(
  principal: Principal,
  kind: string,
  from: Jid,
  domain: string,
): void {
  const scope = principal.scope;
  if (scope === undefined) return;
  if (scope.kinds !== undefined && !(scope.kinds as string[]).includes(kind)) {
    throw refuse(
      `Credential may not send ${kind} stanzas (allowed: ${
        scope.kinds.join(", ") || "none"
      })`,
    );
  }
  if (scope.from === undefined) return;
  const allowed = scope.from.some((entry) => {
    const pattern = fromPattern(entry, domain);
    return typeof pattern !== "string" && pattern.test(from.local);
  });
  if (!allowed) {
    throw refuse(
      `Credential may not send from "${from.bare().toString()}" (allowed: ${
        scope.from.join(", ")
      })`,
    );
  }
}

const SCOPE_KEYS = ["credential", "from", "kinds", "routes"];

function stringList(value: unknown, what: string): string[] {
  if (
    !Array.isArray(value) || value.some((v) => typeof v !== "string")
  ) {
    throw new TypeError(`${what} must be an array of strings`);
  }
  return value;
}

function oneOfList<T extends string>(
  value: unknown,
  what: string,
  allowed: readonly T[],
): T[] {
  const list = stringList(value, what);
  for (const item of list) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new TypeError(
        `${what}: "${item}" is not one of ${allowed.join(", ")}`,
      );
    }
  }
  return list as T[];
}

/**
 * Reads one scoped credential from a config file object
 * `{"credential": "Bearer X", "from": [...], "kinds": [...], "routes": [...]}`;
 * throws TypeError with the reason. `domain`, when known, checks `from`.
 *
 * @example
 * ```ts
 * parseScopedCredential({ credential: "Bearer x", kinds: ["message"] });
 * ```
 */
export function parseScopedCredential(
  raw: Record<string, unknown>,
  domain?: string,
): ScopedCredential {
  for (const key of Object.keys(raw)) {
    if (!SCOPE_KEYS.includes(key)) {
      throw new TypeError(
        `unknown key "${key}" (expected ${SCOPE_KEYS.join(", ")})`,
      );
    }
  }
  const credential = raw.credential;
  if (
    typeof credential !== "string" || !/^\S+ +\S+$/.test(credential.trim())
  ) {
    throw new TypeError(
      '"credential" must be an Authorization value like "Bearer TOKEN"',
    );
  }
  const scope: {
    from?: string[];
    kinds?: ScopeKind[];
    routes?: RouteGroup[];
  } = {};
  if (raw.from !== undefined) {
    scope.from = stringList(raw.from, '"from"');
    for (const entry of scope.from) {
      const pattern = fromPattern(entry, domain ?? "");
      if (typeof pattern === "string" && domain !== undefined) {
        throw new TypeError(`"from": ${pattern}`);
      }
    }
  }
  if (raw.kinds !== undefined) {
    scope.kinds = oneOfList(raw.kinds, '"kinds"', SCOPE_KINDS);
  }
  if (raw.routes !== undefined) {
    scope.routes = oneOfList(raw.routes, '"routes"', ROUTE_GROUPS);
  }
  return { credential: credential.trim(), scope };
}
