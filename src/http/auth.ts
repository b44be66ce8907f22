// RFC 9110 section 11 (HTTP authentication) with RFC 7617 Basic and RFC 6750 Bearer, as README "Authentication" says.

import { HttpError } from "./errors.ts";

/** What the authenticator checks against. */
export interface AuthOptions {
  /** Component domain: the Basic user name and the realm. */
  domain: string;
  /** Component secret: the Basic password; Basic with the domain is refused when unset or empty. */
  secret?: string;
  /** Accepted `Authorization` header values, e.g. `"Bearer xyz"`. */
  credentials?: readonly string[];
}

const encoder = new TextEncoder();

/**
 * Compares two strings in time that depends only on their lengths, not on
 * where they differ.
 */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const length = Math.max(x.length, y.length);
  let diff = x.length ^ y.length;
  for (let i = 0; i < length; i++) {
    diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  }
  return diff === 0;
}

/** The `WWW-Authenticate` challenge for a domain (Bearer and Basic, realm `<domain>/rest`). */
export function authChallenge(domain: string): string {
  const realm = `"${domain.replace(/["\\]/g, "\\$&")}/rest"`;
  return `Bearer realm=${realm}, Basic realm=${realm}`;
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
 * Checks an `Authorization` header. Returns normally when it is accepted:
 * equal (scheme case-insensitively, credentials exactly, in constant time)
 * to one of `credentials`, or Basic `<domain>:<secret>`. Throws
 * {@linkcode HttpError}: `noauthz` (401 with `WWW-Authenticate`) for no
 * header or a scheme that is neither Basic, Bearer nor the scheme of a
 * configured credential; `malformauthz` (403) for Basic that does not
 * decode to `user:password` or a scheme without credentials; `unauthz`
 * (403) for wrong credentials.
 *
 * @example
 * ```ts
 * authenticate("Bearer abc", { domain: "rest.example.net", credentials: ["Bearer abc"] });
 * ```
 */
export function authenticate(
  header: string | null,
  options: AuthOptions,
): void {
  const challenge = { "WWW-Authenticate": authChallenge(options.domain) };
  if (header === null || header.trim() === "") {
    throw new HttpError("noauthz", { headers: challenge });
  }
  const { scheme, token } = splitHeader(header);
  const lowerScheme = scheme.toLowerCase();
  const configured = (options.credentials ?? []).map(splitHeader);
  const schemes = new Set(["basic", "bearer"]);
  for (const c of configured) schemes.add(c.scheme.toLowerCase());
  if (!schemes.has(lowerScheme)) {
    throw new HttpError("noauthz", { headers: challenge });
  }
  if (token === "") throw new HttpError("malformauthz");

  let accepted = false;
  for (const c of configured) {
    const same = c.scheme.toLowerCase() === lowerScheme &&
      timingSafeEqual(c.token, token);
    accepted = accepted || same;
  }
  if (accepted) return;

  if (lowerScheme === "basic") {
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
    if (secret !== "" && userOk && passwordOk) return;
  }
  throw new HttpError("unauthz");
}
