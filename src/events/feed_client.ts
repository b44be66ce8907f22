// One SSE client of the feed (src/events/feed.ts): its position in the log, its state and where its bytes go, in one record.

import type { EventFormat } from "./encode.ts";
import type { PushEvents } from "../http/push.ts";
import type { Outlet } from "./outlet.ts";

/** What a client calls back into its feed: one object per feed, shared by its clients. */
export interface FeedHub {
  /** Sends the client what it may take now. */
  pump(client: Client): void;
  /** Forgets the client. */
  drop(client: Client): void;
}

/**
 * One connected client, the feed's only record of it; for a push client
 * it is also what the engine tells of drains and a leaving client (no
 * closures per client: README "Performance").
 */
export class Client implements PushEvents {
  /** The next event id to send. */
  nextId: number;
  /** Resolves a stream client's wait for new events. */
  wake?: () => void;
  /** A push client with nothing to send, waiting for new events. */
  waiting = false;
  /** Its pump is running. */
  pumping = false;
  /** The client took bytes since the last heartbeat. */
  pulled = true;
  /** Dropped: nothing more is sent. */
  gone = false;

  /** A client at `nextId`, writing to `out`. */
  constructor(
    readonly hub: FeedHub,
    readonly format: EventFormat,
    nextId: number,
    readonly out: Outlet,
    readonly push: boolean,
  ) {
    this.nextId = nextId;
  }

  /** The engine wrote everything queued: send more (a caught-up client waits for the next fan-out). */
  drained(): void {
    this.pulled = true;
    if (!this.waiting) this.hub.pump(this);
  }

  /** The client left. */
  closed(): void {
    this.hub.drop(this);
  }
}
