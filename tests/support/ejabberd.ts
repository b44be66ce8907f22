// Test harness: a real ejabberd 23.01 on loopback (free ports, temp spool and log dirs) with XEP-0114 components and c2s users.

import {
  accepts,
  collect,
  fileSize,
  findExecutable,
  freePorts,
  isFile,
  randomSecret,
  readText,
  within,
} from "./server_process.ts";

const TEMPLATE = new URL("./ejabberd.yml", import.meta.url);
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const MAX_PORT_TRIES = 3;
const CTL_PATHS = ["/usr/sbin/ejabberdctl", "/usr/local/sbin/ejabberdctl"];

/** Options of {@linkcode Ejabberd.start}. */
export interface EjabberdOptions {
  /** The virtual host. Default `localhost`. */
  host?: string;
  /** Component domains and their secrets. Default: `gw.HOST` and `other.HOST` with random secrets. */
  components?: Readonly<Record<string, string>>;
  /** Users of the host (localpart to password). Default: `alice` and `bob`. */
  users?: Readonly<Record<string, string>>;
}

/** Why ejabberd did not start; the message carries the log tail. */
export class EjabberdStartError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "EjabberdStartError";
  }
}

/** True when `erl` and an ejabberd installation (its `ejabberdctl`) are present. */
export function ejabberdInstalled(): boolean {
  return findExecutable("erl") !== undefined && findCtl() !== undefined;
}

/**
 * An ejabberd server for one test file. `start()` writes a config from
 * `ejabberd.yml` into a temp dir and boots the Erlang VM directly (`erl -s
 * ejabberd`, no `ejabberdctl`, no su to the ejabberd user). The VM runs
 * without Erlang distribution: no epmd, no node name, no distribution
 * port; only the c2s and component listeners open, both on 127.0.0.1.
 * Users are registered inside the VM by an `-eval` once ejabberd is up,
 * which then writes a ready marker; `start()` waits for it and for both
 * ports. `stop()` / `restart()` keep the ports and the spool (users stay);
 * disposing stops the server and removes the temp dir.
 *
 * @example
 * ```ts
 * await using ejabberd = await Ejabberd.start();
 * ejabberd.componentAddress; // "127.0.0.1:41234"
 * ```
 */
export class Ejabberd implements AsyncDisposable {
  /** Which server this is. */
  readonly kind = "ejabberd" as const;
  /** The virtual host. */
  readonly host: string;
  /** Component domains and secrets. */
  readonly components: Readonly<Record<string, string>>;
  /** Users and passwords. */
  readonly users: Readonly<Record<string, string>>;
  /** The temp dir (config, spool, logs). */
  readonly dir: string;
  #c2sPort = 0;
  #componentPort = 0;
  #child: Deno.ChildProcess | undefined;
  #output: Promise<string> | undefined;
  #logOffset = 0;

  private constructor(dir: string, options: EjabberdOptions) {
    this.dir = dir;
    this.host = options.host ?? "localhost";
    this.components = options.components ?? {
      [`gw.${this.host}`]: randomSecret(),
      [`other.${this.host}`]: randomSecret(),
    };
    this.users = options.users ?? { alice: "alice-pw", bob: "bob-pw" };
  }

  /** Writes the config and starts the server (users are registered on boot). */
  static async start(options: EjabberdOptions = {}): Promise<Ejabberd> {
    const dir = await Deno.makeTempDir({ prefix: "xmpp-rest-ejabberd-" });
    const server = new Ejabberd(dir, options);
    try {
      await Deno.mkdir(`${dir}/spool`);
      await Deno.mkdir(`${dir}/logs`);
      for (let tries = 1;; tries++) {
        [server.#c2sPort, server.#componentPort] = freePorts(2);
        await server.#writeConfig();
        try {
          await server.start();
          return server;
        } catch (error) {
          const portTaken = error instanceof EjabberdStartError &&
            /address already in use|eaddrinuse/.test(error.message);
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
    return `${this.dir}/ejabberd.yml`;
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

  /** Starts the server (again) on the configured ports and waits until it is ready. */
  async start(): Promise<void> {
    if (this.#child) return;
    this.#logOffset = await fileSize(this.#logPath);
    await Deno.remove(this.#readyPath).catch(() => {});
    const child = new Deno.Command(findExecutable("erl") ?? "erl", {
      args: this.#erlArgs(),
      cwd: this.dir,
      env: this.#erlEnv(),
      // Held open until the VM exits: EOF (the harness died) stops ejabberd.
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    this.#output = collect(child);
    const exited = child.status;
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const ready = await readText(this.#readyPath);
      if (ready !== undefined && ready !== "ok\n") {
        await this.stop();
        throw new EjabberdStartError(
          await this.#describe(`boot script failed: ${ready.trim()}`),
        );
      }
      if (
        ready !== undefined && await accepts(this.#componentPort) &&
        await accepts(this.#c2sPort)
      ) return;
      const status = await within(exited, 50);
      if (status) {
        this.#child = undefined;
        await child.stdin.close().catch(() => {});
        const output = await this.#output;
        throw new EjabberdStartError(
          await this.#describe(`exited with code ${status.code}`, output),
        );
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new EjabberdStartError(
          await this.#describe(`not ready after ${START_TIMEOUT_MS} ms`),
        );
      }
    }
  }

  /** Stops the server: SIGTERM (a clean Erlang shutdown), then SIGKILL after a grace period. */
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
    await child.stdin.close().catch(() => {});
    await this.#output;
  }

  /** Stops and starts the server on the same ports. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** The last `lines` lines of the server log. */
  async logTail(lines = 30): Promise<string> {
    const text = await readText(this.#logPath);
    if (text === undefined) return "(no log)";
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }

  get #logPath(): string {
    return `${this.dir}/logs/ejabberd.log`;
  }

  get #readyPath(): string {
    return `${this.dir}/ready`;
  }

  /** `erl` arguments: what `ejabberdctl foreground` passes, minus distribution, plus the boot script. */
  #erlArgs(): string[] {
    return [
      "-noinput",
      "+K",
      "true",
      // Idle schedulers sleep at once: many test VMs share the CPUs.
      "+sbwt",
      "none",
      "+sbwtdcpu",
      "none",
      "+sbwtdio",
      "none",
      "-mnesia",
      "dir",
      erlString(`${this.dir}/spool`),
      "-s",
      "ejabberd",
      "-eval",
      this.#bootScript(),
    ];
  }

  #erlEnv(): Record<string, string> {
    const env: Record<string, string> = {
      EJABBERD_CONFIG_PATH: this.configPath,
      EJABBERD_LOG_PATH: this.#logPath,
      ERL_CRASH_DUMP: `${this.dir}/logs/erl_crash.dump`,
      ERL_CRASH_DUMP_BYTES: "0",
      // Keep a developer's ~/.erlang or cookie out of it.
      HOME: this.dir,
    };
    const libs = ejabberdLibs();
    if (libs) env.ERL_LIBS = libs;
    return env;
  }

  /** Erlang run after `-s ejabberd`: stops the VM on stdin EOF; waits for the app, registers the users, writes the ready marker. */
  #bootScript(): string {
    const host = erlBinary(this.host);
    const users = Object.entries(this.users).map(([user, password]) =>
      `{${erlBinary(user)}, ${erlBinary(password)}}`
    ).join(", ");
    return `spawn(fun() ->
        Stdin = open_port({fd, 0, 0}, [in, binary, eof]),
        Wait = fun W() -> receive {Stdin, eof} -> init:stop(); _ -> W() end end,
        Wait()
      end),
      Result = try
        {ok, _} = application:ensure_all_started(ejabberd),
        Bad = [{U, R} || {U, P} <- [${users}],
          R <- [ejabberd_auth:try_register(U, ${host}, P)],
          R =/= ok, R =/= {error, exists}],
        case Bad of [] -> "ok\\n"; _ -> io_lib:format("~p~n", [Bad]) end
      catch Class:Reason -> io_lib:format("~p:~p~n", [Class, Reason])
      end,
      ok = file:write_file(${erlString(this.#readyPath + ".tmp")}, Result),
      ok = file:rename(${erlString(this.#readyPath + ".tmp")}, ${
      erlString(this.#readyPath)
    }).`;
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
    const log = (await this.#newLog()).trimEnd().split("\n").slice(-30)
      .join("\n");
    return `Cannot start ejabberd (${this.configPath}): ${what}${out}\n--- log tail ---\n${
      log || "(no log)"
    }`;
  }

  async #writeConfig(): Promise<void> {
    const template = await Deno.readTextFile(TEMPLATE);
    const components = Object.entries(this.components).map(([domain, secret]) =>
      `      ${yaml(domain)}:\n        password: ${yaml(secret)}`
    ).join("\n");
    const fields: Record<string, string> = {
      HOST: yaml(this.host),
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
}

/** A YAML double-quoted scalar (JSON strings are valid YAML). */
function yaml(value: string): string {
  return JSON.stringify(value);
}

function erlString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => "\\" + c)}"`;
}

function erlBinary(value: string): string {
  return `<<${erlString(value)}/utf8>>`;
}

/** `ejabberdctl` on the PATH or in an sbin dir (not on a non-root PATH). */
function findCtl(): string | undefined {
  return findExecutable("ejabberdctl") ?? CTL_PATHS.find(isFile);
}

/** Where the ejabberd OTP apps live: the `ERL_LIBS` that `ejabberdctl` sets, if any. */
function ejabberdLibs(): string | undefined {
  const ctl = findCtl();
  let script = "";
  try {
    if (ctl) script = Deno.readTextFileSync(ctl);
  } catch {
    // Unreadable: erl's own lib dir may still hold ejabberd.
  }
  return /^\s*ERL_LIBS=['"]?([^'"\s]+)/m.exec(script)?.[1];
}
