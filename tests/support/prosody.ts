// Test harness: a real Prosody 0.12 on loopback (free ports, temp data dir) with XEP-0114 components and c2s users.

import * as managed from "./managed_server.ts";
import { findExecutable } from "./server_process.ts";

/** Options of {@linkcode Prosody.start}. */
export type ProsodyOptions = managed.ServerOptions;

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
export class ProsodyStartError extends managed.ServerStartError {}

/**
 * What is Prosody's own: a config from `prosody.cfg.lua`, users registered
 * once with `prosodyctl`, `prosody -F`, ready when the log names both
 * listeners. Exported so that a bench can derive a variant (more modules).
 */
export const PROSODY_DRIVER: managed.ServerDriver = {
  kind: "prosody",
  name: "Prosody",
  template: new URL("./prosody.cfg.lua", import.meta.url),
  logFile: "prosody.log",
  dirs: ["data", "certs"],
  portTaken: /Failed to open server port|Address already in use/,
  StartError: ProsodyStartError,
  configFields: (setup) => ({
    DIR: luaInner(setup.dir),
    HOST: luaInner(setup.host),
    C2S_PORT: String(setup.c2sPort),
    COMPONENT_PORT: String(setup.componentPort),
    COMPONENTS: Object.entries(setup.components).map(([domain, secret]) =>
      `Component ${lua(domain)}\n  component_secret = ${lua(secret)}\n`
    ).join("\n"),
  }),
  prepare: registerUsers,
  command: (setup) => ({
    program: "prosody",
    args: ["--config", setup.configPath, "-F"],
  }),
  async ready(setup, newLog) {
    const log = await newLog();
    const failed = /Failed to open server port[^\n]*/.exec(log);
    if (failed) return { failed: failed[0] };
    return log.includes(`'c2s' on [127.0.0.1]:${setup.c2sPort}`) &&
        log.includes(`'component' on [127.0.0.1]:${setup.componentPort}`)
      ? "listening"
      : "waiting";
  },
};

/** A Prosody server for one test file (see {@linkcode managed.ManagedServer}). */
export type Prosody = managed.ManagedServer;

/**
 * Starts Prosody: writes a config from `prosody.cfg.lua` into a temp dir,
 * registers the users with `prosodyctl`, runs `prosody -F` and waits until
 * both ports accept connections. `stop()` / `restart()` keep the same
 * ports; disposing stops the server and removes the temp dir.
 *
 * @example
 * ```ts
 * await using prosody = await Prosody.start();
 * prosody.componentAddress; // "127.0.0.1:41234"
 * ```
 */
export const Prosody: managed.ServerStarter = managed.serverStarter(
  PROSODY_DRIVER,
);

async function registerUsers(setup: managed.ServerSetup): Promise<void> {
  for (const [user, password] of Object.entries(setup.users)) {
    const { code, stdout, stderr } = await new Deno.Command("prosodyctl", {
      args: [
        "--config",
        setup.configPath,
        "register",
        user,
        setup.host,
        password,
      ],
      stdin: "null",
    }).output();
    if (code !== 0) {
      const text = new TextDecoder().decode(stdout) +
        new TextDecoder().decode(stderr);
      throw new ProsodyStartError(
        `Cannot register ${user}@${setup.host} with prosodyctl (exit ${code}): ${text.trim()}`,
      );
    }
  }
}

function lua(value: string): string {
  return `"${luaInner(value)}"`;
}

function luaInner(value: string): string {
  return value.replace(/[\\"]/g, (c) => "\\" + c).replace(/\n/g, "\\n");
}
