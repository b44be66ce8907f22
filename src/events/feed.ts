// The SSE feed (HTML Living Standard section 9.2): one reader of the event log fanning out to every connected client, each with a bounded buffer.

import type { EventStore } from "../store/types.ts";
import { realTimers, type Timers } from "../component/connection.ts";
import { type Logger, silentLogger } from "../logger.ts";
import type { EventFormat } from "./encode.ts";
import { SSE_DEFAULTS, sseComment, sseRetry } from "./sse.ts";
import type { PushSource } from "../http/push.ts";
import { type Batch, type Cached, frameOf, makeBatch } from "./feed_batch.ts";
import { Client, type FeedHub } from "./feed_client.ts";
import { SinkOutlet, StreamOutlet } from "./outlet.ts";
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
/** Clients a heartbeat writes to per turn of the event loop. */
const BEAT_SLICE = 128;

/**
 * Streams the event log to SSE clients. Recent events are read from the
 * store once and encoded once per format, whatever the number of clients,
 * and a new event goes to every caught-up client in one pass with the
 * same bytes (one batch shared by every client at the same point); a
 * client that lags (a resume, a slow reader) reads older events from the
 * store itself. Each client's unread bytes are bounded: a client that
 * reads nothing while its buffer is full for a heartbeat interval is
 * disconnected and can resume with `Last-Event-ID`. One heartbeat timer
 * serves every client.
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
  #hub: FeedHub = {
    pump: (client) => void this.#pump(client),
    drop: (client) => this.#drop(client),
  };
  /** The last batch made, for the next client at the same point. */
  #batch: Batch = { format: "json", from: 0, to: 0, bytes: new Uint8Array() };

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
    this.#strategy = {
      highWaterMark: this.#bufferBytes,
      size: (chunk) => chunk.byteLength,
    };
  }

  /** Connected clients. */
  get clients(): number {
    return this.#clients.size;
  }

  /** Resolves once an event with id >= `fromId` exists (true), or after `ms` (long polling). */
  async waitFor(fromId: number, ms: number): Promise<boolean> {
    const stored = this.#lastId < fromId ? await this.#store.lastId() : 0;
    // Never back: an append noticed while the store was asked is newer.
    this.#lastId = Math.max(this.#lastId, stored);
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
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        client = this.#attach(
          new Client(
            this.#hub,
            subscription.format,
            nextId,
            new StreamOutlet(controller),
            false,
          ),
        );
      },
      pull: () => this.#pump(client),
      cancel: () => this.#drop(client),
    }, this.#strategy);
  }

  /**
   * Opens a client's `text/event-stream` body as a push source (for an
   * engine that writes it straight to the connection: no stream, reader
   * or pending read per client, and the client record is the source's
   * events receiver).
   */
  async subscribePush(subscription: FeedSubscription): Promise<PushSource> {
    const nextId = await this.#firstId(subscription);
    const { format } = subscription;
    return (sink) => {
      const client = this.#attach(
        new Client(
          this.#hub,
          format,
          nextId,
          new SinkOutlet(sink, this.#bufferBytes),
          true,
        ),
      );
      if (client.gone) return client;
      // Caught up (a new client without a resume point): nothing to read.
      if (nextId > this.#lastId) client.waiting = true;
      else void this.#pump(client);
      return client;
    };
  }

  async #firstId(subscription: FeedSubscription): Promise<number> {
    const last = await this.#store.lastId();
    this.#lastId = Math.max(this.#lastId, last);
    return (subscription.afterId ?? last) + 1;
  }

  #attach(client: Client): Client {
    client.out.send(this.#greeting);
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
    if (this.#clients.size > 0) void this.#fanOut();
  }

  /**
   * New events: read once into the cache, then every waiting push client
   * gets them in this one pass (no promise per client); stream clients
   * and clients the cache cannot serve pump on their own.
   */
  async #fanOut(): Promise<void> {
    if (this.#cachedUpTo < this.#lastId) await this.#refresh();
    this.#clients.forEach(this.#deliver); // no iterator result per client
  }

  /** The fan-out's step for one client (one function for all clients). */
  #deliver = (client: Client): void => {
    if (client.wake) return client.wake();
    if (!client.waiting) return;
    client.waiting = false;
    this.#sendCached(client);
    if (client.gone || client.out.room() <= 0) return;
    if (client.nextId > this.#lastId) client.waiting = true;
    else void this.#pump(client);
  };

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
    while (!client.gone) {
      client.waiting = false;
      this.#sendCached(client);
      if (client.gone || client.out.room() <= 0) return; // drained() pumps on
      const from = client.nextId;
      if (from > this.#lastId) {
        if (client.push) {
          client.waiting = true; // #fanOut sends the next events
          return;
        }
        await new Promise<void>((resolve) => client.wake = resolve);
        client.wake = undefined;
        continue;
      }
      if (from > this.#cachedUpTo) {
        const seen = this.#lastId;
        await this.#refresh();
        if (from > this.#cachedUpTo && this.#lastId === seen) {
          // Not readable now (a store error, logged): wait for the next append.
          this.#lastId = Math.min(this.#lastId, from - 1);
        }
        continue;
      }
      // Older than the cache (a resume from far back): straight from the store.
      const events = await this.#store.read(from, BATCH);
      if (client.gone) return;
      if (events.length === 0) {
        client.nextId = Math.max(from, this.#cachedUpTo + 1);
        continue;
      }
      const frames: Uint8Array[] = [];
      let room = client.out.room();
      for (const event of events) {
        const frame = frameOf({ event }, client.format);
        frames.push(frame);
        client.nextId = event.id + 1;
        room -= frame.byteLength;
        if (room <= 0) break;
      }
      client.out.send(frames.length === 1 ? frames[0] : concatBytes(frames));
    }
  }

  /**
   * Sends the cached events from the client's `nextId` on while it has
   * room, one batch per send; the batch is made once for every client at
   * the same point (the same bytes, so the engine's writes share them).
   */
  #sendCached(client: Client): void {
    const cache = this.#cache;
    for (;;) {
      const from = client.nextId;
      if (client.gone || !cache.has(from)) return;
      const room = client.out.room();
      if (room <= 0) return;
      const batch = this.#batch;
      if (
        batch.from !== from || batch.format !== client.format ||
        batch.bytes.byteLength > room
      ) this.#batch = makeBatch(this.#cache, from, client.format, room, BATCH);
      client.nextId = this.#batch.to;
      client.out.send(this.#batch.bytes);
    }
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

  #ensureHeartbeat(): void {
    if (this.#heartbeat !== undefined || this.#closed) return;
    this.#heartbeat = this.#timers.setTimeout(() => {
      this.#heartbeat = undefined;
      this.#beat();
      if (this.#clients.size > 0) this.#ensureHeartbeat();
    }, this.#heartbeatMs);
  }

  /**
   * One heartbeat for every client (the same bytes); a full client that
   * took nothing since the last one is cut off. The writes go out
   * {@linkcode BEAT_SLICE} clients per turn of the event loop, so a beat
   * never has more than that many writes waiting at once, however many
   * clients there are (memory: README "Performance").
   */
  #beat(): void {
    const beat = encoder.encode(sseComment("heartbeat"));
    const clients = [...this.#clients];
    const slice = (from: number) => {
      const to = Math.min(from + BEAT_SLICE, clients.length);
      for (let i = from; i < to; i++) this.#beatOne(clients[i], beat);
      if (to < clients.length && !this.#closed) {
        this.#timers.setTimeout(() => slice(to), 0);
      }
    };
    slice(0);
  }

  #beatOne(client: Client, beat: Uint8Array): void {
    if (client.gone) return;
    const full = client.out.room() <= 0;
    if (full && !client.pulled) {
      this.#logger.info("SSE client cut off: it did not read", {
        buffered: this.#bufferBytes,
        next: client.nextId,
      });
      return this.#end(client, new Error("SSE client did not read"));
    }
    client.pulled = false;
    if (!full) client.out.send(beat);
  }

  #end(client: Client, error?: Error): void {
    if (client.gone) return;
    this.#drop(client);
    try {
      client.out.end(error);
    } catch {
      // already closed by the other side
    }
  }

  #drop(client: Client): void {
    client.gone = true;
    this.#clients.delete(client);
    client.wake?.();
  }
}
