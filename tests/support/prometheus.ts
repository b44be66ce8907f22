// Test harness: a real Prometheus (Debian's prometheus) on loopback (free port, temp data dir, own pid) scraping one target.

import {
  collect,
  findExecutable,
  freePorts,
  within,
} from "./server_process.ts";

const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

/** True when a `prometheus` executable is on the PATH. */
export function prometheusInstalled(): boolean {
  return findExecutable("prometheus") !== undefined;
}

/**
 * Registers a test that needs Prometheus: skipped with a notice when it is
 * not installed, failed under CI (env `CI`), which must install it.
 */
export function prometheusTest(
  name: string,
  fn: (t: Deno.TestContext) => Promise<void>,
): void {
  if (prometheusInstalled()) {
    Deno.test(name, fn);
  } else if (Deno.env.get("CI")) {
    Deno.test(name, () => {
      throw new Error(
        "Prometheus not installed (CI must install it: see .ci/run)",
      );
    });
  } else {
    // deno-lint-ignore no-console
    console.warn(`NOTICE: prometheus is not installed; skipping "${name}"`);
    Deno.test({ name: `${name} (skipped)`, ignore: true, fn: () => {} });
  }
}

/** Options of {@linkcode Prometheus.start}. */
export interface PrometheusOptions {
  /** `HOST:PORT` to scrape. */
  target: string;
  /** The Bearer token the scrape sends. */
  bearer: string;
}

/** One sample of an instant query. */
export interface QuerySample {
  /** Its labels. */
  metric: Record<string, string>;
  /** Its value. */
  value: number;
}

/**
 * A Prometheus for one test: config from `prometheus.yml` in a temp dir,
 * TSDB in the same dir, web API on a free loopback port. Disposing stops
 * it (SIGTERM, then SIGKILL) and removes the dir.
 */
export class Prometheus implements AsyncDisposable {
  /** Base URL of the HTTP API. */
  readonly url: string;
  readonly #dir: string;
  readonly #child: Deno.ChildProcess;
  readonly #output: Promise<string>;

  private constructor(url: string, dir: string, child: Deno.ChildProcess) {
    this.url = url;
    this.#dir = dir;
    this.#child = child;
    this.#output = collect(child);
  }

  /** Starts Prometheus and waits until `/-/ready` answers 200. */
  static async start(options: PrometheusOptions): Promise<Prometheus> {
    const dir = await Deno.makeTempDir({ prefix: "xmpp-rest-prometheus-" });
    const template = await Deno.readTextFile(
      new URL("./prometheus.yml", import.meta.url),
    );
    const fields: Record<string, string> = {
      TARGET: options.target,
      CREDENTIAL: options.bearer,
    };
    await Deno.writeTextFile(
      `${dir}/prometheus.yml`,
      template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => fields[name]),
    );
    const [port] = freePorts(1);
    const child = new Deno.Command("prometheus", {
      args: [
        `--config.file=${dir}/prometheus.yml`,
        `--storage.tsdb.path=${dir}/data`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const prometheus = new Prometheus(`http://127.0.0.1:${port}`, dir, child);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const exited = await within(child.status, 200);
      if (exited) {
        const output = await prometheus.#output;
        await Deno.remove(dir, { recursive: true }).catch(() => {});
        throw new Error(
          `Cannot start Prometheus: exited with code ${exited.code}\n${output}`,
        );
      }
      try {
        const res = await fetch(`${prometheus.url}/-/ready`);
        await res.body?.cancel();
        if (res.ok) return prometheus;
      } catch {
        // not listening yet
      }
    }
    await prometheus[Symbol.asyncDispose]();
    throw new Error(
      `Cannot start Prometheus: not ready after ${START_TIMEOUT_MS} ms`,
    );
  }

  /** Runs an instant query through the HTTP API (`/api/v1/query`). */
  async query(expr: string): Promise<QuerySample[]> {
    const res = await fetch(
      `${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`,
    );
    const body = await res.json();
    if (body.status !== "success") {
      throw new Error(
        `Prometheus query ${expr} failed: ${JSON.stringify(body)}`,
      );
    }
    return (body.data.result as {
      metric: Record<string, string>;
      value: [number, string];
    }[])
      .map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** The scrape targets' health (`/api/v1/targets`). */
  async targets(): Promise<{ health: string; lastError: string }[]> {
    const res = await fetch(`${this.url}/api/v1/targets`);
    const body = await res.json();
    return body.data.activeTargets;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // already exited
    }
    if (!await within(this.#child.status, STOP_GRACE_MS)) {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // exited meanwhile
      }
      await this.#child.status;
    }
    await this.#output;
    await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
  }
}
