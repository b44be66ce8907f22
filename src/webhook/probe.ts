// mod_rest.md section 5.2: the startup OPTIONS probe picks the body format from the endpoint's Accept header.

import type { CallbackContentType } from "./encode.ts";

/** Formats the probe may switch to (mod_rest's supported outputs; not `text/plain`). */
export const PROBE_FORMATS = [
  "application/xmpp+xml",
  "application/json",
  "application/x-www-form-urlencoded",
] as const satisfies readonly CallbackContentType[];

/** What the startup probe found. */
export type ProbeResult =
  | {
    /** The endpoint answered 2xx. */
    readonly state: "ok";
    /** HTTP status. */
    readonly status: number;
    /** The body format in use after the probe. */
    readonly contentType: CallbackContentType;
    /** True when the `Accept` header changed the format. */
    readonly switched: boolean;
  }
  | {
    /** The endpoint answered with another status; deliveries go on. */
    readonly state: "unexpected-status";
    /** HTTP status. */
    readonly status: number;
    /** The body format in use (unchanged). */
    readonly contentType: CallbackContentType;
  }
  | {
    /** No HTTP answer (refused, DNS, TLS, timeout); deliveries go on. */
    readonly state: "unreachable";
    /** What went wrong. */
    readonly error: string;
    /** The body format in use (unchanged). */
    readonly contentType: CallbackContentType;
  };

/**
 * The first format in an `Accept` header that the webhook can send, in the
 * order the header lists them (parameters ignored, `q=0` entries and
 * wildcards skipped); undefined when none is listed.
 *
 * @example
 * ```ts
 * formatFromAccept("text/html, application/json;q=0.9, application/xmpp+xml");
 * // "application/json"
 * ```
 */
export function formatFromAccept(
  accept: string | null | undefined,
): CallbackContentType | undefined {
  if (!accept) return undefined;
  for (const entry of accept.split(",")) {
    const [type, ...params] = entry.split(";").map((p) => p.trim());
    const refused = params.some((p) => /^q\s*=\s*0(\.0*)?$/i.test(p));
    if (refused) continue;
    const found = PROBE_FORMATS.find((f) => f === type.toLowerCase());
    if (found) return found;
  }
  return undefined;
}
