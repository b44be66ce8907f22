// RFC 9110 section 11 (HTTP authentication) with RFC 7617 Basic and RFC 6750 Bearer, as README "Authentication" says.

import { HttpError } from "./errors.ts";
import {
  type Principal,
  type ScopedCredential,
  UNRESTRICTED,
} from "./scope.ts";

/** What the authenticator checks against. */
export interface AuthOptions {
  /** Component domain: the Basic user name and the realm. */
  domain: string;
  /** Component secret: the Basic password; Basic with the domain is refused when unset or empty. */
  secret?: string;
  /**
   * Accepted `Authorization` header values, e.g. `"Bearer xyz"`, each with
   * an optional scope. A list is split once and remembered: pass a new
   * array to change it, never modify one in place.
   */
  credentials?: readonly (string | ScopedCredential)[];
  /** Accept Basic `<domain>:<secret>`. Default true. */
  basic?: boolean;
}

/**
 * Compares two strings in time that depends only on their lengths, not on
 * where they differ (UTF-16 code units, so no encoding per comparison).
 */
export function timingSafeEqual(a: string, b: string): boolean {
  const length = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < length; i++) {
    diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  }
  return diff === 0;
}

/** The `WWW-Authenticate` challenge for a domain (Bearer, and Basic unless turned off; realm `<domain>/rest`). */
export function authChallenge(domain: string, basic = true): string {
  const realm = `"${domain.replace(/["\\]/g, "\\$&")}/rest"`;
  return basic
    ? `Bearer realm=${realm}, Basic realm=${realm}`
    : `Bearer realm=${realm}`;
}

function splitHeader(value: string): { scheme: string; token: string } {
  const trimmed = value.trim();
  const space = trimmed.search(/\s/);
  if (space === -1) return { scheme: trimmed, token: "" };
  return {
    scheme: trimmed.slice(0, space),
    token: trimmed.slice(space).trim(),
  };
}

interface Configured {
  /** Each credential with its scheme lower-cased, and who it authenticates as. */
  configured: { scheme: string; token: string; principal: Principal }[];
  /** Schemes that are not "no credentials" (401): Bearer, configured ones (Basic is added when on). */
  schemes: Set<string>;
}

/** Credentials split once per list, not once per request. */
const configuredCache = new WeakMap<
  readonly (string | ScopedCredential)[],
  Configured
>();

function configuredOf(
  credentials: readonly (string | ScopedCredential)[],
): Configured {
  let found = configuredCache.get(credentials);
  if (found === undefined) {
    const configured = credentials.map((c) => {
      const split = splitHeader(typeof c === "string" ? c : c.credential);
      return {
        scheme: split.scheme.toLowerCase(),
        token: split.token,
        principal: typeof c === "string" ? UNRESTRICTED : { scope: c.scope },
      };
    });
    const schemes = new Set(["bearer"]);
    for (const c of configured) schemes.add(c.scheme);
    found = { configured, schemes };
    configuredCache.set(credentials, found);
  }
  return found;
}

function decodeBasic(token: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token) || token.length % 4 === 1) {
    return undefined;
  }
  try {
    const bytes = Uint8Array.from(atob(token), (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Checks an `Authorization` header. Returns the principal (with the
 * matching credential's scope) when it is accepted: equal (scheme
 * case-insensitively, credentials exactly, in constant time) to one of
 * `credentials`, or Basic `<domain>:<secret>` unless `basic` is false. Throws
 * {@linkcode HttpError}: `noauthz` (401 with `WWW-Authenticate`) for no
 * header or a scheme that is neither Basic, Bearer nor the scheme of a
 * configured credential; `malformauthz` (403) for Basic that does not
 * decode to `user:password` or a scheme without credentials; `unauthz`
 * (403) for wrong credentials. With `basic: false`, a Basic header that is
 * not a configured credential is a 401 saying Basic is turned off.
 *
 * @example
 * ```ts
 * authenticate("Bearer abc", { domain: "rest.example.net", credentials: ["Bearer abc"] });
 * ```
 */
export function authenticate(
  header: string | null,
  options: AuthOptions,
): Principal {
  const basic = options.basic ?? true;
  const challenge = () => ({
    "WWW-Authenticate": authChallenge(options.domain, basic),
  });
  if (header === null || header.trim() === "") {
    throw new HttpError("noauthz", { headers: challenge() });
  }
  const { scheme, token } = splitHeader(header);
  const lowerScheme = scheme.toLowerCase();
  const { configured, schemes } = configuredOf(options.credentials ?? []);
  if (!schemes.has(lowerScheme) && !(basic && lowerScheme === "basic")) {
    throw new HttpError("noauthz", {
      headers: challenge(),
      text: lowerScheme === "basic"
        ? "HTTP Basic authentication is turned off (rest_basic_auth)"
        : undefined,
    });
  }
  if (token === "") throw new HttpError("malformauthz");

  let accepted: Principal | undefined;
  for (const c of configured) {
    const same = c.scheme === lowerScheme && timingSafeEqual(c.token, token);
    if (same && accepted === undefined) accepted = c.principal;
  }
  if (accepted !== undefined) return accepted;

  if (lowerScheme === "basic" && basic) {
    const decoded = decodeBasic(token);
    const colon = decoded?.indexOf(":") ?? -1;
    if (decoded === undefined || colon === -1) {
      throw new HttpError("malformauthz");
    }
    const secret = options.secret ?? "";
    const user = decoded.slice(0, colon).toLowerCase();
    const password = decoded.slice(colon + 1);
    const userOk = timingSafeEqual(user, options.domain.toLowerCase());
    const passwordOk = timingSafeEqual(password, secret);
    if (secret !== "" && userOk && passwordOk) return UNRESTRICTED;
  }
  throw new HttpError("unauthz");
}
