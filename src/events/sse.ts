// Server-sent events framing (HTML Living Standard section 9.2, "Server-sent events"): event blocks, comments, Last-Event-ID.

/** The media type of an SSE stream. */
export const SSE_MEDIA_TYPE = "text/event-stream";

/** Defaults of the SSE stream. */
export const SSE_DEFAULTS = {
  /** A comment line is sent this often so that proxies keep the stream open. */
  heartbeatMs: 15_000,
  /** Bytes a client may leave unread before it is cut off (it can resume). */
  clientBufferBytes: 256 * 1024,
  /** Reconnection delay suggested to clients (`retry:` field), in ms. */
  retryMs: 3_000,
} as const;

/** One event as it goes on the wire. */
export interface SseEvent {
  /** `id:` (the event id; resuming clients send it back as Last-Event-ID). */
  readonly id: number;
  /** `event:` (the event's kind). */
  readonly event: string;
  /** `data:`; line breaks become several `data:` lines. */
  readonly data: string;
}

/**
 * One event block: `id:`, `event:`, one `data:` line per line of `data`,
 * and the blank line that dispatches it. CR, LF and CRLF all split lines,
 * as the standard's parser does, so a multi-line XML body arrives intact
 * (joined with LF).
 *
 * @example
 * ```ts
 * sseEvent({ id: 7, event: "message", data: '{"kind":"message"}' });
 * // 'id: 7\nevent: message\ndata: {"kind":"message"}\n\n'
 * ```
 */
export function sseEvent(event: SseEvent): string {
  const data = event.data.split(/\r\n|\r|\n/).map((line) => `data: ${line}\n`)
    .join("");
  return `id: ${event.id}\nevent: ${oneLine(event.event)}\n${data}\n`;
}

/**
 * A comment block (ignored by clients; keeps the connection alive).
 *
 * @example
 * ```ts
 * sseComment("heartbeat"); // ": heartbeat\n\n"
 * ```
 */
export function sseComment(text: string): string {
  return `: ${oneLine(text)}\n\n`;
}

/** The `retry:` line that sets the client's reconnection delay (put it before a block's end). */
export function sseRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.round(ms))}\n`;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ");
}

/** Where an SSE client resumes, or why its resume point is refused. */
export type ResumePoint =
  | { readonly ok: true; readonly afterId?: number }
  | { readonly ok: false; readonly reason: string };

/**
 * The last event id a client has seen, from the `Last-Event-ID` header (sent
 * by browsers on reconnect) or else the `last_event_id` query parameter
 * (for a first connection, or clients that cannot set headers). Absent or
 * empty: the client starts with new events. Anything but a whole number
 * is refused.
 *
 * @example
 * ```ts
 * resumePoint("41", null); // { ok: true, afterId: 41 }
 * resumePoint(null, "0"); // { ok: true, afterId: 0 } (everything kept)
 * resumePoint(null, null); // { ok: true } (new events only)
 * ```
 */
export function resumePoint(
  header: string | null,
  query: string | null,
): ResumePoint {
  const raw = header !== null && header.trim() !== "" ? header : query;
  if (raw === null || raw.trim() === "") return { ok: true };
  const value = raw.trim();
  if (!/^\d{1,15}$/.test(value)) {
    return {
      ok: false,
      reason: `Last-Event-ID must be an event id (a whole number), got "${
        oneLine(value).slice(0, 40)
      }"`,
    };
  }
  return { ok: true, afterId: Number(value) };
}
