// Test support: gateway instances as real cli.ts processes (free loopback ports, own pids, SIGKILL and restart), several sharing one PostgreSQL store.

import { collect, freePorts, within } from "./server_process.ts";
import type { XmppServer } from "./xmpp_server.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;
const START_TIMEOUT_MS = 30_000;

/** The bearer token every test instance accepts. */
export const INSTANCE_TOKEN = "Bearer cluster-token";

/** Options of {@linkcode GatewayProcess.start}. */
export interface InstanceOptions {
  /** The XMPP server. */
  readonly server: XmppServer;
  /** The component domain (default: the server's first). */
  readonly domain?: string;
  /** `postgres://` URL of the shared store. */
  readonly store: string;
  /** The instance id. */
  readonly id: string;
  /** `lease` or `all`. */
  readonly streamMode: "lease" | "all";
  /** Lease expiry, seconds. */
  readonly leaseExpiry?: number;
  /** Further flags. */
  readonly args?: readonly string[];
  /** `--log-level`. Default `debug`. */
  readonly logLevel?: string;
}

/** What `/readyz` says. */
export interface ReadyBody {
  readonly status: "pass" | "fail";
  readonly output?: string;
  readonly role?: string;
  readonly serviceId?: string;
}

/**
 * One `deno run cli.ts` gateway process. `kill()` sends SIGKILL by pid;
 * `start()` runs it again on the same HTTP port; disposing stops it.
 */
export class GatewayProcess implements AsyncDisposable {
  /** The instance id. */
  readonly id: string;
  /** Base URL of its HTTP API. */
  readonly url: string;
  #args: string[];
  #child: Deno.ChildProcess | undefined;
  #output: Promise<string> | undefined;
  #log = "";

  private constructor(id: string, port: number, args: string[]) {
    this.id = id;
    this.url = `http://127.0.0.1:${port}`;
    this.#args = args;
  }

  /** Starts an instance on a free port and waits until it answers `/readyz`. */
  static async start(options: InstanceOptions): Promise<GatewayProcess> {
    const domain = options.domain ?? Object.keys(options.server.components)[0];
    const [port] = freePorts(1);
    const instance = new GatewayProcess(options.id, port, [
      "--server",
      options.server.componentAddress,
      "--domain",
      domain,
      "--secret",
      options.server.components[domain],
      "--listen",
      `127.0.0.1:${port}`,
      "--credentials",
      INSTANCE_TOKEN,
      "--store",
      options.store,
      "--instance-id",
      options.id,
      "--stream-mode",
      options.streamMode,
      "--lease-expiry",
      String(options.leaseExpiry ?? 5),
      "--log-level",
      options.logLevel ?? "debug",
      ...(options.args ?? []),
    ]);
    await instance.start();
    return instance;
  }

  /** The process id while it runs. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Output of earlier runs and, after it ended, of the current one (last 4000 characters each). */
  get log(): string {
    return this.#log;
  }

  /** Starts the process (again) and waits until its HTTP API answers. */
  async start(): Promise<void> {
    if (this.#child) return;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", CLI, ...this.#args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    this.#child = child;
    this.#output = collect(child);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (await this.ready().catch(() => undefined)) return;
      const status = await within(child.status, 100);
      if (status) {
        this.#child = undefined;
        this.#log += await this.#output;
        throw new Error(
          `Cannot start instance ${this.id}: exited with ${status.code}\n${this.#log}`,
        );
      }
    }
    await this.stop();
    throw new Error(`Instance ${this.id} did not answer /readyz\n${this.#log}`);
  }

  /** `/readyz` status and body. */
  async ready(): Promise<{ status: number; body: ReadyBody }> {
    const response = await fetch(`${this.url}/readyz`, {
      signal: AbortSignal.timeout(2_000),
    });
    return { status: response.status, body: await response.json() };
  }

  /** Waits until `/readyz` passes with the given role (or any role). */
  async waitReady(role?: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      last = await this.ready().catch((error) => String(error));
      const ready = last as { status: number; body: ReadyBody };
      if (
        ready?.status === 200 &&
        (role === undefined || ready.body.role === role)
      ) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(
      `Instance ${this.id} not ready as ${role ?? "any role"}: ${
        JSON.stringify(last)
      }\n--- output ---\n${await this.#exitedOutput()}`,
    );
  }

  /** The output of a process that has exited by itself (else a note that it runs). */
  async #exitedOutput(): Promise<string> {
    const child = this.#child;
    if (!child) return this.#log;
    if (!await within(child.status, 100)) return "(still running)";
    this.#child = undefined;
    this.#log += await this.#output;
    return this.#log;
  }

  /** `fetch` with the test token. */
  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("Authorization", INSTANCE_TOKEN);
    return fetch(this.url + path, { ...init, headers });
  }

  /** SIGKILL by pid; resolves when the process is gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
    this.#log += await this.#output;
  }

  /** SIGTERM (graceful stop), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    if (!await within(child.status, 10_000)) {
      child.kill("SIGKILL");
      await child.status;
    }
    this.#log += await this.#output;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
