// Values worked out once per request, kept on the request object itself under a symbol rather than in a WeakMap: a WeakMap entry per request is an ephemeron that every garbage collection must trace.

/**
 * One value per request, stored as a symbol-keyed property of the request.
 *
 * @example
 * ```ts
 * const slot = new RequestSlot<string>("id");
 * const request = new Request("http://gw/rest");
 * slot.set(request, "abc");
 * slot.get(request); // "abc"
 * ```
 */
export class RequestSlot<T> {
  readonly #key: symbol;

  /** A slot; `name` only labels the symbol (debugging). */
  constructor(name: string) {
    this.#key = Symbol(name);
  }

  /** The value set for `request`, if any. */
  get(request: Request): T | undefined {
    return (request as unknown as Record<symbol, T | undefined>)[this.#key];
  }

  /** Sets the value for `request`. */
  set(request: Request, value: T): void {
    (request as unknown as Record<symbol, T>)[this.#key] = value;
  }
}
