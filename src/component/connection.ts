// XEP-0114 section 3 transport: the TCP shell around a component stream (the only file that dials).

import type { HostPort } from "../address.ts";

/** A connected byte stream; `Deno.TcpConn` is one, tests use in-memory pipes. */
export interface ComponentSocket {
  /** Bytes from the server. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the server. */
  readonly writable: WritableStream<Uint8Array>;
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
  /** Bytes arrived. */
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

/**
 * Pumps one socket: a read loop feeding `onData`, and an ordered write
 * queue that coalesces pending writes. `queued` counts writes not yet
 * accepted by the socket, so callers can apply backpressure.
 */
export class Connection {
  #socket: ComponentSocket;
  #handlers: ConnectionHandlers;
  #timers: Timers;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #queue: string[] = [];
  #inFlight = 0;
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
    this.#writer = socket.writable.getWriter();
    this.#readLoop();
  }

  /** Writes not yet accepted by the socket. */
  get queued(): number {
    return this.#queue.length + this.#inFlight;
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
    const reader = this.#socket.readable.getReader();
    let failure: unknown;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || this.#closed) break;
        if (!this.#closeRequested) this.#handlers.onData(value);
      }
    } catch (error) {
      failure = error;
    } finally {
      reader.releaseLock();
    }
    this.#ended(failure);
  }

  async #flush(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const batch = this.#queue;
        this.#queue = [];
        this.#inFlight = batch.length;
        await this.#writer.write(encoder.encode(batch.join("")));
        this.#inFlight = 0;
        this.#roomMade();
      }
    } catch (error) {
      this.#inFlight = 0;
      this.#queue = [];
      this.#ended(error);
    } finally {
      this.#writing = false;
    }
    if (this.#closeRequested) this.#shut();
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
    this.#roomMade();
    try {
      this.#socket.close();
    } catch {
      // Already closed by the peer.
    }
  }
}
