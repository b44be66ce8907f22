// Test helpers for the OpenAPI document: a small JSON Schema 2020-12 validator (the keywords the document uses), $ref resolution and a walker.

/** Options of {@linkcode validate}. */
export interface ValidateOptions {
  /** The document `#/...` references point into. */
  readonly root: unknown;
  /**
   * Also reject object keys that a schema with `properties` does not list
   * (unless it sets `additionalProperties`): catches keys the document
   * forgot, although the API itself ignores unknown keys.
   */
  readonly strict: boolean;
}

type Schema = { readonly [key: string]: unknown };

/** Follows a local `$ref` (`#/components/schemas/X`). Throws when it does not resolve. */
export function resolveRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) throw new Error(`Cannot resolve "${ref}"`);
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (
      typeof node !== "object" || node === null || !Object.hasOwn(node, key)
    ) {
      throw new Error(`Cannot resolve "${ref}": no "${key}"`);
    }
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Calls `visit` for every object in a JSON value, with its JSON pointer. */
export function walk(
  value: unknown,
  visit: (node: Record<string, unknown>, pointer: string) => void,
  pointer = "",
): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, visit, `${pointer}/${i}`));
  } else if (typeof value === "object" && value !== null) {
    const node = value as Record<string, unknown>;
    visit(node, pointer);
    for (const [key, child] of Object.entries(node)) {
      walk(child, visit, `${pointer}/${key}`);
    }
  }
}

function typeOf(value: unknown): string[] {
  if (value === null) return ["null"];
  if (Array.isArray(value)) return ["array"];
  if (typeof value === "number") {
    return Number.isInteger(value) ? ["integer", "number"] : ["number"];
  }
  return [typeof value];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validates a value against a schema; returns the problems (empty when
 * valid), each with the JSON pointer of the value. Supports `$ref`,
 * `anyOf`, `oneOf`, `allOf`, `type`, `enum`, `const`, `pattern`,
 * `minimum`, `maximum`, `required`, `properties`, `additionalProperties`,
 * `items`; other keywords are annotations here.
 */
export function validate(
  schema: unknown,
  value: unknown,
  options: ValidateOptions,
  path = "",
): string[] {
  if (schema === true || schema === undefined) return [];
  if (schema === false) return [`${path || "/"}: nothing is allowed`];
  const s = schema as Schema;
  const at = path || "/";
  const errors: string[] = [];
  if (typeof s.$ref === "string") {
    errors.push(
      ...validate(resolveRef(options.root, s.$ref), value, options, path),
    );
  }
  for (const key of ["anyOf", "oneOf"] as const) {
    const branches = s[key] as unknown[] | undefined;
    if (!branches) continue;
    const results = branches.map((b) => validate(b, value, options, path));
    const passing = results.filter((r) => r.length === 0).length;
    if (passing === 0) {
      const closest = results.reduce((a, b) => b.length < a.length ? b : a);
      errors.push(
        `${at}: no ${key} branch matches; closest: ${closest.join("; ")}`,
      );
    } else if (key === "oneOf" && passing > 1) {
      errors.push(`${at}: ${passing} oneOf branches match`);
    }
  }
  for (const branch of (s.allOf as unknown[] | undefined) ?? []) {
    errors.push(...validate(branch, value, options, path));
  }
  if (s.type !== undefined) {
    const wanted = Array.isArray(s.type) ? s.type : [s.type];
    if (!typeOf(value).some((t) => wanted.includes(t))) {
      return [...errors, `${at}: expected ${wanted.join("|")}`];
    }
  }
  if (s.enum && !(s.enum as unknown[]).includes(value)) {
    errors.push(`${at}: ${JSON.stringify(value)} not in enum`);
  }
  if ("const" in s && s.const !== value) {
    errors.push(`${at}: expected ${JSON.stringify(s.const)}`);
  }
  if (typeof value === "string" && typeof s.pattern === "string") {
    if (!new RegExp(s.pattern, "u").test(value)) {
      errors.push(`${at}: does not match ${s.pattern}`);
    }
  }
  if (typeof value === "number") {
    if (typeof s.minimum === "number" && value < s.minimum) {
      errors.push(`${at}: below ${s.minimum}`);
    }
    if (typeof s.maximum === "number" && value > s.maximum) {
      errors.push(`${at}: above ${s.maximum}`);
    }
  }
  if (Array.isArray(value) && s.items !== undefined) {
    value.forEach((item, i) =>
      errors.push(...validate(s.items, item, options, `${path}/${i}`))
    );
  }
  if (isObject(value)) errors.push(...validateObject(s, value, options, path));
  return errors;
}

function validateObject(
  s: Schema,
  value: Record<string, unknown>,
  options: ValidateOptions,
  path: string,
): string[] {
  const errors: string[] = [];
  const properties = (s.properties ?? {}) as Record<string, unknown>;
  for (const name of (s.required as string[] | undefined) ?? []) {
    if (!Object.hasOwn(value, name)) {
      errors.push(`${path || "/"}: missing "${name}"`);
    }
  }
  for (const [key, item] of Object.entries(value)) {
    const child = `${path}/${key}`;
    if (Object.hasOwn(properties, key)) {
      errors.push(...validate(properties[key], item, options, child));
    } else if (s.additionalProperties !== undefined) {
      errors.push(...validate(s.additionalProperties, item, options, child));
    } else if (options.strict && s.properties !== undefined) {
      errors.push(`${child}: not described by the schema`);
    }
  }
  return errors;
}
