// deno-lint-ignore-file no-console
/**
 * Command-line entry point: `deno run -A cli.ts --help`.
 *
 * @module
 */

import { helpText, loadConfig } from "./src/config/load.ts";
import type { GatewayConfig } from "./src/config/options.ts";
import { startDevServer } from "./src/devserver/server.ts";
import { createGateway, type Gateway } from "./src/gateway.ts";
import { changedFields, RELOADABLE_FIELDS } from "./src/reload.ts";
import { batchedStderr, createLogger, type Logger } from "./src/logger.ts";
import { VERSION } from "./src/version.ts";
import { openMallocTrim, startMemoryTrim } from "./src/native_memory.ts";
import { startIdleCollect } from "./src/idle_collect.ts";
import { DEFAULT_DATA_DIR, MEMORY_DATA_DIR } from "./src/store/open.ts";

const DEV_DOMAIN = "rest.localhost";

function readTextFile(path: string): string {
  return Deno.readTextFileSync(path);
}

function environment(): Record<string, string> {
  try {
    return Deno.env.toObject();
  } catch {
    return {}; // no --allow-env: flags and the config file only
  }
}

function randomToken(): string {
  return crypto.getRandomValues(new Uint8Array(18)).toHex();
}

/** The PEM certificate and key named by --tls-cert / --tls-key, if any. */
function readTls(
  config: GatewayConfig,
): { cert: string; key: string } | undefined {
  if (config.tlsCert === undefined || config.tlsKey === undefined) {
    return undefined;
  }
  const read = (flag: string, path: string) => {
    try {
      return readTextFile(path);
    } catch (error) {
      throw new Error(
        `cannot read --${flag} ${path}: ${(error as Error).message}`,
      );
    }
  };
  return {
    cert: read("tls-cert", config.tlsCert),
    key: read("tls-key", config.tlsKey),
  };
}

async function startGateway(
  config: GatewayConfig,
  logger: Logger,
): Promise<Gateway> {
  try {
    return await createGateway({ ...config, tls: readTls(config), logger });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new Error(
        `cannot listen on ${config.listen.hostname}:${config.listen.port}: the port is in use (set --listen)`,
      );
    }
    if (error instanceof Deno.errors.InvalidData && config.tlsCert) {
      throw new Error(
        `cannot use --tls-cert ${config.tlsCert} with --tls-key ${config.tlsKey}: ${
          (error as Error).message
        } (PEM files expected)`,
      );
    }
    throw error;
  }
}

function devBanner(gateway: Gateway, token: string, xmppPort: number): string {
  const auth = `-H 'Authorization: Bearer ${token}'`;
  const json = `-H 'Content-Type: application/json'`;
  const url = gateway.url;
  return [
    "",
    "xmpp-rest dev mode: the gateway runs against an embedded XMPP server.",
    "The embedded server is for trying and testing only; it is not a production XMPP server.",
    "",
    `  HTTP API        ${url}/rest`,
    `  component       ${DEV_DOMAIN} (XEP-0114 to 127.0.0.1:${xmppPort})`,
    `  XMPP server     localhost (answers ping, version, disco; echo@localhost echoes messages;`,
    `                  slow@localhost answers iqs after 3 s)`,
    `  token           Bearer ${token}`,
    "",
    "Try:",
    `  curl -i ${auth} ${json} -d '{"kind":"message","type":"chat","to":"echo@localhost","body":"Hello"}' ${url}/rest`,
    `  curl ${auth} ${json} -H 'Accept: application/json' -d '{"kind":"iq","type":"get","to":"localhost","ping":true}' ${url}/rest`,
    `  curl ${auth} -H 'Accept: application/json' ${url}/rest/version/localhost`,
    "",
  ].join("\n");
}

/**
 * SIGHUP (README "Reloading the configuration"): reads flags, environment
 * and config file again; applies credentials, Basic, the metrics credential
 * and webhook settings without dropping the stream; names the changed
 * settings that need a restart. A configuration that does not validate, or
 * that the gateway cannot apply, changes nothing and is logged with why.
 */
function reload(
  args: string[],
  running: GatewayConfig,
  gateway: Gateway,
  logger: Logger,
  devOverrides?: (c: GatewayConfig) => void,
): void {
  const next = loadConfig({ args, env: environment(), readTextFile });
  const failed = (reason: string) =>
    logger.error("configuration reload failed; keeping the current settings", {
      reason,
    });
  if (!next.ok) return failed(next.errors.join("; "));
  const config = next.config;
  devOverrides?.(config);
  const reloadable = RELOADABLE_FIELDS as readonly string[];
  const changed = changedFields(running, config);
  try {
    gateway.reload(config);
  } catch (error) {
    return failed((error as Error).message);
  }
  Object.assign(
    running,
    Object.fromEntries(RELOADABLE_FIELDS.map((f) => [f, config[f]])),
  );
  // Names only: values may be credentials.
  logger.info("configuration reloaded", {
    changed: changed.filter((f) => reloadable.includes(f)),
  });
  const later = changed.filter((f) => !reloadable.includes(f));
  if (later.length > 0) {
    logger.warn("changed settings take effect after a restart", {
      settings: later,
    });
  }
}

async function main(args: string[]): Promise<number> {
  const result = loadConfig({ args, env: environment(), readTextFile });
  if (result.flags.help) {
    console.log(helpText(VERSION));
    return 0;
  }
  if (result.flags.version) {
    console.log(`xmpp-rest ${VERSION}`);
    return 0;
  }
  if (!result.ok) {
    for (const line of result.errors) console.error(`xmpp-rest: ${line}`);
    return 2;
  }
  const config = result.config;
  const dev = result.flags.dev;
  const logger = createLogger({
    level: config.logLevel,
    format: config.logFormat,
  });

  let devServer: Awaited<ReturnType<typeof startDevServer>> | undefined;
  let token = "";
  // --dev supplies the domain, secret and server (on every reload too).
  let devOverrides: ((c: GatewayConfig) => void) | undefined;
  if (dev) {
    const secret = randomToken();
    const server = await startDevServer({
      components: { [DEV_DOMAIN]: secret },
      version: VERSION,
      logger,
    });
    devServer = server;
    const generated = config.credentials.length === 0
      ? `Bearer ${randomToken()}`
      : undefined;
    devOverrides = (c) => {
      // Trying things out: events in memory unless a data dir is asked for.
      if (c.dataDir === DEFAULT_DATA_DIR) c.dataDir = MEMORY_DATA_DIR;
      c.domain = DEV_DOMAIN;
      c.secret = secret;
      c.server = { hostname: server.hostname, port: server.port };
      if (c.credentials.length === 0 && generated) c.credentials = [generated];
    };
    devOverrides(config);
    const first = config.credentials[0];
    token = (typeof first === "string" ? first : first.credential)
      .replace(/^bearer\s+/i, "");
  }

  let gateway: Gateway;
  try {
    gateway = await startGateway(config, logger);
  } catch (error) {
    batchedStderr.flush();
    console.error(`xmpp-rest: ${(error as Error).message}`);
    await devServer?.close();
    return 1;
  }
  if (dev && devServer) {
    await gateway.component.waitOnline();
    console.log(devBanner(gateway, token, devServer.port));
  } else {
    logger.info("xmpp-rest started", {
      version: VERSION,
      http: gateway.url,
      maxConnections: gateway.httpServer.maxConnections,
      domain: config.domain,
      server: `${config.server.hostname}:${config.server.port}`,
      ...(gateway.instance
        ? { instance: gateway.instance.id, role: gateway.instance.role }
        : {}),
    });
  }

  // Memory upkeep on one interval (README "Performance", SSE): freed native memory back to the system,
  // and once quiet after a burst, V8's grown young generation too.
  const trim = openMallocTrim();
  const stopTrim = startMemoryTrim({
    intervalSeconds: config.memoryTrim,
    trim,
  });
  const stopCollect = startIdleCollect({
    intervalSeconds: config.memoryTrim,
    afterCollect: trim,
  });
  const stopped = Promise.withResolvers<void>();
  const onSignal = () => stopped.resolve();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(signal, onSignal);
    } catch { /* signals unsupported on this platform */ }
  }
  try {
    Deno.addSignalListener(
      "SIGHUP",
      () => reload(args, config, gateway, logger, devOverrides),
    );
  } catch { /* signals unsupported on this platform */ }
  await stopped.promise;
  logger.info("xmpp-rest stopping");
  stopTrim();
  stopCollect();
  await gateway.stop();
  await devServer?.close();
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
