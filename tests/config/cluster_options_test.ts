// The options of several instances (README "Running several instances"): --store, --instance-id, --stream-mode, --lease-expiry in their three spellings.

import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";

const base = ["--domain", "gw.localhost", "--secret", "s3cret"];

function load(args: string[], env: Record<string, string> = {}, file = {}) {
  return loadConfig({
    args: [...base, ...args],
    env,
    readTextFile: () => JSON.stringify(file),
  });
}

const ACCEPTED: readonly [string, () => ReturnType<typeof load>, object][] = [
  [
    "--store with a postgres:// URL",
    () => load(["--store", "postgres://gw:pw@db.example:5432/xmpp"]),
    {
      storeUrl: "postgres://gw:pw@db.example:5432/xmpp",
    },
  ],
  [
    "XMPP_REST_STORE with a postgresql:// URL",
    () => load([], { XMPP_REST_STORE: "postgresql://db/xmpp" }),
    {
      storeUrl: "postgresql://db/xmpp",
    },
  ],
  [
    "config keys store, instance_id, stream_mode, lease_expiry",
    () =>
      load(["--config", "x.json"], {}, {
        store: "postgres://db/x",
        instance_id: "gw-1",
        stream_mode: "all",
        lease_expiry: 2.5,
      }),
    {
      storeUrl: "postgres://db/x",
      instanceId: "gw-1",
      streamMode: "all",
      leaseExpiry: 2.5,
    },
  ],
  [
    "--instance-id and --stream-mode flags",
    () => load(["--instance-id", "eu-1.gw:a", "--stream-mode", "lease"]),
    {
      instanceId: "eu-1.gw:a",
      streamMode: "lease",
    },
  ],
];

for (const [name, run, expected] of ACCEPTED) {
  Deno.test(`loadConfig() accepts ${name}`, () => {
    const result = run();
    if (!result.ok) throw new Error(result.errors.join("\n"));
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(
        (result.config as unknown as Record<string, unknown>)[key],
        value,
        key,
      );
    }
  });
}

const REFUSED: readonly [string, string[], RegExp][] = [
  [
    "a store that is not a postgres URL",
    [
      "--store",
      "mysql://db/x",
    ],
    /--store: expected a postgres:\/\/USER:PASSWORD@HOST:PORT\/DATABASE URL, got "mysql:\/\/db\/x"/,
  ],
  ["a store URL without hiding its password in the error", [
    "--store",
    "postgres://gw:secret@[bad/x",
  ], /got "postgres:\/\/gw:\*\*\*@\[bad\/x"/],
  ["an instance id with spaces", [
    "--instance-id",
    "gw 1",
  ], /--instance-id: expected letters, digits/],
  ["an unknown stream mode", [
    "--stream-mode",
    "both",
  ], /--stream-mode: expected one of lease, all, got "both"/],
  ["a lease expiry of zero", [
    "--lease-expiry",
    "0",
  ], /--lease-expiry: expected a positive number/],
];

for (const [name, args, message] of REFUSED) {
  Deno.test(`loadConfig() refuses ${name}`, () => {
    const result = load(args);
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.errors.join("\n"), message);
  });
}
