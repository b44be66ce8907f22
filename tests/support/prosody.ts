// Test harness: a real Prosody 0.12 on loopback (free ports, temp data dir) with XEP-0114 components and c2s users.

import {
  accepts,
  collect,
  fileSize,
  findExecutable,
  freePorts,
  randomSecret,
  within,
} from "./server_process.ts";

const TEMPLATE = new URL("./prosody.cfg.lua", import.meta.url);
const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const MAX_PORT_TRIES = 3;

/** Options of {@linkcode Prosody.start}. */
export interface ProsodyOptions {
  /** The VirtualHost. Default `localhost`. */
  host?: string;
  /** Component domains and their secrets. Default: `gw.HOST` and `other.HOST` with random secrets. */
  components?: Readonly<Record<string, string>>;
  /** Users of the VirtualHost (localpart to password). Default: `alice` and `bob`. */
  users?: Readonly<Record<string, string>>;
}

/** True when a `prosody` executable is on the PATH. */
export function prosodyInstalled(): boolean {
  return findExecutable("prosody") !== undefined;
}

/**
 * Registers a test that needs Prosody. Without a `prosody` executable it
 * is skipped with a visible notice, except under CI (env `CI` set), where
 * it fails: CI must install Prosody (see `.ci/run`).
 *
 * @example
 * ```ts
 * prosodyTest("component talks to Prosody", async (t) => {
 *   await using prosody = await Prosody.start();
 * });
 * ```
 */
export function prosodyTest(
  name: string,
  fn: (t: Deno.TestContext) => Promise<void>,
): void {
  if (prosodyInstalled()) {
    Deno.test(name, fn);
  } else if (Deno.env.get("CI")) {
    Deno.test(name, () => {
      throw new Error(
        "Prosody not installed (CI must install it: see .ci/run)",
      );
    });
  } else {
    // deno-lint-ignore no-console
    console.warn(`NOTICE: prosody is not installed; skipping "${name}"`);
    Deno.test({
      name: `${name} (skipped: prosody not installed)`,
      ignore: true,
      fn: () => {},
    });
  }
}

/** Why Prosody did not start; the message carries the log tail. */
export class ProsodyStartError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "ProsodyStartError";
  }
}

/**
 * A Prosody server for one test file. `start()` writes a config from
 * `prosody.cfg.lua` into a temp dir, registers the users with
 * `prosodyctl`, runs `prosody -F` and waits until both ports accept
 * connections. `stop()` / `restart()` keep the same ports; disposing stops
 * the server and removes the temp dir.
 *
 * @example
 * ```ts
 * await using prosody = await Prosody.start();
 * prosody.componentAddress; // "127.0.0.1:41234"
 * ```
 */
export class Prosody implements AsyncDisposable {
  /** The VirtualHost. */
  readonly host: string;
  /** Component domains and secrets. */
  readonly components: Readonly<Record<string, string>>;
  /** Users and passwords. */
  readonly users: Readonly<Record<string, string>>;
  /** The temp dir (config, data, log). */
  readonly dir: string;
  #c2sPort = 0;
  #componentPort = 0;
  #child: Deno.ChildProcess | undefined;
  #output: Promise<string> | undefined;
  #logOffset = 0;

  private constructor(dir: string, options: ProsodyOptions) {
    this.dir = dir;
    this.host = options.host ?? "localhost";
    this.components = options.components ?? {
      [`gw.${this.host}`]: randomSecret(),
      [`other.${this.host}`]: randomSecret(),
    };
    this.users = options.users ?? { alice: "alice-pw", bob: "bob-pw" };
  }

  /** Writes the config, registers the users and starts the server. */
  static async start(options: ProsodyOptions = {}): Promise<Prosody> {
    const dir = await Deno.makeTempDir({ prefix: "xmpp-rest-prosody-" });
    const prosody = new Prosody(dir, options);
    try {
      await Deno.mkdir(`${dir}/data`);
      await Deno.mkdir(`${dir}/certs`);
      for (let tries = 1;; tries++) {
        [prosody.#c2sPort, prosody.#componentPort] = freePorts(2);
        await prosody.#writeConfig();
        if (tries === 1) await prosody.#registerUsers();
        try {
          await prosody.start();
          return prosody;
        } catch (error) {
          const portTaken = error instanceof ProsodyStartError &&
            /Failed to open server port|Address already in use/.test(
              error.message,
            );
          if (!portTaken || tries >= MAX_PORT_TRIES) throw error;
        }
      }
    } catch (error) {
      await prosody[Symbol.asyncDispose]();
      throw error;
    }
  }

  /** The config file. */
  get configPath(): string {
    return `${this.dir}/prosody.cfg.lua`;
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

  /** Starts the server (again) on the configured ports and waits for them. */
  async start(): Promise<void> {
    if (this.#child) return;
    this.#logOffset = await fileSize(this.#logPath);
    const child = new Deno.Command("prosody", {
      args: ["--config", this.configPath, "-F"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    this.#output = collect(child);
    const exited = child.status;
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const log = await this.#newLog();
      const failed = /Failed to open server port[^\n]*/.exec(log);
      if (failed) {
        await this.stop();
        throw new ProsodyStartError(await this.#describe(failed[0]));
      }
      if (
        log.includes(`'c2s' on [127.0.0.1]:${this.#c2sPort}`) &&
        log.includes(`'component' on [127.0.0.1]:${this.#componentPort}`) &&
        await accepts(this.#componentPort) && await accepts(this.#c2sPort)
      ) return;
      const status = await within(exited, 25);
      if (status) {
        this.#child = undefined;
        const output = await this.#output;
        throw new ProsodyStartError(
          await this.#describe(`exited with code ${status.code}`, output),
        );
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new ProsodyStartError(
          await this.#describe(`not ready after ${START_TIMEOUT_MS} ms`),
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
    await this.#output;
  }

  /** Stops and starts the server on the same ports. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** The last `lines` lines of the server log. */
  async logTail(lines = 30): Promise<string> {
    try {
      const text = await Deno.readTextFile(this.#logPath);
      return text.trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }

  get #logPath(): string {
    return `${this.dir}/prosody.log`;
  }

  async #newLog(): Promise<string> {
    try {
      const bytes = await Deno.readFile(this.#logPath);
      return new TextDecoder().decode(bytes.subarray(this.#logOffset));
    } catch {
      return "";
    }
  }

  async #describe(what: string, output = ""): Promise<string> {
    const out = output.trim() ? `\n--- output ---\n${output.trim()}` : "";
    return `Cannot start Prosody (${this.configPath}): ${what}${out}\n--- log tail ---\n${await this
      .logTail()}`;
  }

  async #writeConfig(): Promise<void> {
    const template = await Deno.readTextFile(TEMPLATE);
    const components = Object.entries(this.components).map(([domain, secret]) =>
      `Component ${lua(domain)}\n  component_secret = ${lua(secret)}\n`
    ).join("\n");
    const fields: Record<string, string> = {
      DIR: luaInner(this.dir),
      HOST: luaInner(this.host),
      C2S_PORT: String(this.#c2sPort),
      COMPONENT_PORT: String(this.#componentPort),
      COMPONENTS: components,
    };
    const config = template.replace(
      /\{\{(\w+)\}\}/g,
      (_, name: string) => fields[name],
    );
    await Deno.writeTextFile(this.configPath, config);
  }

  async #registerUsers(): Promise<void> {
    for (const [user, password] of Object.entries(this.users)) {
      const { code, stdout, stderr } = await new Deno.Command("prosodyctl", {
        args: [
          "--config",
          this.configPath,
          "register",
          user,
          this.host,
          password,
        ],
        stdin: "null",
      }).output();
      if (code !== 0) {
        const text = new TextDecoder().decode(stdout) +
          new TextDecoder().decode(stderr);
        throw new ProsodyStartError(
          `Cannot register ${user}@${this.host} with prosodyctl (exit ${code}): ${text.trim()}`,
        );
      }
    }
  }
}

function lua(value: string): string {
  return `"${luaInner(value)}"`;
}

function luaInner(value: string): string {
  return value.replace(/[\\"]/g, (c) => "\\" + c).replace(/\n/g, "\\n");
}
