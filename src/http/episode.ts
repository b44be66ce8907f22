// A condition of the HTTP server (connection cap reached, accept failing) logged as an episode: once when it starts, once when it is over.

import type { LogFields, Logger } from "../logger.ts";

/** Quiet time after which an episode counts as over. */
const EPISODE_QUIET_MS = 5000;

/** An episode: `touch` each time the condition happens, `settle` now and then. */
export interface Episode {
  /** The condition happened at `t` (milliseconds); the first time logs `extra`. */
  touch(t: number, extra?: LogFields): void;
  /** Logs the end, with how often it happened, once quiet for 5 s by `t`. */
  settle(t: number): void;
}

/**
 * A condition logged once when it starts and once when it has been quiet
 * for 5 s (with how often it happened), never once per connection.
 */
export function episode(logger: Logger, message: string): Episode {
  let count = 0;
  let since: number | undefined;
  let last = 0;
  return {
    touch(t: number, extra: LogFields = {}) {
      count++;
      last = t;
      if (since !== undefined) return;
      since = t;
      logger.warn(message, extra);
    },
    settle(t: number) {
      if (since === undefined || t - last < EPISODE_QUIET_MS) return;
      logger.info(`${message}: over`, {
        count,
        seconds: Math.round((last - since) / 1000),
      });
      since = undefined;
      count = 0;
    },
  };
}
