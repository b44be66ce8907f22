// Bench helpers for measuring from outside: the gateway started through cli.ts as its own process, and /proc readings of any process.

import { freePorts } from "../tests/support/server_process.ts";
import { TEST_TOKEN } from "../tests/support/gateway_env.ts";

/** CPU time (user + system) of process `pid` so far, µs; NaN off Linux. */
export function cpuUs(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of proc(5), in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return NaN;
  }
}

/** Resident set size of process `pid`, bytes; NaN off Linux. */
export function rssBytes(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? NaN : Number(kb) * 1024;
  } catch {
    return NaN;
  }
}

/** A gateway process started as a user starts it. */
export interface GatewayProcess extends AsyncDisposable {
  /** Its process id (the `deno` process itself). */
  readonly pid: number;
  /** Base URL of its HTTP API. */
  readonly url: string;
  /** Its log file (stderr). */
  readonly logPath: string;
}

/** Where and how to start {@linkcode startGatewayProcess}. */
export interface GatewayProcessOptions {
  /** `HOST:PORT` of the XMPP server's component listener. */
  server: string;
  /** Component domain. */
  domain: string;
  /** Component secret. */
  secret: string;
  /** More command-line flags (e.g. `--callback-url`). */
  flags?: string[];
  /** More `deno run` flags (e.g. `--inspect`). */
  denoFlags?: string[];
  /** The entry point to run; default this checkout's `cli.ts` (another checkout's for A/B runs). */
  cli?: string;
  /** Serve HTTPS with these PEM files (`cert` is the text, for the readiness check). */
  tls?: { certPath: string; keyPath: string; cert: string };
}

/**
 * Starts `deno run -A cli.ts` with the default settings plus the required
 * ones (server, domain, secret, one bearer credential, a free port),
 * stderr (the log) to a file as a service manager would keep it, and
 * waits until `/readyz` says the XMPP stream is online.
 */
export async function startGatewayProcess(
  options: GatewayProcessOptions,
): Promise<GatewayProcess> {
  const [port] = freePorts(1);
  const dir = await Deno.makeTempDir({ prefix: "xmpp-rest-bench-" });
  const logPath = `${dir}/gateway.log`;
  const cli = options.cli ?? new URL("../cli.ts", import.meta.url).pathname;
  const args = [
    "run",
    "-A",
    ...options.denoFlags ?? [],
    cli,
    "--server",
    options.server,
    "--domain",
    options.domain,
    "--secret",
    options.secret,
    "--listen",
    `127.0.0.1:${port}`,
    "--credentials",
    TEST_TOKEN,
    ...options.tls
      ? ["--tls-cert", options.tls.certPath, "--tls-key", options.tls.keyPath]
      : [],
    ...options.flags ?? [],
  ];
  // `exec` keeps the pid: the shell only redirects stderr (and stdout, where
  // V8 writes what `--v8-flags=--trace-gc` asks for) to the log file.
  const child = new Deno.Command("sh", {
    args: [
      "-c",
      'log="$1"; shift; exec "$@" >>"$log" 2>&1',
      "sh",
      logPath,
      Deno.execPath(),
      ...args,
    ],
    cwd: dir,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;
  using client = Deno.createHttpClient({
    caCerts: options.tls ? [options.tls.cert] : [],
  });
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    await child.status;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/readyz`, { client }).then(
      async (res) => (await res.body?.cancel(), res.ok),
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      const log = await Deno.readTextFile(logPath).catch(() => "");
      throw new Error(`The gateway did not get ready:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid,
    url,
    logPath,
    async [Symbol.asyncDispose]() {
      await stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Open file descriptors of process `pid` (sockets included); NaN off Linux. */
export function openDescriptors(pid: number): number {
  try {
    return [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
  } catch {
    return NaN;
  }
}

/** A CPU reading of `pid` (and of the XMPP server `serverPid`) around `run`: the result plus µs of CPU per counted item. */
export async function withCpu<T>(
  pid: number,
  run: () => Promise<T>,
  count: (result: T) => number,
  serverPid = NaN,
): Promise<T & { cpuUs: number; serverCpuUs: number }> {
  const before = cpuUs(pid), serverBefore = cpuUs(serverPid);
  const result = await run();
  const n = count(result);
  return {
    ...result,
    cpuUs: (cpuUs(pid) - before) / n,
    serverCpuUs: (cpuUs(serverPid) - serverBefore) / n,
  };
}
