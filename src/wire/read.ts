// RFC 9110 section 6.4 (content) and RFC 9112 section 6.2 (Content-Length): reading a body with a size cap.

/** A message whose body can be read: a `Request` or a `Response`. */
export interface BodySource {
  /** The message headers (`Content-Length` is read). */
  readonly headers: Headers;
  /** The body stream, or null for none. */
  readonly body: ReadableStream<Uint8Array> | null;
  /** Reads the whole body. */
  bytes(): Promise<Uint8Array>;
  /**
   * True when the whole body is already in memory (the own HTTP/1.1
   * engine's requests): `bytes()` then settles at once, without a stream
   * or a timer.
   */
  readonly bodyInMemory?: boolean;
  /** The whole body at once, when it is in memory (`bodyInMemory`). */
  takeBytes?(): Uint8Array;
}

/** The outcome of {@linkcode readCapped}: the bytes, or why there are none. */
export type CappedRead =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | {
    readonly ok: false;
    /** The body is larger than the cap (declared or as it streamed). */
    readonly reason: "too-large";
    /** The cap, in bytes. */
    readonly limit: number;
  }
  | {
    readonly ok: false;
    /** The body was still incomplete after the timeout. */
    readonly reason: "timeout";
    /** The timeout, in milliseconds. */
    readonly timeoutMs: number;
  };

/**
 * Reads at most `limit` bytes of a request or response body. A larger
 * declared `Content-Length` fails before reading at all; a streamed body
 * fails as soon as more than `limit` bytes have arrived. Either way the
 * rest of the stream is cancelled, never buffered. A body still
 * incomplete after `timeoutMs` (default: no limit) is a `timeout`; its
 * connection should then be closed. Read errors (abort, reset) propagate.
 * A body already in memory with `takeBytes` is read at once, without a
 * promise.
 *
 * @example
 * ```ts
 * await readCapped(new Response("hello"), 3); // { ok: false, reason: "too-large", limit: 3 }
 * await readCapped(new Response("hi"), 3); // { ok: true, bytes: Uint8Array [104, 105] }
 * ```
 */
export function readCapped(
  message: BodySource,
  limit: number,
  timeoutMs = Infinity,
): CappedRead | Promise<CappedRead> {
  if (message.bodyInMemory === true) {
    return message.takeBytes
      ? cappedAt(message.takeBytes(), limit)
      : message.bytes().then((bytes) => cappedAt(bytes, limit));
  }
  const read = readWithin(message, limit);
  return Number.isFinite(timeoutMs) && message.body !== null
    ? beforeDeadline(read, timeoutMs)
    : read;
}

/** Reads waiting for one shared timer: those that began in the same millisecond with the same timeout. */
interface DeadlineGroup {
  readonly key: string;
  readonly waiting: Set<() => void>;
  timer?: ReturnType<typeof setTimeout>;
}

let currentGroup: DeadlineGroup | undefined;

/**
 * `read`, or a `timeout` when it has not settled after `timeoutMs` (at
 * most 1 ms more). Reads that begin in the same millisecond share one
 * timer, cleared once all of them settled: a busy server reads many
 * bodies per event-loop turn, and a timer each cost more than the read.
 */
function beforeDeadline(
  read: Promise<CappedRead>,
  timeoutMs: number,
): Promise<CappedRead> {
  const key = `${Math.floor(performance.now())}/${timeoutMs}`;
  let group = currentGroup;
  if (group?.key !== key) {
    const fresh: DeadlineGroup = { key, waiting: new Set() };
    fresh.timer = setTimeout(() => {
      if (currentGroup === fresh) currentGroup = undefined;
      for (const expire of fresh.waiting) expire();
      fresh.waiting.clear();
    }, timeoutMs + 1);
    group = currentGroup = fresh;
  }
  const shared = group;
  return new Promise<CappedRead>((resolve, reject) => {
    const expire = () => resolve({ ok: false, reason: "timeout", timeoutMs });
    shared.waiting.add(expire);
    const leave = () => {
      if (!shared.waiting.delete(expire) || shared.waiting.size > 0) return;
      clearTimeout(shared.timer);
      if (currentGroup === shared) currentGroup = undefined;
    };
    // It may fail after the deadline, when nobody waits: settling twice is a no-op.
    read.then((value) => {
      leave();
      resolve(value);
    }, (error) => {
      leave();
      reject(error);
    });
  });
}

/** A body already in memory: its bytes, or too large. */
/** `bytes`, or too large for `limit`. */
function cappedAt(bytes: Uint8Array, limit: number): CappedRead {
  return bytes.byteLength > limit
    ? { ok: false, reason: "too-large", limit }
    : { ok: true, bytes };
}

async function readWithin(
  message: BodySource,
  limit: number,
): Promise<CappedRead> {
  const tooLarge = { ok: false, reason: "too-large", limit } as const;
  const declared = message.headers.get("Content-Length");
  if (declared !== null && Number(declared) > limit) {
    await message.body?.cancel().catch(() => {});
    return tooLarge;
  }
  if (message.body === null) return { ok: true, bytes: new Uint8Array(0) };
  if (declared !== null && /^\d+$/.test(declared)) {
    // RFC 9112 section 6.2: the declared length ends the body (Deno.serve
    // and fetch enforce it), so read it in one go: a stream reader costs
    // about as much CPU again as the rest of the HTTP exchange.
    const bytes = await message.bytes();
    return bytes.byteLength > limit ? tooLarge : { ok: true, bytes };
  }
  const reader = message.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        return tooLarge;
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return { ok: true, bytes: concatBytes(chunks) };
}

/**
 * The chunks joined into one buffer (one write, one parse).
 *
 * @example
 * ```ts
 * concatBytes([Uint8Array.of(1), Uint8Array.of(2, 3)]); // Uint8Array [1, 2, 3]
 * ```
 */
export function concatBytes(
  chunks: readonly Uint8Array[],
): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const chunk of chunks) length += chunk.byteLength;
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
