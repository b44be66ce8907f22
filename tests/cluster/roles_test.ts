// streamDecision() and roleOf(): when an instance runs the stream, and what /readyz calls it.

import assert from "node:assert/strict";
import {
  lostPeers,
  roleOf,
  streamDecision,
  type StreamSituation,
} from "../../src/cluster/roles.ts";

const LEASE = { mode: "lease", leaseMs: 5_000 } as const;

const DECISIONS: readonly [string, StreamSituation, string][] = [
  ["mode all always runs", {
    mode: "all",
    leaseMs: 5_000,
    heartbeatOk: false,
    holdsLease: false,
    sinceRenewedMs: Infinity,
  }, "run"],
  ["lease taken or renewed: run", {
    ...LEASE,
    heartbeatOk: true,
    holdsLease: true,
    sinceRenewedMs: 0,
  }, "run"],
  ["another instance holds the lease: stop", {
    ...LEASE,
    heartbeatOk: true,
    holdsLease: false,
    sinceRenewedMs: 900,
  }, "stop"],
  ["store unreachable, renewed 2.4 s ago: keep", {
    ...LEASE,
    heartbeatOk: false,
    holdsLease: false,
    sinceRenewedMs: 2_400,
  }, "keep"],
  ["store unreachable for half the lease: stop", {
    ...LEASE,
    heartbeatOk: false,
    holdsLease: false,
    sinceRenewedMs: 2_500,
  }, "stop"],
  ["store unreachable, never renewed: stop", {
    ...LEASE,
    heartbeatOk: false,
    holdsLease: false,
    sinceRenewedMs: Infinity,
  }, "stop"],
];

for (const [name, situation, expected] of DECISIONS) {
  Deno.test(`streamDecision(): ${name}`, () => {
    assert.equal(streamDecision(situation), expected);
  });
}

Deno.test("roleOf() names single, holder, standby and active", () => {
  assert.equal(roleOf(undefined, false), "single");
  assert.equal(roleOf("lease", true), "holder");
  assert.equal(roleOf("lease", false), "standby");
  assert.equal(roleOf("all", true), "active");
  assert.equal(roleOf("all", false), "active");
});

/** Peer as `id:incarnation` with `+` when its stream is online. */
const peer = (spec: string) => {
  const [id, rest] = spec.split(":");
  return { id, incarnation: rest.replace("+", ""), online: rest.endsWith("+") };
};

const PEERS: [string, string[], string[], string[]][] = [
  ["nobody before, nobody now", [], [], []],
  ["the same peers: none lost", ["a:1+", "b:2+"], ["a:1+", "b:2+"], []],
  ["a peer gone", ["a:1+", "b:2+"], ["b:2+"], ["a"]],
  ["a peer restarted under its id", ["a:1+"], ["a:9+"], ["a"]],
  ["a new peer is not lost", ["a:1+"], ["a:1+", "c:3"], []],
  ["a peer's stream went offline", ["a:1+"], ["a:1"], ["a"]],
  ["a peer's stream came online", ["a:1"], ["a:1+"], []],
  ["a peer still connecting", ["a:1"], ["a:1"], []],
  ["a peer gone before it reported online", ["a:1"], [], ["a"]],
];

for (const [name, before, now, expected] of PEERS) {
  Deno.test(`lostPeers(): ${name}`, () => {
    assert.deepEqual(
      lostPeers(
        new Map(before.map((spec) => [peer(spec).id, peer(spec)])),
        now.map(peer),
      ),
      expected,
    );
  });
}
