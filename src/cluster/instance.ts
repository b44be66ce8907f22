// One gateway instance among several on a shared store (README "Running several instances"): heartbeat and stream lease, outbox drain, iq reply handover.

import type { XmlElement } from "../xml/element.ts";
import { parseXml } from "../xml/parser.ts";
import { serialize } from "../xml/serialize.ts";
import { NS } from "../xmpp/namespaces.ts";
import type { StanzaPort } from "../xmpp/port.ts";
import type { ComponentClient } from "../component/api.ts";
import { IqTracker } from "../component/iq_tracker.ts";
import type { StanzaHandler } from "../inbound/route.ts";
import { inboundRoute } from "../inbound/rules.ts";
import { type Logger, silentLogger } from "../logger.ts";
import type { Coordination, HandoverItem } from "./coordination.ts";
import { ClusterPort } from "./port.ts";
import {
  CLUSTER_DEFAULTS,
  type InstanceRole,
  lostPeers,
  type PeerState,
  roleOf,
  streamDecision,
  type StreamMode,
} from "./roles.ts";

const OUTBOX_BATCH = 100;
const HANDOVER_MAX_AGE_MS = 10 * 60_000;
const MAX_UNSENT_HANDOVERS = 10_000;
const PRUNE_EVERY_TICKS = 60;

/** Options of {@linkcode createInstance}. */
export interface InstanceOptions {
  /** This instance's id (in logs, `/readyz` and the store). */
  readonly instanceId: string;
  /** How the stream is shared. */
  readonly mode: StreamMode;
  /** The shared coordination (lease, heartbeats, outbox, handover). */
  readonly coordination: Coordination;
  /** This instance's component stream; the instance starts and stops it. */
  readonly component: ComponentClient;
  /** Lease duration in ms. Default 5000. */
  readonly leaseMs?: number;
  /** Heartbeat interval in ms. Default a fifth of the lease. */
  readonly renewMs?: number;
  /** Log sink. */
  readonly logger?: Logger;
  /** Told the role when the instance starts and whenever it changes (metrics). */
  readonly onRoleChange?: (role: InstanceRole) => void;
}

/** An instance; `start()` begins its heartbeat. */
export interface Instance {
  /** This instance's id. */
  readonly instanceId: string;
  /** Its current role. */
  readonly role: InstanceRole;
  /** The stream's state as `/readyz` reports it (`held-by-another-instance` on a standby). */
  readonly streamState: string;
  /** Subscribes to notifications and runs the first heartbeat (starting the stream when it should run here). */
  start(): Promise<void>;
  /** The port the REST and webhook layers send through. */
  readonly port: StanzaPort;
  /** Wraps the inbound handler: iq replies go to their request here or are handed over. */
  wrap(handler: StanzaHandler | undefined): StanzaHandler;
  /** Stops the heartbeat; a holder closes its stream, then releases the lease so a standby connects at once. */
  stop(): Promise<void>;
}

/**
 * Creates an instance: once started, a heartbeat every `renewMs` takes or renews the
 * stream lease (mode `lease`) and records whether this instance's stream
 * is online; the stream runs while {@linkcode streamDecision} says so.
 * While the stream is online, queued outbox stanzas are sent on it (woken
 * by NOTIFY, polled on each heartbeat as a safety net).
 */
export function createInstance(options: InstanceOptions): Instance {
  const { coordination, component, mode, instanceId } = options;
  const logger = options.logger ?? silentLogger;
  const leaseMs = options.leaseMs ?? CLUSTER_DEFAULTS.leaseExpirySeconds * 1000;
  const renewMs = options.renewMs ?? Math.max(100, Math.floor(leaseMs / 5));
  const tracker = new IqTracker(component.domain);
  let othersOnline = false;
  let holder: string | undefined;
  /** Peers seen on the last heartbeat. */
  let peers = new Map<string, PeerState>();
  let holding = mode === "all";
  let lastRenewed = -Infinity;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ticks = 0;
  let ticking: Promise<void> | undefined;
  let draining = false;
  let drainAgain = false;

  const port = new ClusterPort({
    local: component,
    coordination,
    othersOnline: () => othersOnline,
    holder: () => holder,
    tracker,
  });

  async function drainOutbox(): Promise<void> {
    if (draining) {
      drainAgain = true;
      return;
    }
    draining = true;
    try {
      do {
        drainAgain = false;
        while (component.online && !stopped) {
          const items = await coordination.claimOutbox(OUTBOX_BATCH, leaseMs);
          if (items.length === 0) break;
          const sent: number[] = [];
          for (const item of items) {
            if (!component.online) break;
            try {
              component.send(
                parseXml(item.stanza, { defaultNamespace: NS.client }),
              );
              sent.push(item.id);
            } catch (error) {
              logger.warn("Cannot send a stanza from the outbox", {
                error: String(error),
              });
              if (!component.online) break;
              sent.push(item.id); // unparsable or refused: never retried
            }
          }
          await coordination.finishOutbox(sent);
        }
      } while (drainAgain && component.online && !stopped);
    } catch (error) {
      logger.warn("Cannot drain the outbox", { error: String(error) });
    } finally {
      draining = false;
    }
  }

  /** Replies to hand over, kept while the store is away (retried on each heartbeat). */
  const unsent: { stanza: string; at: number }[] = [];
  let handing = false;

  async function handOver(): Promise<void> {
    if (handing) return;
    handing = true;
    try {
      while (unsent.length > 0) {
        if (performance.now() - unsent[0].at > HANDOVER_MAX_AGE_MS) {
          unsent.shift();
          continue;
        }
        await coordination.handOver(unsent[0].stanza);
        unsent.shift();
      }
    } catch (error) {
      logger.warn("Cannot hand an iq reply over yet", {
        error: String(error),
        waiting: unsent.length,
      });
    } finally {
      handing = false;
    }
  }

  /** Resolves a local iq with a handed-over reply, removing it once taken. */
  async function takeReply(item: HandoverItem): Promise<void> {
    try {
      const reply = parseXml(item.stanza, { defaultNamespace: NS.client });
      if (tracker.resolve(reply)) await coordination.takeHandover(item.id);
    } catch (error) {
      logger.warn("Cannot take a handed-over iq reply", {
        error: String(error),
      });
    }
  }

  async function readHandover(): Promise<void> {
    if (tracker.size === 0) return;
    try {
      for (const item of await coordination.readHandover(0)) {
        const reply = parseXml(item.stanza, { defaultNamespace: NS.client });
        if (tracker.resolve(reply)) await coordination.takeHandover(item.id);
      }
    } catch (error) {
      logger.warn("Cannot read handed-over iq replies", {
        error: String(error),
      });
    }
  }

  function apply(decision: "run" | "stop" | "keep"): void {
    if (decision === "run" && !holding) {
      holding = true;
      options.onRoleChange?.(roleOf(mode, holding));
      logger.info("Instance holds the XMPP stream", { instance: instanceId });
      component.start();
    } else if (decision === "stop" && holding) {
      holding = false;
      options.onRoleChange?.(roleOf(mode, holding));
      logger.warn("Instance gives the XMPP stream up", {
        instance: instanceId,
      });
      void component.stop();
    }
  }

  async function heartbeat(): Promise<void> {
    let ok = false;
    let holdsLease = false;
    try {
      const view = await coordination.heartbeat({
        role: roleOf(mode, holding),
        online: component.online,
        wantLease: mode === "lease",
        leaseMs,
      });
      ok = true;
      holdsLease = view.holdsLease;
      othersOnline = view.othersOnline > 0;
      holder = view.holder;
      if (mode === "lease") port.holderIs(holder);
      const lost = lostPeers(peers, view.peers);
      peers = new Map(view.peers.map((p) => [p.id, p]));
      if (mode === "all" && lost.length > 0) {
        logger.warn("Instances went away", { instances: lost.join(",") });
        port.peersLost(lost);
      }
      if (holdsLease) lastRenewed = performance.now();
    } catch (error) {
      logger.warn("Cannot reach the store for the heartbeat", {
        error: String(error),
      });
    }
    if (stopped) return;
    apply(streamDecision({
      mode,
      heartbeatOk: ok,
      holdsLease,
      sinceRenewedMs: performance.now() - lastRenewed,
      leaseMs,
    }));
    if (component.online) await drainOutbox();
    await handOver();
    await readHandover();
    if (ok && ++ticks % PRUNE_EVERY_TICKS === 0) {
      await coordination.pruneHandover(HANDOVER_MAX_AGE_MS).catch(() => {});
    }
  }

  function tick(): void {
    if (stopped || ticking) return;
    clearTimeout(timer);
    ticking = heartbeat().catch((error) =>
      logger.error("Heartbeat failed", { error: String(error) })
    ).finally(() => {
      ticking = undefined;
      if (!stopped) timer = setTimeout(tick, renewMs);
    });
  }

  let unsubscribe = () => Promise.resolve();
  let offState = () => {};

  return {
    instanceId,
    get role() {
      return roleOf(mode, holding);
    },
    get streamState() {
      if (holding || component.online) return component.state.name;
      return othersOnline ? "held-by-another-instance" : "not-held";
    },
    async start() {
      unsubscribe = await coordination.subscribe({
        onOutbox: () => {
          if (component.online) void drainOutbox();
        },
        onHandover: (item) => {
          if ("stanza" in item) void takeReply(item);
          else void readHandover();
        },
        onRelease: () => {
          if (mode === "lease" && !holding) tick();
        },
      });
      let wasOnline = false;
      offState = component.onStateChange((state) => {
        if (state.name === "online") void drainOutbox();
        // Peers learn at once that this stream came up or went down.
        if ((state.name === "online") !== wasOnline) {
          wasOnline = !wasOnline;
          tick();
        }
      });
      options.onRoleChange?.(roleOf(mode, holding));
      // The heartbeat row exists before the stream can take replies, so
      // every peer sees this instance (and notices when it dies) even if
      // it dies before it reported its stream online.
      tick();
      await ticking;
      if (mode === "all") component.start();
    },
    port,
    wrap(handler) {
      return (stanza: XmlElement) => {
        if (inboundRoute(stanza) === "reply") {
          if (tracker.resolve(stanza)) return true;
          if (unsent.length >= MAX_UNSENT_HANDOVERS) unsent.shift();
          unsent.push({
            stanza: serialize(stanza, { parentNs: NS.client }),
            at: performance.now(),
          });
          void handOver();
          return true;
        }
        if (tracker.capture(stanza)) return true;
        return handler ? handler(stanza) : false;
      };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      await ticking;
      offState();
      await unsubscribe();
      if (mode === "lease" && holding) {
        // Close first: the server refuses a second stream for the domain.
        await component.stop();
        await coordination.releaseLease().catch(() => {});
      }
      holding = false;
    },
  };
}
