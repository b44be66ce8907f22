// Configuration loading (README "Configuration"): flags > XMPP_REST_* env > JSON config file > defaults; every problem reported.

import { parseArgs } from "node:util";
import { DEFAULTS, type GatewayConfig, OPTIONS } from "./options.ts";
import { fromPattern, type ScopedCredential } from "../http/scope.ts";

/** Where configuration comes from; all effects are injected. */
export interface ConfigSources {
  /** Command-line arguments (without the program name). */
  args: readonly string[];
  /** Environment variables. */
  env: Readonly<Record<string, string | undefined>>;
  /** Reads the `--config` file; throws when it cannot. */
  readTextFile?: (path: string) => string;
}

/** Flags that are not configuration options. */
export interface CliFlags {
  /** `--help` given. */
  help: boolean;
  /** `--version` given. */
  version: boolean;
  /** `--dev`: run against the embedded development XMPP server. */
  dev: boolean;
  /** `--config FILE`, if given. */
  configPath?: string;
}

/** The outcome of {@linkcode loadConfig}. */
export type LoadResult =
  | { ok: true; config: GatewayConfig; flags: CliFlags }
  | { ok: false; errors: string[]; flags: CliFlags };

const EXTRA_FLAGS = {
  config: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
  dev: { type: "boolean" },
} as const;

/**
 * Loads and validates the configuration. Collects every problem (one line
 * each) instead of stopping at the first.
 *
 * @example
 * ```ts
 * const result = loadConfig({ args: ["--domain", "gw.localhost", "--secret", "s"], env: {} });
 * if (result.ok) console.log(result.config.listen.port);
 * ```
 */
export function loadConfig(sources: ConfigSources): LoadResult {
  const errors: string[] = [];
  const flagOptions: Record<string, { type: "string"; multiple?: boolean }> =
    {};
  for (const spec of OPTIONS) {
    flagOptions[spec.flag] = {
      type: "string",
      multiple: spec.list === true,
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...sources.args],
      options: { ...flagOptions, ...EXTRA_FLAGS },
      strict: false,
      allowPositionals: true,
    });
  } catch (error) {
    const flags = { help: false, version: false, dev: false };
    return { ok: false, errors: [(error as Error).message], flags };
  }
  const values = parsed.values as Record<string, unknown>;
  const flags: CliFlags = {
    help: values.help === true,
    version: values.version === true,
    dev: values.dev === true,
    configPath: typeof values.config === "string" ? values.config : undefined,
  };
  const known = new Set([
    ...OPTIONS.map((o) => o.flag),
    ...Object.keys(EXTRA_FLAGS),
    "h",
    "V",
  ]);
  for (const name of Object.keys(values)) {
    if (!known.has(name)) errors.push(`unknown option --${name} (see --help)`);
  }
  for (const positional of parsed.positionals) {
    errors.push(`unexpected argument "${positional}" (see --help)`);
  }
  const valueless = new Set<string>();
  for (const spec of OPTIONS) {
    const value = values[spec.flag];
    if (value === true || (Array.isArray(value) && value.includes(true))) {
      errors.push(`--${spec.flag} needs a value (${spec.placeholder})`);
      valueless.add(spec.field);
    }
  }
  for (const name of ["config"] as const) {
    if (values[name] === true) errors.push(`--${name} needs a value (FILE)`);
  }

  const file = flags.configPath
    ? readFile(flags.configPath, sources, errors)
    : {};
  const envNames = new Set(OPTIONS.map((o) => o.env));
  for (const name of Object.keys(sources.env)) {
    if (name.startsWith("XMPP_REST_") && !envNames.has(name)) {
      errors.push(`unknown environment variable ${name}`);
    }
  }

  const config: Record<string, unknown> = { ...DEFAULTS };
  for (const spec of OPTIONS) {
    const fromFlag = values[spec.flag];
    const fromEnv = sources.env[spec.env];
    let raw: unknown;
    let where: string;
    if (fromFlag !== undefined && fromFlag !== true) {
      raw = Array.isArray(fromFlag)
        ? (spec.list ? fromFlag.flatMap(String) : fromFlag.at(-1))
        : fromFlag;
      where = `--${spec.flag}`;
    } else if (fromEnv !== undefined && fromEnv !== "") {
      raw = fromEnv;
      where = spec.env;
    } else if (Object.hasOwn(file, spec.key)) {
      raw = file[spec.key];
      where = `${spec.key} in ${flags.configPath}`;
    } else continue;
    try {
      config[spec.field] = spec.parse(raw);
    } catch (error) {
      errors.push(`${where}: ${(error as Error).message}`);
      valueless.add(spec.field); // given, but wrong: not also "missing"
    }
  }

  // --dev supplies its own domain and secret.
  if (!flags.dev && !flags.help && !flags.version) {
    for (const field of ["domain", "secret"] as const) {
      if (config[field] === undefined && !valueless.has(field)) {
        const spec = OPTIONS.find((o) => o.field === field)!;
        errors.push(
          `missing ${field}: set --${spec.flag}, ${spec.env} or "${spec.key}" in a --config file (or try \`deno task dev\`)`,
        );
      }
    }
  }
  errors.push(...scopeProblems(config.credentials, config.domain));
  const iqTimeout = config.iqTimeout as number;
  const iqMaxTimeout = config.iqMaxTimeout as number;
  if (iqTimeout > iqMaxTimeout) {
    errors.push(
      `iq timeout ${iqTimeout} s is larger than the iq max timeout ${iqMaxTimeout} s`,
    );
  }
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) {
    errors.push(
      "--tls-cert and --tls-key go together: set both for HTTPS, or neither",
    );
  }
  if (errors.length > 0) return { ok: false, errors, flags };
  return { ok: true, config: config as unknown as GatewayConfig, flags };
}

/** `from` entries of scoped credentials that are not at the component domain. */
function scopeProblems(credentials: unknown, domain: unknown): string[] {
  if (typeof domain !== "string" || !Array.isArray(credentials)) return [];
  const problems: string[] = [];
  credentials.forEach((c: string | ScopedCredential, i) => {
    if (typeof c === "string") return;
    for (const entry of c.scope?.from ?? []) {
      const pattern = fromPattern(entry, domain);
      if (typeof pattern === "string") {
        problems.push(`rest_credentials item ${i}: "from": ${pattern}`);
      }
    }
  });
  return problems;
}

function readFile(
  path: string,
  sources: ConfigSources,
  errors: string[],
): Record<string, unknown> {
  if (!sources.readTextFile) {
    errors.push(`cannot read config file ${path}: no file access`);
    return {};
  }
  let text: string;
  try {
    text = sources.readTextFile(path);
  } catch (error) {
    errors.push(`cannot read config file ${path}: ${(error as Error).message}`);
    return {};
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    errors.push(
      `config file ${path} is not valid JSON: ${(error as Error).message}`,
    );
    return {};
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    errors.push(`config file ${path} must hold a JSON object`);
    return {};
  }
  const keys = new Set(OPTIONS.map((o) => o.key));
  for (const key of Object.keys(data)) {
    if (!keys.has(key)) errors.push(`unknown key "${key}" in ${path}`);
  }
  return data as Record<string, unknown>;
}

/** The `--help` text, generated from the option table. */
export function helpText(version: string): string {
  const lines = [
    `xmpp-rest ${version}: a RESTful XMPP gateway (XEP-0114 component + HTTP)`,
    "",
    "Usage: xmpp-rest [options]",
    "       xmpp-rest --dev          try it with the embedded development XMPP server",
    "",
    "Options (flag / environment variable / config file key, default):",
  ];
  for (const spec of OPTIONS) {
    lines.push(`  --${spec.flag} ${spec.placeholder}`);
    lines.push(`      ${spec.description}`);
    lines.push(
      `      env ${spec.env}, config "${spec.key}", default: ${spec.defaultText}`,
    );
  }
  lines.push(
    "  --config FILE",
    "      JSON file with the config keys above (flags > env > file)",
    "  --dev",
    "      run against an embedded loopback XMPP server (for trying and testing only)",
    "  --help, -h      show this help",
    "  --version, -V   show the version",
  );
  return lines.join("\n");
}
