// The SSE feed (HTML Living Standard section 9.2): one reader of the event log fanning out to every connected client, each with a bounded buffer.

import type { EventStore, StoredEvent } from "../store/types.ts";
import { realTimers, type Timers } from "../component/connection.ts";
import { type Logger, silentLogger } from "../logger.ts";
import { encodeEvent, type EventFormat } from "./encode.ts";
import { SSE_DEFAULTS, sseComment, sseEvent, sseRetry } from "./sse.ts";
import type { PushSource } from "../http/push.ts";
import { type Outlet, SinkOutlet, StreamOutlet } from "./outlet.ts";
import { concatBytes } from "../wire/read.ts";

/** Options of {@linkcode EventFeed}. */
export interface EventFeedOptions {
  /** The event log. */
  readonly store: EventStore;
  /** Comment heartbeat interval, ms. Default 15 s. */
  readonly heartbeatMs?: number;
  /** Bytes a client may leave unread; a client whose buffer stays full for a heartbeat interval is cut off. Default 256 KiB. */
  readonly clientBufferBytes?: number;
  /** `retry:` sent on connect, ms. Default 3 s. */
  readonly retryMs?: number;
  /** Recent events kept encoded for all clients. Default 1024. */
  readonly cacheSize?: number;
  /** Timer functions. Default: the global ones. */
  readonly timers?: Timers;
  /** Log sink. Default silent. */
  readonly logger?: Logger;
}

/** Where a new client starts. */
export interface FeedSubscription {
  /** Send events with ids above this; absent: only events appended from now on. */
  readonly afterId?: number;
  /** Body format of `data:`. */
  readonly format: EventFormat;
}

const encoder = new TextEncoder();
const BATCH = 100;

interface Cached {
  readonly event: StoredEvent;
  json?: Uint8Array;
  xml?: Uint8Array;
}

interface Client {
  readonly format: EventFormat;
  nextId: number;
  out: Outlet;
  /** Resolves a stream client's wait for new events. */
  wake?: () => void;
  /** A push client with nothing to send, waiting for new events. */
  waiting: boolean;
  pumping: boolean;
  readonly push: boolean;
  pulled: boolean;
  closed: boolean;
}

/**
 * Streams the event log to SSE clients. Recent events are read from the
 * store once and encoded once per format, whatever the number of clients;
 * a client that lags (a resume, a slow reader) reads older events from
 * the store itself. Each client's unread bytes are bounded: a client that
 * reads nothing while its buffer is full for a heartbeat interval is
 * disconnected and can resume with `Last-Event-ID`.
 */
export class EventFeed {
  #store: EventStore;
  #timers: Timers;
  #logger: Logger;
  #heartbeatMs: number;
  #bufferBytes: number;
  #retryMs: number;
  #cacheSize: number;
  #cache = new Map<number, Cached>();
  #cachedUpTo = 0;
  #lastId = 0;
  #refreshing?: Promise<void>;
  #clients = new Set<Client>();
  #waiters = new Set<() => void>();
  #heartbeat: unknown;
  #unwatch: () => void;
  #closed = false;
  #greeting: Uint8Array;
  #strategy: QueuingStrategy<Uint8Array>;

  /** Starts watching the store. */
  constructor(options: EventFeedOptions) {
    this.#store = options.store;
    this.#timers = options.timers ?? realTimers;
    this.#logger = options.logger ?? silentLogger;
    this.#heartbeatMs = options.heartbeatMs ?? SSE_DEFAULTS.heartbeatMs;
    this.#bufferBytes = options.clientBufferBytes ??
      SSE_DEFAULTS.clientBufferBytes;
    this.#retryMs = options.retryMs ?? SSE_DEFAULTS.retryMs;
    this.#cacheSize = options.cacheSize ?? 1024;
    this.#unwatch = this.#store.watch((lastId) => this.#appended(lastId));
    // Shared by every client (memory per client counts: README "Performance").
    this.#greeting = encoder.encode(
      sseRetry(this.#retryMs) + sseComment("connected"),
    );
    this.#strategy = { highWaterMark: this.#bufferBytes, size: byteLength };
  }

  /** Connected clients. */
  get clients(): number {
    return this.#clients.size;
  }

  /**
   * Resolves once an event with id >= `fromId` exists, or after `ms`
   * (long polling); true when there is one.
   */
  async waitFor(fromId: number, ms: number): Promise<boolean> {
    if (this.#lastId < fromId) this.#lastId = await this.#store.lastId();
    if (this.#lastId >= fromId) return true;
    if (ms <= 0 || this.#closed) return false;
    return new Promise((resolve) => {
      const done = (found: boolean) => {
        this.#timers.clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(found);
      };
      const check = () => {
        if (this.#closed) done(false);
        else if (this.#lastId >= fromId) done(true);
      };
      const timer = this.#timers.setTimeout(() => done(false), ms);
      this.#waiters.add(check);
    });
  }

  /** Opens a client's `text/event-stream` body. */
  async subscribe(
    subscription: FeedSubscription,
  ): Promise<ReadableStream<Uint8Array>> {
    const nextId = await this.#firstId(subscription);
    let client!: Client;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        client = this.#attach(
          subscription,
          nextId,
          new StreamOutlet(controller),
          false,
        );
      },
      pull: () => this.#pump(client),
      cancel: () => this.#drop(client),
    }, this.#strategy);
    return stream;
  }

  /**
   * Opens a client's `text/event-stream` body as a push source (for an
   * engine that writes it straight to the connection: no stream, reader
   * or pending read per client).
   */
  async subscribePush(subscription: FeedSubscription): Promise<PushSource> {
    const nextId = await this.#firstId(subscription);
    return (sink) => {
      const client = this.#attach(
        subscription,
        nextId,
        new SinkOutlet(sink, this.#bufferBytes),
        true,
      );
      if (!client.closed) void this.#pump(client);
      return {
        drained: () => void this.#pump(client),
        closed: () => this.#drop(client),
      };
    };
  }

  async #firstId(subscription: FeedSubscription): Promise<number> {
    const last = await this.#store.lastId();
    this.#lastId = Math.max(this.#lastId, last);
    return (subscription.afterId ?? last) + 1;
  }

  #attach(
    subscription: FeedSubscription,
    nextId: number,
    out: Outlet,
    push: boolean,
  ): Client {
    const client: Client = {
      format: subscription.format,
      nextId,
      out,
      waiting: false,
      pumping: false,
      push,
      pulled: true,
      closed: false,
    };
    out.send(this.#greeting);
    if (this.#closed) {
      this.#end(client);
      return client;
    }
    this.#clients.add(client);
    this.#ensureHeartbeat();
    return client;
  }

  /** Ends every client stream and stops watching the store. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unwatch();
    this.#timers.clearTimeout(this.#heartbeat);
    for (const client of [...this.#clients]) this.#end(client);
    for (const waiter of [...this.#waiters]) waiter();
  }

  #appended(lastId: number): void {
    if (lastId <= this.#lastId) return;
    this.#lastId = lastId;
    for (const waiter of [...this.#waiters]) waiter();
    for (const client of this.#clients) {
      if (client.wake) client.wake();
      else if (client.waiting) {
        client.waiting = false;
        void this.#pump(client);
      }
    }
  }

  /** Fills a client's buffer from `nextId` while there is room and there are events. */
  async #pump(client: Client): Promise<void> {
    client.pulled = true;
    if (client.pumping) return;
    client.pumping = true;
    try {
      await this.#fill(client);
    } finally {
      client.pumping = false;
    }
  }

  async #fill(client: Client): Promise<void> {
    while (!client.closed) {
      const seen = this.#lastId;
      const events = await this.#read(client.nextId);
      if (client.closed) return;
      if (events.length === 0) {
        if (this.#lastId > seen) continue; // appended meanwhile
        if (client.push) {
          client.waiting = true; // #appended pumps again
          return;
        }
        await new Promise<void>((resolve) => client.wake = resolve);
        client.wake = undefined;
        continue;
      }
      // One chunk (one write) per batch; never more than the buffer plus
      // one batch's frames.
      const frames: Uint8Array[] = [];
      let room = client.out.room();
      for (const cached of events) {
        const frame = this.#frame(cached, client.format);
        frames.push(frame);
        client.nextId = cached.event.id + 1;
        room -= frame.byteLength;
        if (room <= 0) break;
      }
      client.out.send(frames.length === 1 ? frames[0] : concatBytes(frames));
      if (client.out.room() <= 0) return;
    }
  }

  async #read(fromId: number): Promise<Cached[]> {
    if (fromId > this.#lastId) return [];
    if (fromId > this.#cachedUpTo) await this.#refresh();
    if (this.#cache.has(fromId)) {
      const out: Cached[] = [];
      for (let id = fromId; out.length < BATCH; id++) {
        const cached = this.#cache.get(id);
        if (cached === undefined) break;
        out.push(cached);
      }
      return out;
    }
    // Older than the cache (a resume from far back): straight from the store.
    const events = await this.#store.read(fromId, BATCH);
    return events.map((event) => ({ event }));
  }

  /** Reads newly appended events once for all clients. */
  #refresh(): Promise<void> {
    this.#refreshing ??= (async () => {
      try {
        for (;;) {
          const from = Math.max(this.#cachedUpTo + 1, 1);
          const events = await this.#store.read(from, BATCH * 10);
          if (events.length === 0) break;
          for (const event of events) this.#cache.set(event.id, { event });
          this.#cachedUpTo = events[events.length - 1].id;
          this.#lastId = Math.max(this.#lastId, this.#cachedUpTo);
          for (const id of this.#cache.keys()) {
            if (this.#cache.size <= this.#cacheSize) break;
            this.#cache.delete(id);
          }
          if (events.length < BATCH * 10) break;
        }
      } catch (error) {
        this.#logger.warn("Cannot read events for SSE clients", {
          error: String(error),
        });
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  #frame(cached: Cached, format: EventFormat): Uint8Array {
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

  #ensureHeartbeat(): void {
    if (this.#heartbeat !== undefined || this.#closed) return;
    this.#heartbeat = this.#timers.setTimeout(() => {
      this.#heartbeat = undefined;
      this.#beat();
      if (this.#clients.size > 0) this.#ensureHeartbeat();
    }, this.#heartbeatMs);
  }

  #beat(): void {
    const beat = encoder.encode(sseComment("heartbeat"));
    for (const client of [...this.#clients]) {
      const full = client.out.room() <= 0;
      if (full && !client.pulled) {
        this.#logger.info("SSE client cut off: it did not read", {
          buffered: this.#bufferBytes,
          next: client.nextId,
        });
        this.#end(client, new Error("SSE client did not read"));
        continue;
      }
      client.pulled = false;
      if (!full) client.out.send(beat);
    }
  }

  #end(client: Client, error?: Error): void {
    if (client.closed) return;
    this.#drop(client);
    try {
      client.out.end(error);
    } catch {
      // already closed by the other side
    }
  }

  #drop(client: Client): void {
    client.closed = true;
    this.#clients.delete(client);
    client.wake?.();
  }
}

function byteLength(chunk: Uint8Array): number {
  return chunk.byteLength;
}
