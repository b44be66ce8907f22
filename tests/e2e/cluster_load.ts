// Steady load over several gateway instances (README "Running several instances"): messages and iq pings spread round-robin, every answer classified and counted by the client.

import type { GatewayProcess } from "../support/instances.ts";

/** One request's outcome. */
interface Outcome {
  readonly instance: string;
  readonly kind: "message" | "iq";
  readonly startedAt: number;
  readonly endedAt: number;
  /** HTTP status, or 0 when the connection failed. */
  readonly status: number;
  readonly detail: string;
}

/** What the load saw. */
export interface LoadReport {
  /** Bodies of messages answered 2xx. */
  readonly accepted: ReadonlySet<string>;
  /** Iq pings answered with their own result. */
  readonly iqOk: number;
  /** 503 answers (each with Retry-After). */
  readonly unavailable: number;
  /** Requests to a killed instance whose connection failed (never answered). */
  readonly cut: number;
  /** Everything that breaks the guarantees: other statuses, 503 without Retry-After, iq replies of another iq, failed connections to live instances. */
  readonly violations: readonly string[];
  /** Every outcome, in end order. */
  readonly outcomes: readonly Outcome[];
}

/** Options of {@linkcode startLoad}. */
export interface LoadOptions {
  /** The instances (requests go round-robin). */
  readonly instances: readonly GatewayProcess[];
  /** Full JID that receives the messages. */
  readonly recipient: string;
  /** Address the iq pings go to (the server's domain). */
  readonly pingTo: string;
  /** Concurrent clients. Default 4. */
  readonly clients?: number;
  /** Pause between two requests of one client, ms. Default 25. */
  readonly pauseMs?: number;
  /** Most requests in all. Default 5000. */
  readonly maxRequests?: number;
}

/** A running load; `stop()` waits for the requests in flight and reports. */
export interface Load {
  /** Marks an instance as killed on purpose: its failed connections count as cut, not as violations. */
  killed(id: string): void;
  /** Outcomes so far. */
  readonly outcomes: readonly Outcome[];
  /** Stops and reports. */
  stop(): Promise<LoadReport>;
}

/** Starts the load. */
export function startLoad(options: LoadOptions): Load {
  const clients = options.clients ?? 4;
  const pauseMs = options.pauseMs ?? 25;
  const maxRequests = options.maxRequests ?? 5_000;
  const killed = new Set<string>();
  const outcomes: Outcome[] = [];
  const accepted = new Set<string>();
  const violations: string[] = [];
  let iqOk = 0;
  let unavailable = 0;
  let cut = 0;
  let n = 0;
  let running = true;

  async function one(): Promise<void> {
    const seq = ++n;
    const instance = options.instances[seq % options.instances.length];
    const kind = seq % 2 === 0 ? "message" : "iq";
    const id = `load-${seq}`;
    const body = kind === "message"
      ? { kind, type: "chat", to: options.recipient, id, body: id }
      : { kind, type: "get", to: options.pingTo, id, ping: true };
    const startedAt = performance.now();
    let status = 0;
    let detail = "";
    try {
      const response = await instance.fetch("/rest", {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      status = response.status;
      const text = await response.text();
      detail = text.slice(0, 300);
      if (status === 503) {
        unavailable++;
        if (!response.headers.get("Retry-After")) {
          violations.push(
            `${instance.id} ${kind} ${id}: 503 without Retry-After`,
          );
        }
      } else if (kind === "message" && status >= 200 && status < 300) {
        accepted.add(id);
      } else if (kind === "iq" && status === 200) {
        const reply = JSON.parse(text);
        if (reply.id === id && reply.type === "result") iqOk++;
        else violations.push(`${instance.id} iq ${id}: got ${text}`);
      } else {
        violations.push(`${instance.id} ${kind} ${id}: HTTP ${status} ${text}`);
      }
    } catch (error) {
      detail = String(error);
      if (killed.has(instance.id)) cut++;
      else violations.push(`${instance.id} ${kind} ${id}: ${detail}`);
    }
    outcomes.push({
      instance: instance.id,
      kind,
      startedAt,
      endedAt: performance.now(),
      status,
      detail,
    });
  }

  async function client(): Promise<void> {
    while (running && n < maxRequests) {
      await one();
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  const done = Promise.all(Array.from({ length: clients }, client));
  return {
    killed: (id) => killed.add(id),
    outcomes,
    async stop() {
      running = false;
      await done;
      return { accepted, iqOk, unavailable, cut, violations, outcomes };
    },
  };
}

/** Ms from `since` until the first iq ping that started after it and succeeded (undefined: none). */
export function recoveredAfter(
  outcomes: readonly Outcome[],
  since: number,
): number | undefined {
  const ok = outcomes.filter((o) =>
    o.kind === "iq" && o.status === 200 && o.startedAt >= since
  ).map((o) => o.endedAt);
  return ok.length === 0 ? undefined : Math.min(...ok) - since;
}

/** What {@linkcode startedSince} counts: every request, or only those that succeeded of one kind. */
export type Counted = "all" | "ok-iq" | "ok-message";

/** Requests started after `since` (`performance.now()`) that `count` selects. */
export function startedSince(
  outcomes: readonly Outcome[],
  since: number,
  count: Counted = "all",
): number {
  return outcomes.filter((o) =>
    o.startedAt >= since &&
    (count === "all" ||
      (count === "ok-iq"
        ? o.kind === "iq" && o.status === 200
        : o.kind === "message" && o.status >= 200 && o.status < 300))
  ).length;
}
