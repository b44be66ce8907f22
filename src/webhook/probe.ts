// mod_rest's documentation, "Webhooks": the startup OPTIONS probe and what it found.

import type { CallbackContentType } from "./encode.ts";

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
