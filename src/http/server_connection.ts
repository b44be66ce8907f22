// One connection accepted by the HTTP server shell: its header/idle deadline, its requests in flight and the engine serving it.

import type { Http1Hooks } from "./http1_types.ts";

/** Clock, idle timeout and the set of open connections, shared by every connection of a server. */
export interface ConnectionClock {
  /** The current time in milliseconds. */
  now(): number;
  /** Milliseconds an idle kept-alive connection stays open. */
  readonly idleMs: number;
  /** The server's open connections (a connection leaves it when closed). */
  readonly open: Set<ServerConnection>;
}

/** One accepted connection: its deadline and the engine serving it. */
export class ServerConnection implements Http1Hooks {
  /** Requests whose response is not completely sent. */
  active = 0;
  /** When an idle connection gets closed (clock milliseconds). */
  deadline: number;
  /** A TLS connection still in its handshake (no engine yet). */
  pending?: Deno.Conn;
  /** Set once killed (a handshake finishing later closes at once). */
  killed = false;
  /** Closes a connection of Deno's engine (the own engine has `close`). */
  abort?: AbortController;
  /** The engine serving this connection. */
  server?: {
    finished: Promise<void>;
    shutdown(): Promise<void>;
    /** Closes at once (own engine). */
    close?(): void;
    /** Notices a client leaving while its request waits (own engine). */
    watch?(): void;
  };
  readonly #clock: ConnectionClock;

  /** A connection accepted now, with `headerMs` for its first request head. */
  constructor(clock: ConnectionClock, headerMs: number) {
    this.#clock = clock;
    this.deadline = clock.now() + headerMs;
  }

  /** A request arrived. */
  requestStarted(): void {
    this.active++;
  }

  /** A response was sent: the last one starts the idle deadline. */
  requestEnded(): void {
    if (--this.active === 0) {
      this.deadline = this.#clock.now() + this.#clock.idleMs;
    }
  }

  /** The own engine closed the connection. */
  closed(): void {
    this.#clock.open.delete(this);
  }

  /** Closes the connection at once. */
  kill(): void {
    this.killed = true;
    if (this.pending) {
      closeQuietly(this.pending);
      this.pending = undefined;
      this.closed();
    } else if (this.abort) this.abort.abort();
    else this.server?.close?.();
  }
}

/** Closes `conn`, ignoring that it may be closed already. */
export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch { /* already closed */ }
}
