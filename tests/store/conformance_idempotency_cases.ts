// EventStore conformance: idempotency records (reserve, complete, replay, mismatch, expiry).

import assert from "node:assert/strict";
import type { StoreCase } from "./conformance_cases.ts";

const AT = { now: 10_000, ttlMs: 5_000 } as const;
const RESPONSE = {
  status: 202,
  headers: { "content-type": "application/json" },
  body: '{"id":"x"}',
} as const;

/** The idempotency cases. */
export const idempotencyCases: readonly StoreCase[] = [
  {
    name:
      "an idempotency key is new, then in flight, then done with its response",
    async run({ store }) {
      assert.deepEqual(await store.beginIdempotent("k", "f", AT), {
        state: "new",
      });
      assert.deepEqual(await store.beginIdempotent("k", "f", AT), {
        state: "in-flight",
      });
      await store.completeIdempotent("k", RESPONSE);
      assert.deepEqual(await store.beginIdempotent("k", "f", AT), {
        state: "done",
        response: RESPONSE,
      });
    },
  },
  {
    name: "an idempotency key with another fingerprint is a mismatch",
    async run({ store }) {
      await store.beginIdempotent("k", "f", AT);
      assert.deepEqual(await store.beginIdempotent("k", "g", AT), {
        state: "mismatch",
      });
    },
  },
  {
    name: "an abandoned or expired idempotency key is new again",
    async run({ store }) {
      await store.beginIdempotent("k", "f", AT);
      await store.abandonIdempotent("k");
      assert.deepEqual(await store.beginIdempotent("k", "g", AT), {
        state: "new",
      });
      await store.completeIdempotent("k", RESPONSE);
      assert.deepEqual(
        await store.beginIdempotent("k", "h", { ...AT, now: 15_001 }),
        { state: "new" },
      );
    },
  },
  {
    name: "prune() drops idempotency records older than its time",
    async run({ store }) {
      await store.beginIdempotent("k", "f", AT);
      await store.completeIdempotent("k", RESPONSE);
      await store.prune(AT.now + 1);
      assert.deepEqual(await store.beginIdempotent("k", "g", AT), {
        state: "new",
      });
    },
  },
];
