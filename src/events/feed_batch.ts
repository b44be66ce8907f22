// SSE event frames (HTML Living Standard section 9.2) made once per event and format, and batches of them shared by every client at the same point of the log.

import type { StoredEvent } from "../store/types.ts";
import { encodeEvent, type EventFormat } from "./encode.ts";
import { sseEvent } from "./sse.ts";

const encoder = new TextEncoder();

/** An event of the feed's cache with its frames, made on first use per format. */
export interface Cached {
  /** The stored event. */
  readonly event: StoredEvent;
  /** Its frame with JSON `data:`. */
  json?: Uint8Array;
  /** Its frame with XML `data:`. */
  xml?: Uint8Array;
}

/** Events `from` up to (not including) `to`, framed in `format`, as one buffer. */
export interface Batch {
  /** Body format of `data:`. */
  readonly format: EventFormat;
  /** The first event id. */
  readonly from: number;
  /** The id after the last event. */
  readonly to: number;
  /** The frames, one after the other. */
  readonly bytes: Uint8Array;
}

/** The event block of `cached` in `format`, encoded once and kept on it. */
export function frameOf(cached: Cached, format: EventFormat): Uint8Array {
  const hit = cached[format];
  if (hit) return hit;
  const { event } = cached;
  const bytes = encoder.encode(
    sseEvent({
      id: event.id,
      event: event.kind,
      data: encodeEvent(event, format),
    }),
  );
  cached[format] = bytes;
  return bytes;
}

/**
 * The cached events from `from` on (it must be cached), at most `max` of
 * them and up to `room` bytes (one event at least), as one batch; a single
 * event's batch is its frame itself (no copy).
 */
export function makeBatch(
  cache: ReadonlyMap<number, Cached>,
  from: number,
  format: EventFormat,
  room: number,
  max: number,
): Batch {
  let to = from;
  let size = 0;
  for (let cached; (cached = cache.get(to)) !== undefined;) {
    size += frameOf(cached, format).byteLength;
    to++;
    if (size >= room || to - from >= max) break;
  }
  if (to === from + 1) {
    return { format, from, to, bytes: frameOf(cache.get(from)!, format) };
  }
  const bytes = new Uint8Array(size);
  for (let id = from, at = 0; id < to; id++) {
    const frame = frameOf(cache.get(id)!, format);
    bytes.set(frame, at);
    at += frame.byteLength;
  }
  return { format, from, to, bytes };
}
