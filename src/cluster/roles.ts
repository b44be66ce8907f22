// Roles of an instance and the stream decision after each heartbeat (README "Running several instances"), pure.

/**
 * How instances share the XMPP stream of one component domain: `lease`
 * (one instance holds the stream under a lease; Prosody allows one stream
 * per component) or `all` (every instance connects; ejabberd balances
 * several streams, see its `domain_balancing` option).
 */
export const STREAM_MODES = ["lease", "all"] as const;

/** One of {@linkcode STREAM_MODES}. */
export type StreamMode = typeof STREAM_MODES[number];

/**
 * Defaults of several instances: the stream is leased (safe on every
 * server), and a dead holder's lease expires after 5 seconds.
 *
 * @example
 * ```ts
 * CLUSTER_DEFAULTS.leaseExpirySeconds; // 5
 * ```
 */
export const CLUSTER_DEFAULTS: {
  readonly streamMode: StreamMode;
  readonly leaseExpirySeconds: number;
} = { streamMode: "lease", leaseExpirySeconds: 5 };

/**
 * What an instance does: `single` (no shared store), `holder` (holds the
 * stream lease), `standby` (waits for the lease, passes its stanzas to the
 * holder), `active` (connected alongside the others, mode `all`).
 */
export type InstanceRole = typeof INSTANCE_ROLES[number];

/** Every {@linkcode InstanceRole}. */
export const INSTANCE_ROLES = [
  "single",
  "holder",
  "standby",
  "active",
] as const;

/** What {@linkcode streamDecision} looks at. */
export interface StreamSituation {
  /** The stream mode. */
  readonly mode: StreamMode;
  /** Whether the last heartbeat reached the store. */
  readonly heartbeatOk: boolean;
  /** Whether it took or renewed the lease (when it reached the store). */
  readonly holdsLease: boolean;
  /** Milliseconds since the lease was last renewed (Infinity: never). */
  readonly sinceRenewedMs: number;
  /** The lease duration. */
  readonly leaseMs: number;
}

/** `run`: start (or keep) the stream; `stop`: close it; `keep`: leave it as it is. */
export type StreamDecision = "run" | "stop" | "keep";

/**
 * Whether the local stream should run. In mode `all` it always runs. In
 * mode `lease` it runs while the lease is held; when the store cannot be
 * reached it keeps its state until half the lease has passed without a
 * renewal, then stops, well before another instance can take the lease
 * (which needs the full lease to pass on the database's clock).
 *
 * @example
 * ```ts
 * streamDecision({ mode: "lease", heartbeatOk: false, holdsLease: false,
 *   sinceRenewedMs: 3_000, leaseMs: 5_000 }); // "stop"
 * ```
 */
export function streamDecision(situation: StreamSituation): StreamDecision {
  if (situation.mode === "all") return "run";
  if (situation.heartbeatOk) return situation.holdsLease ? "run" : "stop";
  return situation.sinceRenewedMs >= situation.leaseMs / 2 ? "stop" : "keep";
}

/** The role to report for a mode and whether the stream runs here. */
export function roleOf(
  mode: StreamMode | undefined,
  holding: boolean,
): InstanceRole {
  if (mode === undefined) return "single";
  if (mode === "all") return "active";
  return holding ? "holder" : "standby";
}

/** What an instance knows of a peer from one heartbeat (see {@linkcode lostPeers}). */
export interface PeerState {
  /** Random per process start of the peer. */
  readonly incarnation: string;
  /** True while the peer reported its stream online. */
  readonly online: boolean;
}

/**
 * Ids of peers seen before (id to state) whose stream may have been lost
 * since: gone now (heartbeat expired), back as another incarnation
 * (restarted under the same id), or reporting their stream offline after
 * it was online. In mode `all` the server may have routed the reply of
 * any waiting iq to their old stream, where it is lost. A peer gone
 * before it ever reported its stream online counts too: its stream may
 * have come up (and taken replies) between two of its heartbeats.
 *
 * @example
 * ```ts
 * lostPeers(
 *   new Map([["a", { incarnation: "1", online: true }], ["b", { incarnation: "2", online: true }]]),
 *   [{ id: "b", incarnation: "3", online: true }],
 * ); // ["a", "b"]
 * ```
 */
export function lostPeers(
  before: ReadonlyMap<string, PeerState>,
  now: readonly ({ readonly id: string } & PeerState)[],
): string[] {
  const live = new Map(now.map((peer) => [peer.id, peer]));
  return [...before].filter(([id, was]) => {
    const is = live.get(id);
    return is === undefined || is.incarnation !== was.incarnation ||
      (was.online && !is.online);
  }).map(([id]) => id);
}
