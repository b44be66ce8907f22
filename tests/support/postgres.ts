// Test harness: a real PostgreSQL (Debian's postgresql package) on loopback: initdb in a temp dir, a free port, its own pid, stopped by pid.

import {
  accepts,
  collect,
  freePorts,
  isFile,
  readText,
  within,
} from "./server_process.ts";

const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const POLL_MS = 50;
const MAX_PORT_TRIES = 3;
const BIN_ROOT = "/usr/lib/postgresql";
/** PostgreSQL refuses to run as root; as root the harness runs it as this system user. */
const SYSTEM_USER = "postgres";

/** Why PostgreSQL did not start; the message carries the log tail. */
export class PostgresStartError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "PostgresStartError";
  }
}

/** The bin dir of the newest installed PostgreSQL with `initdb` and `postgres`, if any. */
export function postgresBinDir(): string | undefined {
  let versions: string[];
  try {
    versions = [...Deno.readDirSync(BIN_ROOT)].map((e) => e.name);
  } catch {
    return undefined;
  }
  versions.sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = `${BIN_ROOT}/${version}/bin`;
    if (isFile(`${bin}/initdb`) && isFile(`${bin}/postgres`)) return bin;
  }
  return undefined;
}

/**
 * Registers a test that needs PostgreSQL. Without the binaries it is
 * skipped with a visible notice, except under CI (env `CI` set), where it
 * fails: CI must install PostgreSQL (see `.ci/run`).
 */
export function postgresTest(
  name: string,
  fn: (t: Deno.TestContext) => Promise<void>,
): void {
  if (postgresBinDir()) {
    Deno.test(name, fn);
  } else if (Deno.env.get("CI")) {
    Deno.test(name, () => {
      throw new Error(
        "PostgreSQL not installed (CI must install it: see .ci/run)",
      );
    });
  } else {
    // deno-lint-ignore no-console
    console.warn(`NOTICE: postgresql is not installed; skipping "${name}"`);
    Deno.test({
      name: `${name} (skipped: postgresql not installed)`,
      ignore: true,
      fn: () => {},
    });
  }
}

interface RunAs {
  /** Argument prefix that switches user (empty when not root). */
  readonly prefix: readonly string[];
  readonly uid?: number;
  readonly gid?: number;
}

/**
 * A real PostgreSQL server for one test file: a cluster made with `initdb`
 * in a temp dir, listening on 127.0.0.1 only (and a Unix socket in the
 * temp dir), trust authentication for the `postgres` role. `stop()` is a
 * fast shutdown by pid (SIGINT, then SIGKILL); `stop()` / `restart()` keep
 * the port and the data; disposing stops it and removes the temp dir.
 *
 * @example
 * ```ts
 * await using pg = await Postgres.start();
 * const url = await pg.createDatabase(); // "postgres://postgres@127.0.0.1:PORT/t1"
 * ```
 */
export class Postgres implements AsyncDisposable {
  /** The temp dir (cluster in `data/`, log, socket). */
  readonly dir: string;
  #bin: string;
  #runAs: RunAs;
  #port = 0;
  #child: Deno.ChildProcess | undefined;
  #output: Promise<string> | undefined;
  #databases = 0;

  private constructor(dir: string, bin: string, runAs: RunAs) {
    this.dir = dir;
    this.#bin = bin;
    this.#runAs = runAs;
  }

  /** Makes the temp dir, runs `initdb` and starts the server on a free port. */
  static async start(): Promise<Postgres> {
    const bin = postgresBinDir();
    if (!bin) throw new PostgresStartError("PostgreSQL is not installed");
    const runAs = await systemUser();
    const dir = await Deno.makeTempDir({ prefix: "xmpp-rest-postgres-" });
    const pg = new Postgres(dir, bin, runAs);
    try {
      if (runAs.uid !== undefined) {
        await Deno.chown(dir, runAs.uid, runAs.gid ?? null);
      }
      await pg.#run(`${bin}/initdb`, [
        "-D",
        `${dir}/data`,
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--no-sync",
        "--locale=C",
      ]);
      for (let tries = 1;; tries++) {
        [pg.#port] = freePorts(1);
        try {
          await pg.start();
          return pg;
        } catch (error) {
          const portTaken = error instanceof PostgresStartError &&
            /already in use|could not (create|bind)/i.test(error.message);
          if (!portTaken || tries >= MAX_PORT_TRIES) throw error;
        }
      }
    } catch (error) {
      await pg[Symbol.asyncDispose]();
      throw error;
    }
  }

  /** The TCP port on 127.0.0.1. */
  get port(): number {
    return this.#port;
  }

  /** The pid of the postmaster while it runs. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** True while the server process runs. */
  get running(): boolean {
    return this.#child !== undefined;
  }

  /** A `postgres://` URL of `database` as the superuser. */
  url(database = "postgres"): string {
    return `postgres://postgres@127.0.0.1:${this.#port}/${database}`;
  }

  /** Creates a fresh, empty database and returns its URL. */
  async createDatabase(prefix = "t"): Promise<string> {
    const name = `${prefix}_${++this.#databases}_${Date.now().toString(36)}`;
    await this.sql(`CREATE DATABASE ${name}`);
    return this.url(name);
  }

  /** Runs SQL with `psql` (on `database`), returning its unaligned output. */
  async sql(command: string, database = "postgres"): Promise<string> {
    const { code, stdout, stderr } = await new Deno.Command(
      `${this.#bin}/psql`,
      {
        args: [
          "-X",
          "-A",
          "-t",
          "-v",
          "ON_ERROR_STOP=1",
          "-h",
          "127.0.0.1",
          "-p",
          String(this.#port),
          "-U",
          "postgres",
          "-d",
          database,
          "-c",
          command,
        ],
        stdin: "null",
        env: { PGCONNECT_TIMEOUT: "10" },
      },
    ).output();
    const out = new TextDecoder().decode(stdout);
    if (code !== 0) {
      throw new Error(
        `Cannot run SQL "${command}": psql exited with ${code}: ${
          new TextDecoder().decode(stderr).trim()
        }`,
      );
    }
    return out.trim();
  }

  /** Starts the server (again) on its port and waits until it accepts queries. */
  async start(): Promise<void> {
    if (this.#child) return;
    const logPath = `${this.dir}/postgres.log`;
    const [program, ...prefix] = [
      ...this.#runAs.prefix,
      `${this.#bin}/postgres`,
    ];
    const child = new Deno.Command(program, {
      args: [
        ...prefix,
        "-D",
        `${this.dir}/data`,
        "-p",
        String(this.#port),
        "-k",
        this.dir,
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
        "-c",
        "max_connections=200",
        "-c",
        "shared_buffers=32MB",
        "-c",
        `log_destination=stderr`,
        "-c",
        "logging_collector=off",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    this.#output = collect(child);
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (await accepts(this.#port) && await this.#isReady()) return;
      const status = await within(child.status, POLL_MS);
      if (status) {
        this.#child = undefined;
        const output = await this.#output;
        await Deno.writeTextFile(logPath, output, { append: true });
        throw new PostgresStartError(
          `Cannot start PostgreSQL (${this.dir}): exited with code ${status.code}\n--- output ---\n${output.trim()}`,
        );
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new PostgresStartError(
          `Cannot start PostgreSQL (${this.dir}): not ready after ${START_TIMEOUT_MS} ms\n--- output ---\n${
            (await readText(logPath))?.trim() ?? ""
          }`,
        );
      }
    }
  }

  /** Fast shutdown by pid: SIGINT (clients are disconnected), SIGKILL after a grace period. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    try {
      child.kill("SIGINT");
    } catch {
      // Already exited.
    }
    if (!await within(child.status, STOP_GRACE_MS)) {
      try {
        child.kill("SIGKILL");
      } catch {
        // Exited meanwhile.
      }
      await child.status;
    }
    const output = await this.#output;
    await Deno.writeTextFile(`${this.dir}/postgres.log`, output ?? "", {
      append: true,
    }).catch(() => {});
  }

  /** Stops and starts the server on the same port with the same data. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }

  async #isReady(): Promise<boolean> {
    const { code } = await new Deno.Command(`${this.#bin}/pg_isready`, {
      args: ["-q", "-h", "127.0.0.1", "-p", String(this.#port), "-t", "2"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return code === 0;
  }

  async #run(program: string, args: string[]): Promise<void> {
    const [first, ...prefix] = [...this.#runAs.prefix, program];
    const { code, stdout, stderr } = await new Deno.Command(first, {
      args: [...prefix, ...args],
      stdin: "null",
    }).output();
    if (code !== 0) {
      const text = new TextDecoder().decode(stdout) +
        new TextDecoder().decode(stderr);
      throw new PostgresStartError(
        `Cannot run ${program.split("/").pop()} (exit ${code}): ${text.trim()}`,
      );
    }
  }
}

/** As root: `setpriv` to the `postgres` user (it execs, so the pid is the server's own). */
async function systemUser(): Promise<RunAs> {
  if (Deno.uid() !== 0) return { prefix: [] };
  const passwd = await Deno.readTextFile("/etc/passwd");
  const entry = passwd.split("\n").map((line) => line.split(":")).find((f) =>
    f[0] === SYSTEM_USER
  );
  if (!entry) {
    throw new PostgresStartError(
      `Cannot run PostgreSQL as root and there is no "${SYSTEM_USER}" user (install the postgresql package)`,
    );
  }
  const uid = Number(entry[2]);
  const gid = Number(entry[3]);
  return {
    prefix: [
      "setpriv",
      `--reuid=${uid}`,
      `--regid=${gid}`,
      "--clear-groups",
      "--reset-env",
      "--",
    ],
    uid,
    gid,
  };
}
