// Waiting for a component stream to come online (or to end closed), with an optional abort signal.

import { StreamDownError } from "../xmpp/port.ts";
import type { StateListener } from "./api.ts";
import type { ComponentState } from "./session.ts";

/** What {@linkcode waitOnline} watches: a current state and its changes. */
export interface StateSource {
  /** The current state. */
  readonly state: ComponentState;
  /** Subscribes to state changes; returns the unsubscribe function. */
  onStateChange(listener: StateListener): () => void;
}

/**
 * Resolves when `source` is online. Rejects when it ends up `closed` (with
 * the error that closed it, else {@linkcode StreamDownError}) or when
 * `signal` aborts (with its reason).
 *
 * @example
 * ```ts
 * await waitOnline(client, AbortSignal.timeout(5_000));
 * ```
 */
export function waitOnline(
  source: StateSource,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const settle = (state: ComponentState): boolean => {
      if (state.name === "online") resolve();
      else if (state.name === "closed") {
        reject(state.error ?? new StreamDownError("Component is stopped"));
      } else return false;
      return true;
    };
    if (settle(source.state)) return;
    const onAbort = () => {
      off();
      reject(signal!.reason);
    };
    const off = source.onStateChange((state) => {
      if (!settle(state)) return;
      off();
      signal?.removeEventListener("abort", onAbort);
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
