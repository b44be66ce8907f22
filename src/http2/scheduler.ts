// RFC 9113 sections 5.2 and 6.9: which stream's DATA goes next, within the connection's send window and the peer's frame size, one frame per stream per round.

import { MAX_WINDOW } from "./frame_checks.ts";
import { MIN_MAX_FRAME_SIZE } from "./frame.ts";
import type { DataPiece, SendQueue } from "./send_queue.ts";

/** A stream as the scheduler sees it. */
export interface Sending {
  readonly id: number;
  readonly send: SendQueue;
}

/**
 * The streams with DATA to send and the connection's send window (65,535
 * at first, RFC 9113 section 6.9.2). `run` frames round-robin so that one
 * large response cannot starve the others.
 *
 * @example
 * ```ts
 * const scheduler = new DataScheduler<Sending>();
 * scheduler.add(stream);
 * scheduler.run(() => true, (s, piece) => write(s.id, piece));
 * ```
 */
export class DataScheduler<S extends Sending> {
  readonly #ready = new Set<S>();
  #window = 65535;
  /** SETTINGS_MAX_FRAME_SIZE of the peer. */
  maxFrame = MIN_MAX_FRAME_SIZE;

  /** Marks a stream as having something to send (again). */
  add(s: S): void {
    if (s.send.queued > 0 || s.send.pendingEnd) this.#ready.add(s);
  }

  /** Forgets a stream (closed or reset). */
  remove(s: S): void {
    this.#ready.delete(s);
  }

  /** A WINDOW_UPDATE on stream 0; false when the window would pass 2^31-1. */
  grow(increment: number): boolean {
    if (this.#window + increment > MAX_WINDOW) return false;
    this.#window += increment;
    return true;
  }

  /**
   * Takes payloads while `room()` holds, one per ready stream per round,
   * handing each to `emit`; a stream whose queue is then empty leaves the
   * ready set.
   */
  run(room: () => boolean, emit: (s: S, piece: DataPiece) => void): void {
    let progress = true;
    while (progress && this.#ready.size > 0) {
      progress = false;
      for (const s of this.#ready) {
        if (!room()) return;
        const piece = s.send.take(
          Math.min(s.send.window, this.#window, this.maxFrame),
        );
        if (piece === undefined) continue;
        progress = true;
        this.#window -= piece.bytes.byteLength;
        if (s.send.queued === 0 && !s.send.pendingEnd) this.#ready.delete(s);
        emit(s, piece);
      }
    }
  }
}
