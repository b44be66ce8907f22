// Test support: the XMPP servers the end-to-end suites run against, behind one interface (Prosody and ejabberd).

import { Ejabberd, ejabberdInstalled } from "./ejabberd.ts";
import { Prosody, prosodyInstalled } from "./prosody.ts";

/** A real XMPP server started for a test: loopback only, its own ports and data. */
export interface XmppServer extends AsyncDisposable {
  /** Which server this is. */
  readonly kind: "prosody" | "ejabberd";
  /** The server's own domain (a VirtualHost with users), e.g. `localhost`. */
  readonly host: string;
  /** Component domains and their secrets (at least two). */
  readonly components: Readonly<Record<string, string>>;
  /** Registered users (localpart -> password) of `host`; at least alice and bob. */
  readonly users: Readonly<Record<string, string>>;
  /** `127.0.0.1:PORT` of the XEP-0114 listener. */
  readonly componentAddress: string;
  /** The c2s port on 127.0.0.1. */
  readonly c2sPort: number;
  /** Stops the server and starts it again on the same ports. */
  restart(): Promise<void>;
  /** Stops the server (ports kept for `start()`). */
  stop(): Promise<void>;
  /** Starts a stopped server again. */
  start(): Promise<void>;
}

/** How to get one kind of server. */
export interface ServerKind {
  /** Display name, e.g. `Prosody`. */
  readonly name: string;
  /** The executable that must be installed. */
  readonly binary: string;
  /** True when the server is installed on this machine. */
  installed(): boolean;
  /** Starts a fresh server. */
  start(): Promise<XmppServer>;
}

/** Prosody 0.12 (Debian package `prosody`). */
export const PROSODY: ServerKind = {
  name: "Prosody",
  binary: "prosody",
  installed: prosodyInstalled,
  start: () => Prosody.start(),
};

/** ejabberd 23.01 (Debian package `ejabberd`), booted with `erl` directly. */
export const EJABBERD: ServerKind = {
  name: "ejabberd",
  binary: "ejabberdctl",
  installed: ejabberdInstalled,
  start: () => Ejabberd.start(),
};

/** Every server the end-to-end suites run against. */
export const SERVER_KINDS: ServerKind[] = [PROSODY, EJABBERD];

/**
 * Registers `define(kind)` for every server kind that is installed. A
 * missing server fails the run under CI (`CI` set) and is otherwise
 * skipped with a visible notice.
 */
export function forEachServer(
  suite: string,
  define: (kind: ServerKind) => void,
): void {
  for (const kind of SERVER_KINDS) {
    if (kind.installed()) {
      define(kind);
    } else if (Deno.env.get("CI")) {
      Deno.test(`${suite} over ${kind.name}`, () => {
        throw new Error(
          `${kind.name} is not installed (CI must install it: see .ci/run)`,
        );
      });
    } else {
      // deno-lint-ignore no-console
      console.warn(
        `NOTICE: ${kind.binary} is not installed; skipping "${suite}" over ${kind.name}`,
      );
      Deno.test({
        name:
          `${suite} over ${kind.name} (skipped: ${kind.binary} not installed)`,
        ignore: true,
        fn: () => {},
      });
    }
  }
}
