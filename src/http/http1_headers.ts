// Request header fields (WHATWG Fetch section 5.2, "Headers class") over the engine's parsed field lines, without copying them into Deno's header list until a handler changes them.

import { lowerFieldName } from "../http1/field_names.ts";

/**
 * Read-only access to a request's fields as `Headers` gives it: `get`
 * joins repeated fields with ", ", iteration is sorted by name and
 * combined. The first change (`set`, `append`, `delete`) or anything else
 * `Headers` offers builds a real `Headers` and answers from it;
 * `instanceof Headers` holds.
 */
export class Http1Headers {
  /** Field lines, names lower-cased. */
  #pairs: readonly (readonly [string, string])[];
  #real?: Headers;

  /** Wraps the parsed field lines (names lower-cased). */
  constructor(pairs: readonly (readonly [string, string])[]) {
    this.#pairs = pairs;
  }

  /** The field's value (repeated fields joined with ", "), or null. */
  get(name: string): string | null {
    if (this.#real) return this.#real.get(name);
    const key = lowerFieldName(name);
    const pairs = this.#pairs;
    let value: string | null = null;
    // An indexed loop: no iterator or destructuring per call.
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i];
      if (pair[0] === key) {
        value = value === null ? pair[1] : `${value}, ${pair[1]}`;
      }
    }
    return value;
  }

  /** True when the field is present. */
  has(name: string): boolean {
    if (this.#real) return this.#real.has(name);
    const key = lowerFieldName(name);
    const pairs = this.#pairs;
    for (let i = 0; i < pairs.length; i++) if (pairs[i][0] === key) return true;
    return false;
  }

  /** The real `Headers`, built once; later reads and changes go to it. */
  toHeaders(): Headers {
    return this.#real ??= new Headers(this.#pairs as [string, string][]);
  }
}

// Everything else Headers offers (iteration, forEach, set, append, delete,
// getSetCookie) comes from the real one.
for (const name of Object.getOwnPropertyNames(Headers.prototype)) {
  if (name === "constructor" || name in Http1Headers.prototype) continue;
  const descriptor = Object.getOwnPropertyDescriptor(Headers.prototype, name)!;
  if (typeof descriptor.value !== "function") continue;
  Object.defineProperty(Http1Headers.prototype, name, {
    configurable: true,
    writable: true,
    value(this: Http1Headers, ...args: unknown[]) {
      const real = this.toHeaders();
      return (descriptor.value as (...a: unknown[]) => unknown).apply(
        real,
        args,
      );
    },
  });
}
Object.defineProperty(Http1Headers.prototype, Symbol.iterator, {
  configurable: true,
  writable: true,
  value(this: Http1Headers) {
    return this.toHeaders()[Symbol.iterator]();
  },
});
Object.setPrototypeOf(Http1Headers.prototype, Headers.prototype);
