// Active queue management for the outgoing queue (README "What 202 means"): a standing queue slows every admission a little, in proportion to its depth, instead of none until the queue is full and then all at once.

/** Share of the queue's bounds below which nothing is slowed. */
export const FREE_SHARE = 1 / 8;
/** The delay of an admission at the queue's bound, ms. */
export const MAX_ADMISSION_DELAY_MS = 20;

/**
 * How long a message or presence POST waits before it is queued, in ms: 0
 * while the queue is below an eighth of its bounds (stanzas or text), then
 * rising in proportion to the depth up to {@linkcode MAX_ADMISSION_DELAY_MS}
 * at the bound. Clients that wait for each answer (most do) then slow down
 * to the rate the XMPP server reads at while the queue still has room, so a
 * pause of the server is absorbed by the queue instead of holding every
 * waiting request until the server reads again (as a full queue does).
 *
 * @example
 * ```ts
 * admissionDelayMs({ stanzas: 100, units: 0 }, { stanzas: 65536, units: 1 << 24 }); // 0
 * admissionDelayMs({ stanzas: 65536, units: 0 }, { stanzas: 65536, units: 1 << 24 }); // 20
 * ```
 */
export function admissionDelayMs(
  queued: { readonly stanzas: number; readonly units: number },
  bounds: { readonly stanzas: number; readonly units: number },
): number {
  const depth = Math.max(
    queued.stanzas / bounds.stanzas,
    queued.units / bounds.units,
  );
  if (!(depth > FREE_SHARE)) return 0;
  return MAX_ADMISSION_DELAY_MS *
    Math.min(1, (depth - FREE_SHARE) / (1 - FREE_SHARE));
}

/**
 * The pause before queueing one more message or presence behind `queue`
 * ({@linkcode admissionDelayMs}), or undefined when there is none.
 *
 * @example
 * ```ts
 * const pause = admissionPause(connection, { stanzas: 65536, units: 1 << 24 });
 * if (pause) await pause;
 * ```
 */
export function admissionPause(
  queue: { readonly queued: number; readonly queuedUnits: number },
  bounds: { readonly stanzas: number; readonly units: number },
): Promise<void> | undefined {
  const delay = admissionDelayMs(
    { stanzas: queue.queued, units: queue.queuedUnits },
    bounds,
  );
  return delay > 0
    ? new Promise<void>((resolve) => setTimeout(resolve, delay))
    : undefined;
}
