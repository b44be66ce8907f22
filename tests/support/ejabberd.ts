// Test harness: a real ejabberd 23.01 on loopback (free ports, temp spool and log dirs) with XEP-0114 components and c2s users.

import * as managed from "./managed_server.ts";
import { findExecutable, isFile, readText } from "./server_process.ts";

const CTL_PATHS = ["/usr/sbin/ejabberdctl", "/usr/local/sbin/ejabberdctl"];

/** Options of {@linkcode Ejabberd.start}. */
export type EjabberdOptions = managed.ServerOptions;

/** Why ejabberd did not start; the message carries the log tail. */
export class EjabberdStartError extends managed.ServerStartError {}

/** True when `erl` and an ejabberd installation (its `ejabberdctl`) are present. */
export function ejabberdInstalled(): boolean {
  return findExecutable("erl") !== undefined && findCtl() !== undefined;
}

/**
 * What is ejabberd's own: a config from `ejabberd.yml`, the Erlang VM
 * booted directly (`erl -s ejabberd`, no `ejabberdctl`, no su to the
 * ejabberd user) without distribution (no epmd, node name or distribution
 * port), users registered by a boot script that then writes a ready
 * marker, and stdin held open so the VM stops when the harness dies.
 */
const EJABBERD_DRIVER: managed.ServerDriver = {
  kind: "ejabberd",
  name: "ejabberd",
  template: new URL("./ejabberd.yml", import.meta.url),
  logFile: "logs/ejabberd.log",
  dirs: ["spool", "logs"],
  startTimeoutMs: 30_000,
  pollMs: 50,
  portTaken: /address already in use|eaddrinuse/,
  StartError: EjabberdStartError,
  configFields: (setup) => ({
    HOST: yaml(setup.host),
    C2S_PORT: String(setup.c2sPort),
    COMPONENT_PORT: String(setup.componentPort),
    COMPONENTS: Object.entries(setup.components).map(([domain, secret]) =>
      `      ${yaml(domain)}:\n        password: ${yaml(secret)}`
    ).join("\n"),
  }),
  beforeStart: (setup) => Deno.remove(readyPath(setup)).catch(() => {}),
  command: (setup) => ({
    program: findExecutable("erl") ?? "erl",
    args: erlArgs(setup),
    cwd: setup.dir,
    env: erlEnv(setup),
    // EOF on stdin (the harness died) stops ejabberd: see bootScript().
    holdStdin: true,
  }),
  async ready(setup) {
    const ready = await readText(readyPath(setup));
    if (ready === undefined) return "waiting";
    if (ready !== "ok\n") {
      return { failed: `boot script failed: ${ready.trim()}` };
    }
    return "listening";
  },
};

/** An ejabberd server for one test file (see {@linkcode managed.ManagedServer}). */
export type Ejabberd = managed.ManagedServer;

/**
 * Starts ejabberd: writes a config from `ejabberd.yml` into a temp dir,
 * boots the VM, which registers the users and writes a ready marker, and
 * waits for it and for both ports (only the c2s and component listeners
 * open, both on 127.0.0.1). `stop()` / `restart()` keep the ports and the
 * spool (users stay); disposing stops the server and removes the temp dir.
 *
 * @example
 * ```ts
 * await using ejabberd = await Ejabberd.start({ users: { carol: "pw" } });
 * await ejabberd.restart(); // same ports, carol still registered
 * ```
 */
export const Ejabberd: managed.ServerStarter = managed.serverStarter(
  EJABBERD_DRIVER,
);

function readyPath(setup: managed.ServerSetup): string {
  return `${setup.dir}/ready`;
}

/** `erl` arguments: what `ejabberdctl foreground` passes, minus distribution, plus the boot script. */
function erlArgs(setup: managed.ServerSetup): string[] {
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
    erlString(`${setup.dir}/spool`),
    "-s",
    "ejabberd",
    "-eval",
    bootScript(setup),
  ];
}

function erlEnv(setup: managed.ServerSetup): Record<string, string> {
  const env: Record<string, string> = {
    EJABBERD_CONFIG_PATH: setup.configPath,
    EJABBERD_LOG_PATH: setup.logPath,
    ERL_CRASH_DUMP: `${setup.dir}/logs/erl_crash.dump`,
    ERL_CRASH_DUMP_BYTES: "0",
    // Keep a developer's ~/.erlang or cookie out of it.
    HOME: setup.dir,
  };
  const libs = ejabberdLibs();
  if (libs) env.ERL_LIBS = libs;
  return env;
}

/** Erlang run after `-s ejabberd`: stops the VM on stdin EOF; waits for the app, registers the users, writes the ready marker. */
function bootScript(setup: managed.ServerSetup): string {
  const host = erlBinary(setup.host);
  const users = Object.entries(setup.users).map(([user, password]) =>
    `{${erlBinary(user)}, ${erlBinary(password)}}`
  ).join(", ");
  const ready = readyPath(setup);
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
    ok = file:write_file(${erlString(ready + ".tmp")}, Result),
    ok = file:rename(${erlString(ready + ".tmp")}, ${erlString(ready)}).`;
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
