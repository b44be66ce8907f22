// Test support: one real XMPP server process on loopback (free ports, temp dir, start/stop/restart), driven by a per-server ServerDriver.

import type { XmppServer } from "./xmpp_server.ts";
import {
  accepts,
  collect,
  fileSize,
  freePorts,
  randomSecret,
  readText,
  within,
} from "./server_process.ts";

const START_TIMEOUT_MS = 20_000;
const POLL_MS = 25;
const STOP_GRACE_MS = 5_000;
const MAX_PORT_TRIES = 3;

/** Options of a server's `start()`. */
export interface ServerOptions {
  /** The virtual host. Default `localhost`. */
  host?: string;
  /** Component domains and their secrets. Default: `gw.HOST` and `other.HOST` with random secrets. */
  components?: Readonly<Record<string, string>>;
  /** Users of the host (localpart to password). Default: `alice` and `bob`. */
  users?: Readonly<Record<string, string>>;
}

/** What a driver sees of the server it configures and runs. */
export interface ServerSetup {
  /** The temp dir (config, data, logs). */
  readonly dir: string;
  /** The config file in `dir`. */
  readonly configPath: string;
  /** The server log in `dir`. */
  readonly logPath: string;
  /** The virtual host. */
  readonly host: string;
  /** Component domains and secrets. */
  readonly components: Readonly<Record<string, string>>;
  /** Users and passwords. */
  readonly users: Readonly<Record<string, string>>;
  /** The c2s port on 127.0.0.1. */
  readonly c2sPort: number;
  /** The XEP-0114 port on 127.0.0.1. */
  readonly componentPort: number;
}

/** The process to spawn (stdout and stderr are always collected). */
export interface ServerCommand {
  /** The executable. */
  program: string;
  /** Its arguments. */
  args: string[];
  /** Working directory. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Pipe stdin and hold it open until the process exits (EOF may stop it). Default: stdin is null. */
  holdStdin?: boolean;
}

/** How far a starting server got: its listeners should be up, not yet, or a failure to report. */
export type Readiness = "listening" | "waiting" | { failed: string };

/** Everything that differs between servers; {@linkcode ManagedServer} does the rest. */
export interface ServerDriver {
  /** Which server this is. */
  readonly kind: XmppServer["kind"];
  /** Name in messages, e.g. `Prosody`. */
  readonly name: string;
  /** The config template; its `{{NAME}}` fields come from `configFields`, its file name is the config's. */
  readonly template: URL;
  /** Log file, relative to the temp dir. */
  readonly logFile: string;
  /** Sub dirs to create in the temp dir. */
  readonly dirs: readonly string[];
  /** How long a start may take. Default 20 s. */
  readonly startTimeoutMs?: number;
  /** How long to wait for an exit between readiness checks. Default 25 ms. */
  readonly pollMs?: number;
  /** Matches a start error that means a port was taken (then start retries on fresh ports). */
  readonly portTaken: RegExp;
  /** The error thrown when the server does not start. */
  readonly StartError: new (message: string) => Error;
  /** The template's fields for the current ports. */
  configFields(setup: ServerSetup): Record<string, string>;
  /** Runs once after the first config is written (e.g. registers users). */
  prepare?(setup: ServerSetup): Promise<void>;
  /** Runs before each spawn (e.g. removes a stale ready marker). */
  beforeStart?(setup: ServerSetup): Promise<void>;
  /** The process to spawn. */
  command(setup: ServerSetup): ServerCommand;
  /** Polled while starting; `newLog` reads the log written since this start. */
  ready(setup: ServerSetup, newLog: () => Promise<string>): Promise<Readiness>;
}

/** Why a server did not start; the message carries the output and log tail. */
export class ServerStartError extends Error {
  /** Creates the error, named after its class. */
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A real server for one test file. `start()` makes a temp dir, picks free
 * ports (retrying on fresh ones when the driver recognises a taken port),
 * spawns the driver's command and waits until the driver reports it
 * listening and both ports accept. `stop()` sends SIGTERM, then SIGKILL
 * after a grace period; `stop()` / `restart()` keep the ports and the
 * data; disposing stops the server and removes the temp dir.
 *
 * @example
 * ```ts
 * await using server = await ManagedServer.start(driver);
 * server.componentAddress; // "127.0.0.1:41234"
 * ```
 */
export class ManagedServer implements XmppServer {
  /** Which server this is. */
  readonly kind: XmppServer["kind"];
  /** The virtual host. */
  readonly host: string;
  /** Component domains and secrets. */
  readonly components: Readonly<Record<string, string>>;
  /** Users and passwords. */
  readonly users: Readonly<Record<string, string>>;
  /** The temp dir (config, data, logs). */
  readonly dir: string;
  #driver: ServerDriver;
  #c2sPort = 0;
  #componentPort = 0;
  #child: Deno.ChildProcess | undefined;
  #output: Promise<string> | undefined;
  #holdsStdin = false;
  #logOffset = 0;

  private constructor(
    driver: ServerDriver,
    dir: string,
    options: ServerOptions,
  ) {
    this.#driver = driver;
    this.kind = driver.kind;
    this.dir = dir;
    this.host = options.host ?? "localhost";
    this.components = options.components ?? {
      [`gw.${this.host}`]: randomSecret(),
      [`other.${this.host}`]: randomSecret(),
    };
    this.users = options.users ?? { alice: "alice-pw", bob: "bob-pw" };
  }

  /** Makes the temp dir, writes the config and starts the server on free ports. */
  static async start(
    driver: ServerDriver,
    options: ServerOptions = {},
  ): Promise<ManagedServer> {
    const dir = await Deno.makeTempDir({ prefix: `xmpp-rest-${driver.kind}-` });
    const server = new ManagedServer(driver, dir, options);
    try {
      for (const sub of driver.dirs) await Deno.mkdir(`${dir}/${sub}`);
      for (let tries = 1;; tries++) {
        [server.#c2sPort, server.#componentPort] = freePorts(2);
        await server.#writeConfig();
        if (tries === 1) await driver.prepare?.(server.#setup());
        try {
          await server.start();
          return server;
        } catch (error) {
          const portTaken = error instanceof driver.StartError &&
            driver.portTaken.test(error.message);
          if (!portTaken || tries >= MAX_PORT_TRIES) throw error;
        }
      }
    } catch (error) {
      await server[Symbol.asyncDispose]();
      throw error;
    }
  }

  /** The config file. */
  get configPath(): string {
    const name = this.#driver.template.pathname.split("/").pop();
    return `${this.dir}/${name}`;
  }

  /** The c2s port. */
  get c2sPort(): number {
    return this.#c2sPort;
  }

  /** `127.0.0.1:PORT` of the component listener. */
  get componentAddress(): string {
    return `127.0.0.1:${this.#componentPort}`;
  }

  /** True while the server process runs. */
  get running(): boolean {
    return this.#child !== undefined;
  }

  /** The running server process's id (undefined while stopped). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Sends a signal to the running server process (e.g. SIGSTOP to freeze it, SIGCONT to thaw it). */
  signal(signal: Deno.Signal): void {
    this.#child?.kill(signal);
  }

  /** Starts the server (again) on the configured ports and waits until it is ready. */
  async start(): Promise<void> {
    if (this.#child) return;
    const driver = this.#driver;
    const setup = this.#setup();
    this.#logOffset = await fileSize(setup.logPath);
    await driver.beforeStart?.(setup);
    const command = driver.command(setup);
    const child = new Deno.Command(command.program, {
      args: command.args,
      cwd: command.cwd,
      env: command.env,
      stdin: command.holdStdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    this.#holdsStdin = command.holdStdin ?? false;
    this.#output = collect(child);
    const exited = child.status;
    const timeoutMs = driver.startTimeoutMs ?? START_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const readiness = await driver.ready(setup, () => this.#newLog());
      if (typeof readiness === "object") {
        await this.stop();
        throw new driver.StartError(await this.#describe(readiness.failed));
      }
      if (
        readiness === "listening" && await accepts(this.#componentPort) &&
        await accepts(this.#c2sPort)
      ) return;
      const status = await within(exited, driver.pollMs ?? POLL_MS);
      if (status) {
        this.#child = undefined;
        await this.#releaseStdin(child);
        const output = await this.#output;
        throw new driver.StartError(
          await this.#describe(`exited with code ${status.code}`, output),
        );
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new driver.StartError(
          await this.#describe(`not ready after ${timeoutMs} ms`),
        );
      }
    }
  }

  /** Stops the server: SIGTERM, then SIGKILL after a grace period. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    try {
      child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    const done = await within(child.status, STOP_GRACE_MS);
    if (!done) {
      try {
        child.kill("SIGKILL");
      } catch {
        // Exited meanwhile.
      }
      await child.status;
    }
    await this.#releaseStdin(child);
    await this.#output;
  }

  /** Stops and starts the server on the same ports. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** The last `lines` lines of the server log. */
  async logTail(lines = 30): Promise<string> {
    const text = await readText(this.#setup().logPath);
    if (text === undefined) return "(no log)";
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }

  #setup(): ServerSetup {
    return {
      dir: this.dir,
      configPath: this.configPath,
      logPath: `${this.dir}/${this.#driver.logFile}`,
      host: this.host,
      components: this.components,
      users: this.users,
      c2sPort: this.#c2sPort,
      componentPort: this.#componentPort,
    };
  }

  async #writeConfig(): Promise<void> {
    const fields = this.#driver.configFields(this.#setup());
    const template = await Deno.readTextFile(this.#driver.template);
    await Deno.writeTextFile(
      this.configPath,
      template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => fields[name]),
    );
  }

  async #releaseStdin(child: Deno.ChildProcess): Promise<void> {
    if (this.#holdsStdin) await child.stdin.close().catch(() => {});
  }

  async #newLog(): Promise<string> {
    try {
      const bytes = await Deno.readFile(this.#setup().logPath);
      return new TextDecoder().decode(bytes.subarray(this.#logOffset));
    } catch {
      return "";
    }
  }

  async #describe(what: string, output = ""): Promise<string> {
    const out = output.trim() ? `\n--- output ---\n${output.trim()}` : "";
    const log = (await this.#newLog()).trimEnd().split("\n").slice(-30)
      .join("\n");
    return `Cannot start ${this.#driver.name} (${this.configPath}): ${what}${out}\n--- log tail ---\n${
      log || "(no log)"
    }`;
  }
}

/** Starts servers of one kind. */
export interface ServerStarter {
  /** Starts a fresh server on free ports. */
  start(options?: ServerOptions): Promise<ManagedServer>;
}

/** The starter of `driver`'s servers. */
export function serverStarter(driver: ServerDriver): ServerStarter {
  return { start: (options) => ManagedServer.start(driver, options) };
}
