// When the event log is pruned (README "What is kept, and for how long"): soon after consumers acknowledge, and on a retention sweep.

import type { Timers } from "../component/connection.ts";
import { type Logger, silentLogger } from "../logger.ts";
import type { AckScope, EventStore } from "./types.ts";

/** Timing of {@linkcode createPruner}. */
export const PRUNING_DEFAULTS = {
  /** Delay between an acknowledgement and the prune it triggers, ms: acknowledgements in between share one run. */
  ackDelayMs: 1_000,
  /** Interval of the retention sweep, ms. */
  sweepMs: 10 * 60_000,
  /** Events examined per statement. */
  batch: 1_000,
} as const;

/** Options of {@linkcode createPruner}. */
export interface PruningOptions {
  /** The event log. */
  readonly store: EventStore;
  /** Events older than this are deleted whatever their consumers did, ms. */
  readonly retentionMs: number;
  /** See {@linkcode AckScope.untilFirstPull}. */
  readonly untilFirstPull: boolean;
  /** Clock, ms since the epoch. Default `Date.now`. */
  readonly now?: () => number;
  /** Timer functions. Default: the global ones, not keeping the process alive. */
  readonly timers?: Timers;
  /** Log sink. Default silent. */
  readonly logger?: Logger;
  /** Overrides of {@linkcode PRUNING_DEFAULTS}. */
  readonly ackDelayMs?: number;
  /** Overrides of {@linkcode PRUNING_DEFAULTS}. */
  readonly sweepMs?: number;
  /** Overrides of {@linkcode PRUNING_DEFAULTS}. */
  readonly batch?: number;
}

/** A pruner of one store. */
export interface Pruner {
  /** Runs a sweep now and starts the timers. */
  start(): void;
  /**
   * Something was acknowledged or appended: prune within the ack delay
   * (ignored until started). `releasedId`: that event's last delivery was
   * settled, so it may be done now although an earlier pass kept it.
   */
  nudge(releasedId?: number): void;
  /** Runs the retention sweep and an acknowledged prune now; resolves when done. */
  sweep(): Promise<void>;
  /** Stops the timers; resolves when a run in progress has finished. */
  stop(): Promise<void>;
}

const unrefTimers: Timers = {
  setTimeout(callback, ms) {
    const id = setTimeout(callback, ms);
    Deno.unrefTimer(id);
    return id;
  },
  clearTimeout: (handle) =>
    clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Creates the pruner of `store`. Once started: a retention sweep at once
 * and every ten minutes (events older than the retention go, acknowledged
 * or not, then the acknowledged ones), and a prune of acknowledged events
 * about a second after {@linkcode Pruner.nudge}. A nudge costs a flag check
 * on the hot path; runs never overlap.
 *
 * @example
 * ```ts
 * const pruner = createPruner({ store, retentionMs: 72 * 3_600_000, untilFirstPull: true });
 * pruner.start();
 * await store.setCursor("pull:bot", 42);
 * pruner.nudge();
 * ```
 */
export function createPruner(options: PruningOptions): Pruner {
  const { store } = options;
  const timers = options.timers ?? unrefTimers;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const ackDelayMs = options.ackDelayMs ?? PRUNING_DEFAULTS.ackDelayMs;
  const sweepMs = options.sweepMs ?? PRUNING_DEFAULTS.sweepMs;
  const scope: AckScope = {
    untilFirstPull: options.untilFirstPull,
    limit: options.batch ?? PRUNING_DEFAULTS.batch,
  };
  let started = false;
  let stopped = false;
  let ackTimer: unknown;
  let sweepTimer: unknown;
  let running: Promise<void> | undefined;
  let again = false;
  // Events at or below `floor` that are still stored were kept for a
  // delivery by the last pass: a pass starts above it, so an outage with
  // many pending deliveries is not examined again every second. A settled
  // delivery lowers it (`released`); the sweep starts from 0.
  let floor = 0;
  let released = Infinity;

  async function pruneAcknowledged(fromStart: boolean): Promise<void> {
    released = Infinity;
    let after = fromStart ? 0 : floor;
    let total = 0;
    for (;;) {
      const pass = await store.pruneAcknowledged({ ...scope, afterId: after });
      total += pass.deleted;
      after = Math.max(after, pass.examinedTo);
      if (pass.complete || stopped) break;
    }
    floor = Math.min(after, released - 1);
    if (total > 0) logger.debug("Pruned acknowledged events", { count: total });
  }

  async function pruneOld(): Promise<void> {
    const count = await store.prune(now() - options.retentionMs);
    if (count > 0) logger.info("Pruned events past retention", { count });
  }

  /** Runs `work` after any run in progress; failures are logged, not thrown. */
  function run(work: () => Promise<void>): Promise<void> {
    const previous = running ?? Promise.resolve();
    const next = previous.then(work).catch((error) => {
      logger.warn("Cannot prune events", { error: String(error) });
    }).finally(() => {
      if (running === next) running = undefined;
    });
    running = next;
    return next;
  }

  function nudge(releasedId?: number): void {
    if (releasedId !== undefined) {
      released = Math.min(released, releasedId);
      floor = Math.min(floor, releasedId - 1);
    }
    if (!started || stopped) return;
    if (ackTimer !== undefined) {
      again = true;
      return;
    }
    ackTimer = timers.setTimeout(() => {
      again = false;
      void run(() => pruneAcknowledged(false)).then(() => {
        ackTimer = undefined;
        if (again) nudge();
      });
    }, ackDelayMs);
  }

  function sweep(): Promise<void> {
    return run(async () => {
      await pruneOld();
      await pruneAcknowledged(true);
    });
  }

  function scheduleSweep(): void {
    sweepTimer = timers.setTimeout(() => {
      if (stopped) return;
      void sweep().then(() => {
        if (!stopped) scheduleSweep();
      });
    }, sweepMs);
  }

  return {
    start() {
      if (started || stopped) return;
      started = true;
      void sweep();
      scheduleSweep();
    },
    nudge,
    sweep,
    async stop() {
      stopped = true;
      timers.clearTimeout(ackTimer);
      timers.clearTimeout(sweepTimer);
      await running;
    },
  };
}
