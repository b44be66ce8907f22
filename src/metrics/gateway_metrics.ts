// The gateway's metric families (README "Metrics"): names follow Prometheus naming conventions (https://prometheus.io/docs/practices/naming/).

import {
  Counter,
  type CounterChild,
  DEFAULT_BUCKETS,
  Gauge,
  Histogram,
  type HistogramChild,
  Registry,
} from "./registry.ts";
import { INSTANCE_ROLES, type InstanceRole } from "../cluster/roles.ts";

/** Latency buckets for iq round trips and webhook requests, seconds (iqs may wait minutes). */
export const WAIT_BUCKETS: readonly number[] = [
  ...DEFAULT_BUCKETS,
  30,
  60,
  120,
  300,
];

/** How an iq sent through the REST API ended. */
export type IqOutcome = "result" | "error" | "timeout" | "failed";

/** Component stream states, as the state machine names them. */
export const STREAM_STATES = [
  "closed",
  "connecting",
  "handshaking",
  "online",
  "closing",
  "waiting-to-reconnect",
] as const;

/** What the webhook queue looks like at scrape time (from the event store). */
export interface QueueStats {
  /** Deliveries not yet delivered or dead. */
  readonly pending: number;
  /** Receive time of the oldest pending event, ms since the epoch. */
  readonly oldestPendingAt?: number;
  /** Dead letters kept. */
  readonly dead: number;
  /** The highest event id stored (events stored since the log began). */
  readonly lastEventId: number;
  /** Events kept in the store now (README "What is kept, and for how long"). */
  readonly storedEvents: number;
}

/** Open connections, read at scrape time. */
export interface ConnectionStats {
  /** HTTP connections open (any engine, idle ones included). */
  readonly http: number;
  /** SSE clients connected to `GET /rest/events`. */
  readonly sse: number;
}

/** Process memory as `Deno.memoryUsage()` reports it. */
export interface MemoryUsage {
  /** Resident set size, bytes. */
  readonly rss: number;
  /** V8 heap allocated, bytes. */
  readonly heapTotal: number;
  /** V8 heap used, bytes. */
  readonly heapUsed: number;
  /** Memory of objects outside the V8 heap, bytes. */
  readonly external: number;
}

/** Options of {@linkcode createGatewayMetrics}. */
export interface GatewayMetricsOptions {
  /** The version for `xmpp_rest_build_info`. */
  version: string;
  /** Reads process memory at scrape time. Default: none reported. */
  memoryUsage?: () => MemoryUsage;
  /** Process start, ms since the epoch. */
  startedAt?: number;
  /** Clock for ages, ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

/**
 * Every metric of a gateway, with the cheap operations the hot paths call
 * (one map lookup and a number increment each).
 */
export class GatewayMetrics {
  /** The registry the `/metrics` route writes out. */
  readonly registry: Registry = new Registry();
  readonly #httpRequests: Counter;
  readonly #httpDuration: Histogram;
  readonly #iqDuration: Histogram;
  readonly #iqsPending: CounterChild;
  readonly #streamUp: CounterChild;
  readonly #streamState: Gauge;
  readonly #role: Gauge;
  readonly #reconnects: CounterChild;
  readonly #duplicates: CounterChild;
  readonly #webhookAttempts: Counter;
  readonly #webhookDuration: HistogramChild;
  readonly #queuePending: Gauge;
  readonly #queueOldest: Gauge;
  readonly #deadLetters: Gauge;
  readonly #eventsStored: Gauge;
  readonly #eventsLastId: Gauge;
  readonly #now: () => number;
  #queue?: () => Promise<QueueStats>;
  #connections?: () => ConnectionStats;

  /** Defines the families. */
  constructor(options: GatewayMetricsOptions) {
    const r = this.registry;
    this.#now = options.now ?? Date.now;
    r.add(
      new Gauge("xmpp_rest_build_info", "Version of xmpp-rest (always 1).", [
        "version",
      ]),
    )
      .set(1, options.version);
    this.#httpRequests = r.add(
      new Counter(
        "xmpp_rest_http_requests_total",
        "HTTP requests answered, by route and status code.",
        ["route", "code"],
      ),
    );
    this.#httpDuration = r.add(
      new Histogram(
        "xmpp_rest_http_request_duration_seconds",
        "Time from request to response head, by route.",
        ["route"],
        WAIT_BUCKETS,
      ),
    );
    this.#iqDuration = r.add(
      new Histogram(
        "xmpp_rest_iq_round_trip_seconds",
        "Time from sending an iq to its reply (or timeout), by outcome.",
        ["outcome"],
        WAIT_BUCKETS,
      ),
    );
    this.#iqsPending = r.add(
      new Gauge(
        "xmpp_rest_iqs_pending",
        "Iqs sent over HTTP waiting for their reply.",
      ),
    ).labels();
    this.#streamUp = r.add(
      new Gauge(
        "xmpp_rest_component_up",
        "1 while the XEP-0114 component stream is online.",
      ),
    ).labels();
    this.#streamState = r.add(
      new Gauge(
        "xmpp_rest_component_state",
        "1 for the component stream's current state, 0 for the others.",
        ["state"],
      ),
    );
    for (const state of STREAM_STATES) this.#streamState.set(0, state);
    this.#streamState.set(1, "closed");
    this.#role = r.add(
      new Gauge(
        "xmpp_rest_instance_role",
        '1 for this instance\'s role among several (README "Running several instances"), 0 for the others.',
        ["role"],
      ),
    );
    this.instanceRole("single");
    this.#reconnects = r.add(
      new Counter(
        "xmpp_rest_component_reconnects_total",
        "Times the component stream was lost after being online.",
      ),
    ).labels();
    this.#duplicates = r.add(
      new Counter(
        "xmpp_rest_inbound_duplicates_total",
        "Re-sent messages recognised and not stored again.",
      ),
    ).labels();
    this.#webhookAttempts = r.add(
      new Counter(
        "xmpp_rest_webhook_attempts_total",
        "Webhook requests made, by outcome.",
        ["outcome"],
      ),
    );
    this.#webhookDuration = r.add(
      new Histogram(
        "xmpp_rest_webhook_duration_seconds",
        "Time a webhook request took (until its response or failure).",
        [],
        WAIT_BUCKETS,
      ),
    ).labels();
    this.#queuePending = r.add(
      new Gauge(
        "xmpp_rest_webhook_queue_depth",
        "Stored events waiting for webhook delivery.",
      ),
    );
    this.#queueOldest = r.add(
      new Gauge(
        "xmpp_rest_webhook_oldest_pending_age_seconds",
        "Age of the oldest event waiting for webhook delivery (0 when none).",
      ),
    );
    this.#deadLetters = r.add(
      new Gauge(
        "xmpp_rest_webhook_dead_letters",
        "Webhook deliveries given up and kept as dead letters.",
      ),
    );
    this.#eventsStored = r.add(
      new Gauge(
        "xmpp_rest_events_stored",
        "Events kept in the event store now (until consumed or past retention).",
      ),
    );
    this.#eventsLastId = r.add(
      new Gauge(
        "xmpp_rest_events_last_id",
        "Highest event id in the event store (events stored since it began).",
      ),
    );
    r.collect(async () => {
      if (this.#queue === undefined) return;
      const stats = await this.#queue();
      this.#queuePending.set(stats.pending);
      this.#deadLetters.set(stats.dead);
      this.#eventsStored.set(stats.storedEvents);
      this.#eventsLastId.set(stats.lastEventId);
      this.#queueOldest.set(
        stats.oldestPendingAt === undefined
          ? 0
          : Math.max(0, (this.#now() - stats.oldestPendingAt) / 1000),
      );
    });
    const http = r.add(
      new Gauge("xmpp_rest_http_connections", "HTTP connections open now."),
    ).labels();
    const sse = r.add(
      new Gauge(
        "xmpp_rest_sse_clients",
        "SSE clients connected to GET /rest/events now.",
      ),
    ).labels();
    r.collect(() => {
      const stats = this.#connections?.();
      if (stats === undefined) return;
      http.value = stats.http;
      sse.value = stats.sse;
    });
    this.#addProcess(options);
  }

  #addProcess(options: GatewayMetricsOptions): void {
    const r = this.registry;
    if (options.startedAt !== undefined) {
      r.add(
        new Gauge(
          "process_start_time_seconds",
          "Start time of the process, seconds since the Unix epoch.",
        ),
      )
        .set(options.startedAt / 1000);
    }
    const read = options.memoryUsage;
    if (read === undefined) return;
    const rss = r.add(
      new Gauge(
        "process_resident_memory_bytes",
        "Resident memory size in bytes.",
      ),
    ).labels();
    const heap = r.add(
      new Gauge(
        "xmpp_rest_heap_bytes",
        "JavaScript heap, used and total, in bytes.",
        ["kind"],
      ),
    );
    const external = r.add(
      new Gauge(
        "xmpp_rest_external_memory_bytes",
        "Memory held outside the JavaScript heap, in bytes.",
      ),
    ).labels();
    r.collect(() => {
      const usage = read();
      rss.value = usage.rss;
      heap.set(usage.heapUsed, "used");
      heap.set(usage.heapTotal, "total");
      external.value = usage.external;
    });
  }

  /** Counts one answered HTTP request. */
  httpRequest(route: string, status: number, seconds: number): void {
    this.#httpRequests.labels(route, statusText(status)).value++;
    this.#httpDuration.labels(route).observe(seconds);
  }

  /** An iq went out; call the returned function with its outcome when it ends. */
  iqStarted(): void {
    this.#iqsPending.value++;
  }

  /** An iq started with {@linkcode iqStarted} ended. */
  iqEnded(outcome: IqOutcome, seconds: number): void {
    this.#iqsPending.value--;
    this.#iqDuration.labels(outcome).observe(seconds);
  }

  /** The component stream moved from `previous` to `state`. */
  streamState(state: string, previous: string): void {
    this.#streamState.set(0, previous);
    this.#streamState.set(1, state);
    this.#streamUp.value = state === "online" ? 1 : 0;
    if (previous === "online" && state !== "closing") this.#reconnects.value++;
  }

  /** This instance's role among several changed (`single` when alone). */
  instanceRole(role: InstanceRole): void {
    for (const each of INSTANCE_ROLES) {
      this.#role.set(each === role ? 1 : 0, each);
    }
  }

  /** Counts one re-sent message that was not stored again. */
  inboundDuplicate(): void {
    this.#duplicates.value++;
  }

  /** Counts one webhook request by outcome (`delivered`, `http-error`, `refused`, `timeout`, ...). */
  webhookAttempt(outcome: string, seconds: number): void {
    this.#webhookAttempts.labels(outcome).value++;
    this.#webhookDuration.observe(seconds);
  }

  /** Where open HTTP connections and SSE clients are read at scrape time. */
  setConnectionSource(source: () => ConnectionStats): void {
    this.#connections = source;
  }

  /** Where queue depth, oldest age, dead letters and events stored are read at scrape time. */
  setQueueSource(source: (() => Promise<QueueStats>) | undefined): void {
    this.#queue = source;
  }
}

const STATUS_TEXT: string[] = [];
function statusText(status: number): string {
  return STATUS_TEXT[status] ??= String(status);
}
