// XEP-0114 section 3 transport: the TCP shell around a component stream (the only file that dials).

import type { HostPort } from "../address.ts";

/**
 * A connected byte stream; `Deno.TcpConn` is one, tests use in-memory
 * pipes. When it has `read` and `write` (as a `Deno.Conn` has), those are
 * used instead of the streams: a stream reader and writer cost more CPU per
 * stanza than the socket calls they wrap.
 */
export interface ComponentSocket {
  /** Bytes from the server. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the server. */
  readonly writable: WritableStream<Uint8Array>;
  /** Reads into `buffer`: the number of bytes read, or null at the end (`Deno.Conn.read`). */
  read?(buffer: Uint8Array): Promise<number | null>;
  /** Writes some of `bytes`: the number written (`Deno.Conn.write`). */
  write?(bytes: Uint8Array): Promise<number>;
  /** Closes both directions at once. */
  close(): void;
}

/** Opens a socket to the server; inject one to test without TCP. */
export type Dial = (address: HostPort) => Promise<ComponentSocket>;

/**
 * The default {@linkcode Dial}: a plain TCP connection with `Deno.connect`
 * (XEP-0114 has no TLS; keep the component port on loopback or a private
 * network). Nagle's algorithm is off: stanzas are small and an iq waits
 * for its reply, so delayed ACKs would add ~40 ms per round trip.
 */
export const dialTcp: Dial = async (address) => {
  const conn = await Deno.connect({
    hostname: address.hostname,
    port: address.port,
    transport: "tcp",
  });
  conn.setNoDelay(true);
  return conn;
};

/** Callbacks of a {@linkcode Connection}; never called after `close()`. */
export interface ConnectionHandlers {
  /** Bytes arrived; the view is valid only during the call (the read buffer is reused). */
  onData(chunk: Uint8Array): void;
  /** The socket ended (no error) or failed. */
  onClose(error?: unknown): void;
}

/** Timer functions, injectable for tests; the handle type is the implementation's own. */
export interface Timers {
  /** Like `globalThis.setTimeout`; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Like `globalThis.clearTimeout`. */
  clearTimeout(handle: unknown): void;
}

/** The global timers. */
export const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) =>
    clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const encoder = new TextEncoder();

/** Bytes of the read buffer, reused for every read. */
const READ_BUFFER = 16 * 1024;
/** Bytes of the encode buffer a connection starts with (most batches fit). */
const OUT_BUFFER = 4096;
/** A grown encode buffer larger than this is dropped after its write. */
const MAX_KEPT_OUT = 64 * 1024;
/**
 * UTF-16 units of text one socket write takes at most (the first stanza
 * always goes, however large): a deep queue is written in slices, so the
 * encode buffer stays small and room is made as each slice goes out.
 */
export const MAX_BATCH_UNITS = 256 * 1024;

/** The two socket calls a {@linkcode Connection} makes. */
interface ByteIo {
  /** The next bytes (a view valid until the next call), or null at the end. */
  read(): Promise<Uint8Array | null>;
  /** Writes all of `bytes`. */
  writeAll(bytes: Uint8Array): Promise<void>;
  /** Lets go of the stream reader, if any. */
  release(): void;
}

/** Direct `read`/`write` calls into one reused buffer (a `Deno.Conn`). */
function directIo(
  socket: ComponentSocket & Required<Pick<ComponentSocket, "read" | "write">>,
): ByteIo {
  const buffer = new Uint8Array(READ_BUFFER);
  return {
    async read() {
      const n = await socket.read(buffer);
      return n === null ? null : buffer.subarray(0, n);
    },
    async writeAll(bytes) {
      for (let at = 0; at < bytes.byteLength;) {
        at += await socket.write(at === 0 ? bytes : bytes.subarray(at));
      }
    },
    release() {},
  };
}

/** The socket's streams (in-memory pipes, wrapped sockets). */
function streamIo(socket: ComponentSocket): ByteIo {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const writer = socket.writable.getWriter();
  return {
    async read() {
      reader ??= socket.readable.getReader();
      const { value, done } = await reader.read();
      return done ? null : value;
    },
    writeAll: (bytes) => writer.write(bytes),
    release: () => reader?.releaseLock(),
  };
}

/** The cheapest way to talk to `socket`. */
function ioOf(socket: ComponentSocket): ByteIo {
  return typeof socket.read === "function" &&
      typeof socket.write === "function"
    ? directIo(socket as Parameters<typeof directIo>[0])
    : streamIo(socket);
}

/** Grows `buffer` to hold at least `n` bytes (twice as much, so growth is rare). */
function atLeast(
  buffer: Uint8Array<ArrayBuffer>,
  n: number,
): Uint8Array<ArrayBuffer> {
  return buffer.byteLength >= n ? buffer : new Uint8Array(n * 2);
}

/**
 * Pumps one socket: a read loop feeding `onData`, and an ordered write
 * queue that coalesces pending writes. `queued` counts writes not yet
 * accepted by the socket, so callers can apply backpressure.
 */
export class Connection {
  #socket: ComponentSocket;
  #handlers: ConnectionHandlers;
  #timers: Timers;
  #io: ByteIo;
  /** Encoded batches go here (reused: one write is in flight at a time). */
  #out: Uint8Array<ArrayBuffer> = new Uint8Array(OUT_BUFFER);
  #queue: string[] = [];
  /** Index of the first unwritten entry of `#queue`. */
  #head = 0;
  #inFlight = 0;
  /** UTF-16 code units of the text in `#queue`, and of the batch being written. */
  #queueUnits = 0;
  #inFlightUnits = 0;
  #writing = false;
  #scheduled = false;
  #closeRequested = false;
  #closed = false;
  #closeGraceMs: number;
  #graceTimer: unknown;
  /** Told when a batch is out (or the connection ends): room may have come. */
  #roomWaiters: (() => void)[] = [];

  /** Starts reading from `socket` at once. */
  constructor(
    socket: ComponentSocket,
    handlers: ConnectionHandlers,
    options: { timers?: Timers; closeGraceMs?: number } = {},
  ) {
    this.#socket = socket;
    this.#handlers = handlers;
    this.#timers = options.timers ?? realTimers;
    this.#closeGraceMs = options.closeGraceMs ?? 1000;
    this.#io = ioOf(socket);
    this.#readLoop();
  }

  /** Writes not yet accepted by the socket. */
  get queued(): number {
    return this.#queue.length - this.#head + this.#inFlight;
  }

  /** Size of those writes, in UTF-16 code units of their text (about bytes for ASCII XML). */
  get queuedUnits(): number {
    return this.#queueUnits + this.#inFlightUnits;
  }

  /**
   * Resolves when the socket has taken the batch being written, the
   * connection ends, or `timeoutMs` has passed, whichever comes first.
   */
  whenRoom(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const waiter = () => {
        this.#timers.clearTimeout(timer);
        resolve();
      };
      const timer = this.#timers.setTimeout(() => {
        this.#roomWaiters = this.#roomWaiters.filter((w) => w !== waiter);
        resolve();
      }, timeoutMs);
      this.#roomWaiters.push(waiter);
    });
  }

  #roomMade(): void {
    if (this.#roomWaiters.length === 0) return;
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Queues text for writing; ignored once the connection is closing.
   * Text queued in the same turn (many HTTP requests at once) is encoded
   * and written together, in one socket write.
   */
  write(data: string): void {
    if (this.#closeRequested) return;
    this.#queue.push(data);
    this.#queueUnits += data.length;
    if (this.#writing || this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  /**
   * Closes the socket once queued writes are out (or after a short grace
   * period if the peer does not read). No callbacks fire afterwards.
   */
  close(): void {
    if (this.#closeRequested) return;
    this.#closeRequested = true;
    if (!this.#writing && !this.#scheduled) return this.#shut();
    this.#graceTimer = this.#timers.setTimeout(
      () => this.#shut(),
      this.#closeGraceMs,
    );
  }

  async #readLoop(): Promise<void> {
    let failure: unknown;
    try {
      for (;;) {
        const chunk = await this.#io.read();
        if (chunk === null || this.#closed) break;
        if (!this.#closeRequested) this.#handlers.onData(chunk);
      }
    } catch (error) {
      failure = error;
    } finally {
      this.#io.release();
    }
    this.#ended(failure);
  }

  async #flush(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#head < this.#queue.length && !this.#closed) {
        const batch = this.#nextBatch();
        this.#inFlight = batch.length;
        await this.#io.writeAll(this.#encode(batch));
        // A large stanza grew the buffer: not kept for the small ones after it.
        if (this.#out.byteLength > MAX_KEPT_OUT) {
          this.#out = new Uint8Array(OUT_BUFFER);
        }
        this.#inFlight = 0;
        this.#inFlightUnits = 0;
        this.#roomMade();
      }
    } catch (error) {
      this.#inFlight = this.#inFlightUnits = this.#queueUnits = 0;
      this.#queue = [];
      this.#head = 0;
      this.#ended(error);
    } finally {
      this.#writing = false;
    }
    if (this.#closeRequested) this.#shut();
  }

  /** Takes the next slice of the queue, up to {@linkcode MAX_BATCH_UNITS}; its units move to in flight. */
  #nextBatch(): string[] {
    const queue = this.#queue;
    let end = this.#head;
    let units = 0;
    do units += queue[end++].length; while (
      end < queue.length && units + queue[end].length <= MAX_BATCH_UNITS
    );
    const batch = this.#head === 0 && end === queue.length
      ? queue
      : queue.slice(this.#head, end);
    if (end === queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (end * 2 > queue.length) {
      // Mostly written: keep only what waits, so written text is not held.
      this.#queue = queue.slice(end);
      this.#head = 0;
    } else this.#head = end;
    this.#inFlightUnits = units;
    this.#queueUnits -= units;
    return batch;
  }

  /** The batch as UTF-8 in the reused output buffer (a view of it). */
  #encode(batch: string[]): Uint8Array {
    const text = batch.length === 1 ? batch[0] : batch.join("");
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.#out = atLeast(this.#out, text.length * 3);
    const { written } = encoder.encodeInto(text, this.#out);
    return this.#out.subarray(0, written);
  }

  #ended(error?: unknown): void {
    const report = !this.#closeRequested && !this.#closed;
    this.#shut();
    if (report) this.#handlers.onClose(error);
  }

  #shut(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeRequested = true;
    if (this.#graceTimer !== undefined) {
      this.#timers.clearTimeout(this.#graceTimer);
    }
    this.#queue = [];
    this.#head = 0;
    this.#queueUnits = 0;
    this.#roomMade();
    try {
      this.#socket.close();
    } catch {
      // Already closed by the peer.
    }
  }
}
