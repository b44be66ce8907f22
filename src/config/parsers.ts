// Value parsers of the configuration options (README "Configuration"): each takes a raw flag, env or file value and returns it typed, or throws an Error whose message is the reason.

import { validateCallbackUrl } from "../webhook/mod.ts";
import { parseScopedCredential, type ScopedCredential } from "../http/scope.ts";
import { parseDuration, parseRetrySchedule } from "../webhook/retry.ts";
import { secretKey } from "../webhook/signature.ts";
import { isPostgresUrl, redact } from "../store/postgres_open.ts";
import {
  ETIQUETTE_ANSWERS,
  type EtiquetteAnswer,
} from "../inbound/etiquette.ts";
import { AddressError, type HostPort, parseHostPort } from "../address.ts";

/** `--etiquette` list or `none`. */
export function etiquetteList(raw: unknown): EtiquetteAnswer[] {
  const values = list(raw);
  if (values.length === 1 && values[0].toLowerCase() === "none") return [];
  return listOf(ETIQUETTE_ANSWERS)(raw);
}

export function text(raw: unknown): string {
  if (typeof raw === "number") return String(raw);
  if (typeof raw !== "string") throw new Error("expected a string");
  return raw.trim();
}

/** `HOST:PORT` (IPv6 as `[::1]:5347`); `anyPort` accepts port 0. */
export function hostPort(anyPort: boolean): (raw: unknown) => HostPort {
  return (raw) => {
    try {
      return parseHostPort(text(raw), { anyPort });
    } catch (error) {
      if (error instanceof AddressError) throw new Error(error.reason);
      throw error;
    }
  };
}

export function positiveNumber(raw: unknown): number {
  const value = typeof raw === "number" ? raw : Number(text(raw));
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`expected a positive number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** A number of zero or more (0: off). */
export function nonNegativeNumber(raw: unknown): number {
  const value = typeof raw === "number" ? raw : Number(text(raw));
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(
      `expected zero or a positive number, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

export function positiveInteger(raw: unknown): number {
  const value = positiveNumber(raw);
  if (!Number.isInteger(value)) {
    throw new Error(`expected a whole number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** A list from a comma-separated string or an array (whose items may hold commas too). */
export function list(raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw.map(text) : [text(raw)];
  return items.flatMap((item) => item.split(","))
    .map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * Credentials: comma-separated in a string; array items are taken whole,
 * and may be scoped credential objects (config file only).
 */
export function credentialList(raw: unknown): (string | ScopedCredential)[] {
  if (!Array.isArray(raw)) return list(raw);
  return raw.flatMap((item, i): (string | ScopedCredential)[] => {
    if (typeof item === "object" && item !== null && !Array.isArray(item)) {
      try {
        return [parseScopedCredential(item as Record<string, unknown>)];
      } catch (error) {
        throw new Error(`item ${i}: ${(error as Error).message}`);
      }
    }
    const value = text(item);
    return value === "" ? [] : [value];
  });
}

export function oneOf<T extends string>(
  allowed: readonly T[],
  aliases: Record<string, T> = {},
) {
  return (raw: unknown): T => {
    const value = text(raw).toLowerCase();
    const found = aliases[value] ?? allowed.find((a) => a === value);
    if (!found) {
      throw new Error(`expected one of ${allowed.join(", ")}, got "${value}"`);
    }
    return found;
  };
}

export function listOf<T extends string>(allowed: readonly T[]) {
  const one = oneOf(allowed);
  return (raw: unknown): T[] => {
    const values = list(raw).map(one);
    if (values.length === 0) throw new Error("expected at least one value");
    return [...new Set(values)];
  };
}

export function httpUrl(raw: unknown): string {
  const value = text(raw);
  const problems = validateCallbackUrl(value);
  if (problems.length > 0) throw new Error(problems.join("; "));
  return value;
}

export function domainJid(raw: unknown): string {
  const value = text(raw).toLowerCase();
  if (
    !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(
      value,
    )
  ) {
    throw new Error(
      `expected a domain name like rest.example.net, got "${value}"`,
    );
  }
  return value;
}

export function boolean(raw: unknown): boolean {
  if (typeof raw === "boolean") return raw;
  const value = text(raw).toLowerCase();
  if (["true", "yes", "on", "1"].includes(value)) return true;
  if (["false", "no", "off", "0"].includes(value)) return false;
  throw new Error(`expected true or false, got ${JSON.stringify(raw)}`);
}

/** An `Authorization` value: a scheme and a token. */
export function authorizationValue(raw: unknown): string {
  const value = text(raw);
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+ +\S+$/.test(value)) {
    throw new Error(
      'expected an Authorization value like "Bearer TOKEN"',
    );
  }
  return value;
}

export function retrySchedule(raw: unknown): number[] {
  return parseRetrySchedule(
    Array.isArray(raw) ? raw.map(text).join(",") : text(raw),
  );
}

export function duration(raw: unknown): number {
  const value = parseDuration(text(raw));
  if (value <= 0) throw new Error("expected a duration above zero");
  return value;
}

/** A duration, or `0` for off. */
export function durationOrOff(raw: unknown): number {
  const value = text(raw);
  return value === "0" ? 0 : parseDuration(value);
}

export function webhookSecrets(raw: unknown): string[] {
  const values = Array.isArray(raw)
    ? raw.map(text).filter((s) => s !== "")
    : list(raw);
  for (const value of values) secretKey(value);
  return values;
}

export function dataDir(raw: unknown): string {
  const value = text(raw);
  if (value === "") throw new Error("must not be empty");
  return value;
}

export function filePath(raw: unknown): string {
  const value = text(raw);
  if (value === "") throw new Error("expected a file path");
  return value;
}

export function postgresUrl(raw: unknown): string {
  const value = text(raw);
  let valid = isPostgresUrl(value);
  try {
    new URL(value);
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new Error(
      `expected a postgres://USER:PASSWORD@HOST:PORT/DATABASE URL, got "${
        redact(value)
      }"`,
    );
  }
  return value;
}

export function instanceId(raw: unknown): string {
  const value = text(raw);
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(value)) {
    throw new Error(
      `expected letters, digits and . _ : - (at most 128), got "${value}"`,
    );
  }
  return value;
}

export function secret(raw: unknown): string {
  const value = text(raw);
  if (value === "") throw new Error("must not be empty");
  return value;
}
