// A bounded memo of worked-out values, so that what comes back on every request (an address to prepare as RFC 7622 section 3 says, an Accept header to negotiate, a request head to parse) is worked out once.

/**
 * A map from input strings to prepared values holding at most `limit`
 * entries: when full, the oldest entry makes room (insertion order, as a
 * `Map` keeps it), so a flood of distinct inputs costs a bounded amount of
 * memory and the common ones stay.
 *
 * @example
 * ```ts
 * const cache = new BoundedMemo<string>(2);
 * cache.get("A") ?? cache.set("A", "a"); // "a"
 * ```
 */
export class BoundedMemo<V> {
  readonly #limit: number;
  readonly #entries = new Map<string, V>();

  /** Holds at most `limit` entries (at least 1). */
  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  /** How many entries are held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The value prepared for `input`, or undefined. */
  get(input: string): V | undefined {
    return this.#entries.get(input);
  }

  /** Remembers `value` for `input` (dropping the oldest entry when full) and returns it. */
  set(input: string, value: V): V {
    if (this.#entries.size >= this.#limit && !this.#entries.has(input)) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(input, value);
    return value;
  }
}
