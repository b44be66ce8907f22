// The event store behind durable receiving (README "Receiving you can trust"): one interface, several back-ends (memory, SQLite, PostgreSQL).
//
// Every method is async so that a networked back-end fits; the embedded
// ones may resolve at once. Times are milliseconds since the Unix epoch and
// always come from the caller (`now`), so that the store itself holds no
// clock and tests control time.

/** Stanza kinds that become events. */
export type EventKind = "message" | "presence" | "iq";

/** One inbound stanza as it is appended to the log. */
export interface NewEvent {
  /** When the gateway read it from the component stream (ms since epoch). */
  readonly receivedAt: number;
  /** The stanza's element name. */
  readonly kind: EventKind;
  /** The stanza's `from` as received ("" when absent). */
  readonly from: string;
  /** The stanza's `to` as received ("" when absent). */
  readonly to: string;
  /**
   * Events with the same key are delivered in order, one at a time: the
   * sender's bare JID and the recipient (see `conversationKey()` in
   * `src/inbound/`).
   */
  readonly conversation: string;
  /** The stanza serialized as XML (default namespace `jabber:client`). */
  readonly stanza: string;
}

/** An event in the log: its id is monotonic per store, starting at 1. */
export interface StoredEvent extends NewEvent {
  /** Position in the log; ids only grow. */
  readonly id: number;
}

/** What an append also records. */
export interface AppendOptions {
  /**
   * Push consumers (for example `"webhook"`) that get a pending delivery
   * for each appended event, in the same transaction.
   */
  readonly deliverTo?: readonly string[];
  /** Inbound de-duplication (README "Running several instances"): see {@linkcode AppendDedupe}. */
  readonly dedupe?: AppendDedupe;
}

/**
 * De-duplication of re-sent stanzas: an event whose key was recorded by an
 * append at or after `since` (its `receivedAt`) is not stored again; the
 * append answers it with the first copy's id and `duplicate` set. Keys are
 * kept, shared by every instance on the store, until pruned.
 */
export interface AppendDedupe {
  /** One key per appended event, same order (`undefined`: never a duplicate). */
  readonly keys: readonly (string | undefined)[];
  /** Keys recorded before this time (ms since epoch) no longer count. */
  readonly since: number;
}

/** An event as an append answers it. */
export interface AppendedEvent extends StoredEvent {
  /**
   * Set when the event repeats one already in the store (or earlier in
   * the same append): nothing was stored and `id` is the first copy's.
   * `delivered` is true when no delivery of the first copy to the
   * append's `deliverTo` consumers is pending or dead.
   */
  readonly duplicate?: { readonly delivered: boolean };
}

/** Why one delivery attempt failed, as an operator reads it. */
export interface AttemptError {
  /** When the attempt ended. */
  readonly at: number;
  /** The HTTP status, when there was a response. */
  readonly status?: number;
  /** A short reason: "connection refused", "timed out after 30 s", "HTTP 503", ... */
  readonly reason: string;
}

/** A delivery that a consumer has claimed and must settle. */
export interface Delivery {
  /** The event to deliver. */
  readonly event: StoredEvent;
  /** Attempts made before this one. */
  readonly attempts: number;
  /** The error of the previous attempt, if any. */
  readonly lastError?: AttemptError;
}

/** Options of {@linkcode EventStore.claimDeliveries}. */
export interface ClaimOptions {
  /** The current time. */
  readonly now: number;
  /** Most deliveries returned. */
  readonly limit: number;
  /** Who claims (an instance id); a live claim of another owner is skipped. */
  readonly owner: string;
  /** How long the claim holds; after that the delivery can be claimed again (at least once). */
  readonly leaseMs: number;
}

/** How a claimed delivery ended. */
export type DeliverySettlement =
  | { readonly outcome: "delivered"; readonly at: number }
  | {
    readonly outcome: "retry";
    /** When the next attempt is due. */
    readonly dueAt: number;
    readonly error: AttemptError;
  }
  | { readonly outcome: "dead"; readonly error: AttemptError };

/** A delivery that ran out of retries (or was refused for good). */
export interface DeadLetter {
  /** The event. */
  readonly event: StoredEvent;
  /** Attempts made. */
  readonly attempts: number;
  /** Why the last one failed. */
  readonly lastError: AttemptError;
}

/** Counts for a push consumer's status. */
export interface DeliveryStats {
  /** Deliveries not yet settled as delivered or dead. */
  readonly pending: number;
  /** Receive time of the oldest pending event. */
  readonly oldestPendingAt?: number;
  /** Dead letters kept. */
  readonly dead: number;
}

/** Which dead letters go back to pending. */
export type RedeliverSelection =
  | { readonly ids: readonly number[] }
  | { readonly since: number };

/** A response kept for an `Idempotency-Key`. */
export interface StoredResponse {
  /** HTTP status. */
  readonly status: number;
  /** Response headers worth replaying (content type, ...). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body text. */
  readonly body: string;
}

/** Result of {@linkcode EventStore.beginIdempotent}. */
export type IdempotencyBegin =
  /** The key is new and now reserved: do the work, then `completeIdempotent`. */
  | { readonly state: "new" }
  /** The first request with this key has not finished. */
  | { readonly state: "in-flight" }
  /** The key was used with another request fingerprint. */
  | { readonly state: "mismatch" }
  /** The first request finished: replay its response. */
  | { readonly state: "done"; readonly response: StoredResponse };

/**
 * Which acknowledgements {@linkcode EventStore.pruneAcknowledged} waits
 * for (README "What is kept, and for how long"). Whatever the scope, an
 * event stays while any pull cursor in the store is at or below its id, and
 * while any push delivery of it is unsettled or dead (a dead letter stays
 * listable and replayable until retention ends).
 */
export interface AckScope {
  /**
   * True while pull consumers are expected: with no pull cursor in the
   * store yet, nothing is deleted, so the first pull gets everything
   * received since start-up. False when only push consumers (the webhook)
   * read the log: an event without an unsettled delivery is done.
   */
  readonly untilFirstPull: boolean;
  /** Most events examined (and so deleted) by one call: keeps each transaction short. */
  readonly limit: number;
  /** Only events with a greater id are examined (default 0: from the start). */
  readonly afterId?: number;
}

/** What one {@linkcode EventStore.pruneAcknowledged} call did. */
export interface AckPruned {
  /** Events deleted. */
  readonly deleted: number;
  /**
   * The highest id examined (0 when none was): every event kept at or
   * below it, above `afterId`, is kept for a pending or dead delivery.
   */
  readonly examinedTo: number;
  /** True when fewer than `limit` events were examined: nothing more to look at now. */
  readonly complete: boolean;
}

/** A pull consumer the store knows (it has pulled at least once). */
export interface PullCursor {
  /** The cursor's name. */
  readonly consumer: string;
  /** Events below this id are acknowledged. */
  readonly offset: number;
}

/** Called after events were appended (by this or, where the back-end can tell, another instance). */
export type AppendListener = (lastId: number) => void;

/**
 * Durable state of the receiving side: the event log, pull cursors, push
 * deliveries with retries and dead letters, and idempotency records.
 * Implementations throw {@linkcode StoreError} when they cannot read or
 * write.
 */
export interface EventStore extends AsyncDisposable {
  /** A short name for logs and `/readyz`: `memory`, `sqlite`, `postgres`. */
  readonly kind: string;

  /**
   * Appends events in one transaction and returns them with their ids, in
   * order (a duplicate under `options.dedupe` with its first copy's id).
   */
  append(
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<readonly AppendedEvent[]>;
  /** Events with `id >= fromId`, in id order, at most `limit`. */
  read(fromId: number, limit: number): Promise<readonly StoredEvent[]>;
  /** The highest id ever appended (0 for an empty log). */
  lastId(): Promise<number>;
  /** Calls `listener` after appends; returns the unsubscribe function. */
  watch(listener: AppendListener): () => void;

  /** The offset a pull consumer acknowledged up to (events below it are done); 0 when unknown. */
  getCursor(consumer: string): Promise<number>;
  /**
   * Moves a pull consumer's cursor forward (never back); creates it when
   * unknown, even at 0 (the consumer now keeps events from pruning).
   */
  setCursor(consumer: string, offset: number): Promise<void>;
  /** Every cursor, by name. */
  listCursors(): Promise<readonly PullCursor[]>;
  /** Forgets a cursor (its consumer no longer keeps events); true when it existed. */
  deleteCursor(consumer: string): Promise<boolean>;

  /**
   * Claims due deliveries of one push consumer: for each conversation at
   * most its oldest unsettled delivery, and only when that one is due and
   * not claimed by a live claim. Ordered by due time, then event id.
   */
  claimDeliveries(
    consumer: string,
    options: ClaimOptions,
  ): Promise<readonly Delivery[]>;
  /** Settles a claimed delivery (attempts grow by one). */
  settleDelivery(
    consumer: string,
    eventId: number,
    settlement: DeliverySettlement,
  ): Promise<void>;
  /** When the next pending delivery of `consumer` is due (undefined: none). */
  nextDueAt(consumer: string): Promise<number | undefined>;
  /** Pending and dead counts of a push consumer. */
  deliveryStats(consumer: string): Promise<DeliveryStats>;
  /** Dead letters of a consumer in event order, from `afterId` (exclusive). */
  listDeadLetters(
    consumer: string,
    options: { readonly afterId?: number; readonly limit: number },
  ): Promise<readonly DeadLetter[]>;
  /** Puts dead letters back to pending, due at `now`, attempts reset; returns how many. */
  redeliver(
    consumer: string,
    selection: RedeliverSelection,
    now: number,
  ): Promise<number>;

  /** Reads a small per-consumer setting (for example `paused`). */
  getSetting(consumer: string, name: string): Promise<string | undefined>;
  /** Writes (or with `undefined` removes) a per-consumer setting. */
  setSetting(
    consumer: string,
    name: string,
    value: string | undefined,
  ): Promise<void>;

  /**
   * Reserves an idempotency key (its scope is part of the key). A record
   * older than `ttlMs` is treated as absent.
   */
  beginIdempotent(
    key: string,
    fingerprint: string,
    options: { readonly now: number; readonly ttlMs: number },
  ): Promise<IdempotencyBegin>;
  /** Stores the finished response of a reserved key. */
  completeIdempotent(key: string, response: StoredResponse): Promise<void>;
  /** Releases a reserved key whose request failed before anything was sent. */
  abandonIdempotent(key: string): Promise<void>;

  /**
   * Deletes events received before `before` (with their deliveries), and
   * idempotency records and de-duplication keys older than that too;
   * returns how many events.
   */
  prune(before: number): Promise<number>;
  /**
   * Examines up to `scope.limit` events above `scope.afterId` and below
   * every pull cursor (see {@linkcode AckScope} for when there is none),
   * oldest first, and deletes those without a pending or dead delivery:
   * the events every consumer is done with. Safe to run on several
   * instances at once.
   */
  pruneAcknowledged(scope: AckScope): Promise<AckPruned>;
  /** How many events are kept now. */
  countEvents(): Promise<number>;
  /** Closes the back-end; later calls throw. */
  close(): Promise<void>;
}

/** The store cannot read or write (disk full, I/O error, connection lost). */
export class StoreError extends Error {
  /** The back-end that failed. */
  readonly store: string;
  /** Creates the error. */
  constructor(store: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreError";
    this.store = store;
  }
}
