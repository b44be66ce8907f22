// Test support: cli.ts as its own process (as users run it) on a given data dir, restartable, stopped by pid.

import { TEST_TOKEN } from "./gateway_env.ts";
import { freePorts } from "./server_process.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;

/** Options of {@linkcode CliGateway.start}. */
export interface CliGatewayOptions {
  /** `HOST:PORT` of the component listener. */
  readonly server: string;
  /** Component domain. */
  readonly domain: string;
  /** Component secret. */
  readonly secret: string;
  /** The data directory (kept across restarts). */
  readonly dataDir: string;
  /** More flags. */
  readonly flags?: readonly string[];
}

/** A gateway process on a fixed port; `restart()` keeps port and data dir. */
export class CliGateway implements AsyncDisposable {
  readonly url: string;
  readonly #options: CliGatewayOptions;
  readonly #port: number;
  #child?: Deno.ChildProcess;

  private constructor(options: CliGatewayOptions) {
    this.#options = options;
    [this.#port] = freePorts(1);
    this.url = `http://127.0.0.1:${this.#port}`;
  }

  /** Starts the process and waits until `/readyz` is 200. */
  static async start(options: CliGatewayOptions): Promise<CliGateway> {
    const gateway = new CliGateway(options);
    await gateway.#spawn();
    return gateway;
  }

  /** `fetch` with the test token. */
  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("Authorization", TEST_TOKEN);
    return fetch(this.url + path, { ...init, headers });
  }

  /** Kills the process (SIGKILL: nothing is flushed on the way out). */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child) return;
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await child.status;
  }

  /** Starts it again on the same port and data dir. */
  async restart(): Promise<void> {
    await this.kill();
    await this.#spawn();
  }

  async #spawn(): Promise<void> {
    const o = this.#options;
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--allow-env",
        "--allow-read",
        "--allow-write",
        CLI,
        "--server",
        o.server,
        "--domain",
        o.domain,
        "--secret",
        o.secret,
        "--listen",
        `127.0.0.1:${this.#port}`,
        "--credentials",
        TEST_TOKEN,
        "--data-dir",
        o.dataDir,
        "--log-level",
        "warn",
        ...o.flags ?? [],
      ],
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ok = await fetch(`${this.url}/readyz`).then(
        async (r) => (await r.body?.cancel(), r.ok),
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error("cli.ts did not get ready within 30 s");
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.kill();
  }
}
