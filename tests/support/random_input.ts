// Seeded random inputs for the property and fuzz tests: one PRNG, one text mutator, one chunking, one JSON generator, so a failure reproduces from its seed.

/** A deterministic PRNG (a 32-bit linear congruential generator) giving numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** One of `items`, chosen by `next`. */
export function pick<T>(items: readonly T[], next: () => number): T {
  return items[Math.floor(next() * items.length)];
}

/** How {@linkcode mutateText} edits: below `remove` a deletion, below `insert` an insertion, else a copy of the `copyLength` characters from there. */
export interface MutationWeights {
  /** Share of edits that delete one character. */
  readonly remove: number;
  /** Share (cumulative, after `remove`) of edits that insert one of the fragments. */
  readonly insert: number;
  /** Characters a copy edit repeats in place (fewer at the end). */
  readonly copyLength: number;
}

/**
 * `input` with one to three random edits (by code point): deleting a
 * character, inserting one of `fragments`, or repeating the run that starts there.
 */
export function mutateText(
  input: string,
  next: () => number,
  fragments: readonly string[],
  weights: MutationWeights,
): string {
  const chars = Array.from(input);
  for (let k = 1 + Math.floor(next() * 3); k > 0; k--) {
    const at = Math.floor(next() * (chars.length + 1));
    const op = next();
    if (op < weights.remove) chars.splice(at, 1);
    else if (op < weights.insert) chars.splice(at, 0, pick(fragments, next));
    else chars.splice(at, 0, ...chars.slice(at, at + weights.copyLength));
  }
  return chars.join("");
}

/** `count` random ways to cut `bytes` into chunks (one to `maxCuts` cuts each), as a stream reader may receive them. */
export function randomSplits(
  bytes: Uint8Array,
  next: () => number,
  count: number,
  maxCuts: number,
): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  for (let k = 0; k < count; k++) {
    const cuts = [0, bytes.length];
    for (let c = 1 + Math.floor(next() * maxCuts); c > 0; c--) {
      cuts.push(Math.floor(next() * bytes.length));
    }
    cuts.sort((a, b) => a - b);
    out.push(cuts.slice(1).map((end, i) => bytes.subarray(cuts[i], end)));
  }
  return out;
}

/** What {@linkcode randomJson} draws from. */
export interface JsonAlphabet {
  /** String values. */
  readonly strings: readonly string[];
  /** Number values. */
  readonly numbers: readonly number[];
  /** Object keys (own properties, so `__proto__` is a key like any other). */
  readonly keys: readonly string[];
}

/** A random JSON-like value (strings, numbers, booleans, null, arrays, objects) nested at most four deep. */
export function randomJson(
  next: () => number,
  alphabet: JsonAlphabet,
  depth = 0,
): unknown {
  const r = next();
  if (depth > 3 || r < 0.4) return pick(alphabet.strings, next);
  if (r < 0.5) return pick(alphabet.numbers, next);
  if (r < 0.58) return next() < 0.5;
  if (r < 0.62) return null;
  if (r < 0.75) {
    return Array.from(
      { length: Math.floor(next() * 3) },
      () => randomJson(next, alphabet, depth + 1),
    );
  }
  const out: Record<string, unknown> = {};
  for (let i = Math.floor(next() * 4); i > 0; i--) {
    Object.defineProperty(out, pick(alphabet.keys, next), {
      value: randomJson(next, alphabet, depth + 1),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  }
  return out;
}
