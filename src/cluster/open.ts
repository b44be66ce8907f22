// Opens what several instances share for `--store postgres://...` (README "Running several instances"): the event store and the coordination tables.

import { openPostgres } from "../store/postgres_open.ts";
import type { EventStore } from "../store/types.ts";
import {
  type Coordination,
  migrateCluster,
  pgCoordination,
} from "./coordination.ts";

/** The shared store of one instance. */
export interface SharedStore extends AsyncDisposable {
  /** The event store. */
  readonly store: EventStore;
  /** Lease, heartbeats, outbox and handover for the component domain. */
  readonly coordination: Coordination;
  /** Closes the store and its connections. */
  close(): Promise<void>;
}

/**
 * Connects to the PostgreSQL database at `url`, creates the tables when
 * missing and returns the event store and the coordination of
 * `instanceId` for `domain`. Throws `StoreError` when it cannot.
 */
export async function openSharedStore(
  url: string,
  domain: string,
  instanceId: string,
): Promise<SharedStore> {
  const handle = await openPostgres(url);
  try {
    await migrateCluster(handle.client);
  } catch (error) {
    await handle[Symbol.asyncDispose]();
    throw error;
  }
  const close = async () => await handle[Symbol.asyncDispose]();
  return {
    store: handle.store,
    coordination: pgCoordination(handle.client, domain, instanceId),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The default instance id: the host name (when readable) and the process id. */
export function defaultInstanceId(): string {
  let host = "xmpp-rest";
  try {
    host = Deno.hostname().replace(/[^A-Za-z0-9._:-]/g, "-") || host;
  } catch {
    // no --allow-sys: the pid alone would collide across hosts, so add randomness
    host = `xmpp-rest-${crypto.getRandomValues(new Uint8Array(3)).toHex()}`;
  }
  return `${host}-${Deno.pid}`;
}
