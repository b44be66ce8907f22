// Read buffers of the own HTTP/1.1 engine's connections: one size for most requests, reused across connections, none held by a parked push body (README "Performance": memory per held client).

/** Bytes of a new connection's read buffer; it grows for a long head and shrinks back after. */
export const INITIAL_READ_BUFFER = 1024;

/** Held by a connection writing a push body with nothing unread: it reads nothing meanwhile. */
export const NO_BUFFER: Uint8Array<ArrayBuffer> = new Uint8Array(0);

/** While a request waits (long-poll), a read this small notices the peer leaving. */
export const WATCH_BUFFER = 64;

/** Read buffers given back by connections that wait or hold a push body, for the next connections. */
const spare: Uint8Array<ArrayBuffer>[] = [];
const SPARE_BUFFERS = 64;

/** A read buffer of {@linkcode INITIAL_READ_BUFFER} bytes: a spare one when there is one. */
export function takeBuffer(): Uint8Array<ArrayBuffer> {
  return spare.pop() ?? new Uint8Array(INITIAL_READ_BUFFER);
}

/** Gives `buffer` back for reuse; only ones of {@linkcode INITIAL_READ_BUFFER} bytes are kept, a few. */
export function giveBack(buffer: Uint8Array<ArrayBuffer>): void {
  if (
    buffer.byteLength === INITIAL_READ_BUFFER && spare.length < SPARE_BUFFERS
  ) spare.push(buffer);
}
