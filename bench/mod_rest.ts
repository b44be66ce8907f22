// Prosody with its community module mod_rest beside the gateway (bench/e2e.ts): mod_rest fetched from Debian's package into a cache dir when missing, never part of this repository.
// mod_rest runs as `Component "rest.HOST" "rest"` (its README, "As a Component"),
// authenticated with a Prosody token (its README, "OAuth2": mod_rest takes bearer
// tokens of mod_tokenauth). Prosody 0.12 keeps tokens in the `auth_tokens` store,
// so the bench writes one token there before the server starts.

import * as managed from "../tests/support/managed_server.ts";
import { PROSODY_DRIVER } from "../tests/support/prosody.ts";
import { freePorts, isFile } from "../tests/support/server_process.ts";

/** The Debian package that ships mod_rest (bookworm-backports; Debian 12's own prosody-modules lacks it). */
export const PROSODY_MODULES_DEB = {
  version: "0.0~hg20250402.f315edc39f3d+dfsg-1~bpo12+1",
  url: "http://deb.debian.org/debian/pool/main/p/prosody-modules/" +
    "prosody-modules_0.0~hg20250402.f315edc39f3d+dfsg-1~bpo12+1_all.deb",
} as const;

/** Where the extracted package is kept between runs (outside the repository). */
export function modulesCacheDir(): string {
  const base = Deno.env.get("XDG_CACHE_HOME") ??
    (Deno.env.get("HOME") ? `${Deno.env.get("HOME")}/.cache` : "/tmp");
  return `${base}/xmpp-rest-bench/prosody-modules_${PROSODY_MODULES_DEB.version}`;
}

/** Prosody's module dir holding `mod_rest/`, or why there is none. */
export type ModRestModules = { dir: string } | { missing: string };

async function run(program: string, args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command(program, {
      args,
      stdout: "null",
      stderr: "piped",
    }).output();
    return out.success ? null : new TextDecoder().decode(out.stderr).trim();
  } catch (error) {
    return `${program}: ${(error as Error).message}`;
  }
}

/**
 * The module dir with mod_rest: env `PROSODY_MODULES_DIR` if set, else the
 * cache, downloading the .deb with curl and unpacking it with `dpkg-deb -x`
 * (no root, nothing installed) when the cache is empty.
 */
export async function modRestModules(): Promise<ModRestModules> {
  const given = Deno.env.get("PROSODY_MODULES_DIR");
  const cache = modulesCacheDir();
  const dir = given ?? `${cache}/usr/lib/prosody/modules`;
  if (isFile(`${dir}/mod_rest/mod_rest.lua`)) return { dir };
  if (given) return { missing: `no mod_rest/mod_rest.lua in ${given}` };
  await Deno.mkdir(cache, { recursive: true });
  const deb = `${cache}.deb`;
  const fetched = await run("curl", [
    ...["-fsSL", "--max-time", "120", "-o", deb],
    PROSODY_MODULES_DEB.url,
  ]);
  if (fetched !== null) {
    return {
      missing: `cannot download ${PROSODY_MODULES_DEB.url} (${fetched})`,
    };
  }
  const unpacked = await run("dpkg-deb", ["-x", deb, cache]);
  await Deno.remove(deb).catch(() => {});
  if (unpacked !== null) return { missing: `dpkg-deb -x failed: ${unpacked}` };
  return isFile(`${dir}/mod_rest/mod_rest.lua`)
    ? { dir }
    : { missing: `the package has no mod_rest (looked in ${dir})` };
}

/** How to reach mod_rest on the bench's Prosody. */
export interface ModRest {
  /** Base URL; requests go to `${url}/rest`. */
  readonly url: string;
  /** The component's domain (`rest.HOST`). */
  readonly domain: string;
  /** `Authorization` header value (a mod_tokenauth bearer token). */
  readonly authorization: string;
}

/** The bench's Prosody: the test harness's server plus, when available, mod_rest. */
export interface BenchProsody extends AsyncDisposable {
  /** The server (components and users as in the tests). */
  readonly server: managed.ManagedServer;
  /** Prosody's process id (its CPU includes mod_rest's and all routing). */
  readonly pid: number;
  /** mod_rest, or why it is not there. */
  readonly modRest: ModRest | { missing: string };
}

const lua = (s: string) => JSON.stringify(s);

/** Percent-encoding of Prosody's datamanager for file names. */
const encodePath = (s: string) =>
  s.replace(/\W/g, (c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0"));

/**
 * Starts Prosody as the test harness does but logging at info level (as a
 * server in production would; the tests log debug), and with mod_rest on
 * `rest.localhost` posting to `callbackUrl` when the module is available.
 */
export async function startBenchProsody(
  callbackUrl: string,
): Promise<BenchProsody> {
  const modules = await modRestModules();
  const host = "localhost";
  const domain = `rest.${host}`;
  const [httpPort] = freePorts(1);
  const tokenId = crypto.getRandomValues(new Uint8Array(16)).toHex();
  const token = btoa(`1;bench@${domain};${tokenId}`);
  let template = (await Deno.readTextFile(PROSODY_DRIVER.template))
    .replace(/min = "debug"/, 'min = "info"');
  if ("dir" in modules) {
    template = template.replace(
      /^http_ports = \{ \}$/m,
      `http_ports = { ${httpPort} }\nhttp_interfaces = { "127.0.0.1" }\n` +
        `http_default_host = ${lua(domain)}\n` +
        `plugin_paths = { ${lua(modules.dir)} }`,
    ) + `\nComponent ${lua(domain)} "rest"\n` +
      `  rest_callback_url = ${lua(callbackUrl)}\n`;
  }
  const tmp = await Deno.makeTempDir({ prefix: "xmpp-rest-bench-cfg-" });
  const templatePath = `${tmp}/prosody.cfg.lua`;
  await Deno.writeTextFile(templatePath, template);
  const driver: managed.ServerDriver = {
    ...PROSODY_DRIVER,
    template: new URL(`file://${templatePath}`),
    async prepare(setup) {
      await PROSODY_DRIVER.prepare?.(setup);
      if (!("dir" in modules)) return;
      // Prosody 0.12's mod_tokenauth keeps tokens in the map store
      // `auth_tokens` of the token's host, keyed by user and token id.
      const store = `${setup.dir}/data/${encodePath(domain)}/auth_tokens`;
      await Deno.mkdir(store, { recursive: true });
      await Deno.writeTextFile(
        `${store}/bench.dat`,
        `return { [${lua(tokenId)}] = { owner = ${lua(`bench@${domain}`)}; ` +
          `created = ${Math.floor(Date.now() / 1000)}; jid = ${
            lua(`bench@${domain}`)
          }; session = { username = "bench"; host = ${lua(domain)} } } };\n`,
      );
    },
    async ready(setup, newLog) {
      const base = await PROSODY_DRIVER.ready(setup, newLog);
      if (base !== "listening" || !("dir" in modules)) return base;
      return (await newLog()).includes(`'http' on [127.0.0.1]:${httpPort}`)
        ? "listening"
        : "waiting";
    },
  };
  try {
    const server = await managed.serverStarter(driver).start({ host });
    return {
      server,
      pid: server.pid!,
      modRest: "dir" in modules
        ? {
          url: `http://127.0.0.1:${httpPort}`,
          domain,
          authorization: `Bearer ${token}`,
        }
        : modules,
      async [Symbol.asyncDispose]() {
        await server[Symbol.asyncDispose]();
        await Deno.remove(tmp, { recursive: true }).catch(() => {});
      },
    };
  } catch (error) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw error;
  }
}
