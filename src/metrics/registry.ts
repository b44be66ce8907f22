// Prometheus data model (https://prometheus.io/docs/concepts/metric_types/): counters, gauges and histograms with labels, kept as plain numbers.

/** The kinds of metric the registry keeps. */
export type MetricType = "counter" | "gauge" | "histogram";

/** One sample line: name suffix, label pairs, value. */
export interface Sample {
  /** Appended to the family name (`_bucket`, `_sum`, `_count`, or ""). */
  readonly suffix: string;
  /** Label names and values, in order. */
  readonly labels: readonly (readonly [string, string])[];
  /** The value. */
  readonly value: number;
}

/** A metric family as the exposition writes it. */
export interface MetricFamily {
  /** Family name, e.g. `xmpp_rest_http_requests_total`. */
  readonly name: string;
  /** One-line help text. */
  readonly help: string;
  /** Its type. */
  readonly type: MetricType;
  /** Its samples. */
  samples(): Iterable<Sample>;
}

/** Thrown for a metric definition that the text format cannot carry. */
export class MetricDefinitionError extends TypeError {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "MetricDefinitionError";
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function checkNames(name: string, labels: readonly string[]): void {
  if (!NAME.test(name)) {
    throw new MetricDefinitionError(
      `Cannot define metric "${name}": invalid name`,
    );
  }
  for (const label of labels) {
    if (!LABEL.test(label) || label.startsWith("__") || label === "le") {
      throw new MetricDefinitionError(
        `Cannot define metric "${name}": invalid label name "${label}"`,
      );
    }
  }
}

/** Children of a labelled metric, found by nested maps (no key strings built per call). */
class Children<T> {
  readonly #depth: number;
  readonly #make: () => T;
  readonly #root = new Map<string, unknown>();
  readonly #all: { values: readonly string[]; child: T }[] = [];

  constructor(depth: number, make: () => T) {
    this.#depth = depth;
    this.#make = make;
  }

  get(values: readonly string[]): T {
    if (values.length !== this.#depth) {
      throw new MetricDefinitionError(
        `Cannot select metric child: expected ${this.#depth} label values, got ${values.length}`,
      );
    }
    if (this.#depth === 0) return this.#zero();
    let map = this.#root;
    for (let i = 0; i < values.length - 1; i++) {
      let next = map.get(values[i]) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        map.set(values[i], next);
      }
      map = next;
    }
    const last = values[values.length - 1];
    let child = map.get(last) as T | undefined;
    if (child === undefined) {
      child = this.#make();
      map.set(last, child);
      this.#all.push({ values: [...values], child });
    }
    return child;
  }

  #zero(): T {
    if (this.#all.length === 0) {
      this.#all.push({ values: [], child: this.#make() });
    }
    return this.#all[0].child;
  }

  entries(): readonly { values: readonly string[]; child: T }[] {
    return this.#all;
  }
}

function pairs(
  names: readonly string[],
  values: readonly string[],
): [string, string][] {
  return names.map((name, i) => [name, values[i]]);
}

/** A value that only goes up (or a gauge's value): one number. */
export interface CounterChild {
  /** The current value. */
  value: number;
}

/** What counters and gauges share: a value per set of label values. */
abstract class ValueFamily implements MetricFamily {
  /** Family name. */
  readonly name: string;
  /** Help text. */
  readonly help: string;
  /** `counter` or `gauge`. */
  abstract readonly type: MetricType;
  readonly #labelNames: readonly string[];
  /** The series, one per set of label values. */
  protected readonly children: Children<CounterChild>;

  /** Defines the family. */
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    checkNames(name, labelNames);
    this.name = name;
    this.help = help;
    this.#labelNames = labelNames;
    this.children = new Children(labelNames.length, () => ({ value: 0 }));
  }

  /** The child for these label values (created at 0 on first use). */
  labels(...values: string[]): CounterChild {
    return this.children.get(values);
  }

  /** Samples for the exposition. */
  *samples(): Iterable<Sample> {
    for (const { values, child } of this.children.entries()) {
      yield {
        suffix: "",
        labels: pairs(this.#labelNames, values),
        value: child.value,
      };
    }
  }
}

/**
 * A counter family (name ends in `_total`). `labels(...)` returns the
 * child for those label values; keep it to count without a lookup.
 *
 * @example
 * ```ts
 * const requests = new Counter("app_requests_total", "Requests.", ["route"]);
 * requests.labels("send").value++;
 * ```
 */
export class Counter extends ValueFamily {
  /** Always `counter`. */
  readonly type: MetricType = "counter";

  /** Adds `by` (default 1) to the child of these label values. */
  inc(by = 1, ...values: string[]): void {
    this.children.get(values).value += by;
  }
}

/**
 * A gauge family: a value that goes up and down, set directly or read
 * from `collect` at scrape time.
 *
 * @example
 * ```ts
 * const pending = new Gauge("app_pending", "Pending things.");
 * pending.labels().value = 3;
 * ```
 */
export class Gauge extends ValueFamily {
  /** Always `gauge`. */
  readonly type: MetricType = "gauge";

  /** Sets the child of these label values. */
  set(value: number, ...values: string[]): void {
    this.children.get(values).value = value;
  }
}

/** One histogram series: per-bucket counts (not cumulative), sum, count. */
export class HistogramChild {
  readonly #bounds: readonly number[];
  /** Observations per bucket; the last one is above every bound. */
  readonly counts: number[];
  /** Sum of the observed values. */
  sum = 0;
  /** Number of observations. */
  count = 0;

  /** Creates an empty series for these upper bounds. */
  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
    this.counts = new Array(bounds.length + 1).fill(0);
  }

  /** Records one value. */
  observe(value: number): void {
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }
}

/** Default latency buckets in seconds (Prometheus client libraries' defaults). */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/**
 * A histogram family with fixed upper bounds (`le`).
 *
 * @example
 * ```ts
 * const latency = new Histogram("app_seconds", "Latency.", ["route"]);
 * latency.labels("send").observe(0.012);
 * ```
 */
export class Histogram implements MetricFamily {
  /** Family name. */
  readonly name: string;
  /** Help text. */
  readonly help: string;
  /** Always `histogram`. */
  readonly type: MetricType = "histogram";
  /** Upper bounds of the buckets, ascending. */
  readonly bounds: readonly number[];
  readonly #labelNames: readonly string[];
  readonly #children: Children<HistogramChild>;

  /** Defines the histogram. */
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    bounds: readonly number[] = DEFAULT_BUCKETS,
  ) {
    checkNames(name, labelNames);
    for (let i = 1; i < bounds.length; i++) {
      if (!(bounds[i] > bounds[i - 1])) {
        throw new MetricDefinitionError(
          `Cannot define metric "${name}": bucket bounds must ascend`,
        );
      }
    }
    this.name = name;
    this.help = help;
    this.bounds = bounds;
    this.#labelNames = labelNames;
    this.#children = new Children(
      labelNames.length,
      () => new HistogramChild(bounds),
    );
  }

  /** The series for these label values (created empty on first use). */
  labels(...values: string[]): HistogramChild {
    return this.#children.get(values);
  }

  /** Samples for the exposition: cumulative buckets, `+Inf`, sum, count. */
  *samples(): Iterable<Sample> {
    for (const { values, child } of this.#children.entries()) {
      const base = pairs(this.#labelNames, values);
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += child.counts[i];
        const le = i < this.bounds.length ? String(this.bounds[i]) : "+Inf";
        yield {
          suffix: "_bucket",
          labels: [...base, ["le", le]],
          value: cumulative,
        };
      }
      yield { suffix: "_sum", labels: base, value: child.sum };
      yield { suffix: "_count", labels: base, value: child.count };
    }
  }
}

/** Reads current values just before a scrape (e.g. from the event store). */
export type Collector = () => void | Promise<void>;

/**
 * A set of metric families in exposition order, plus collectors run at
 * scrape time.
 *
 * @example
 * ```ts
 * const registry = new Registry();
 * const up = registry.add(new Gauge("app_up", "1 when up."));
 * ```
 */
export class Registry {
  readonly #families: MetricFamily[] = [];
  readonly #collectors: Collector[] = [];

  /** Adds a family (its name must be new) and returns it. */
  add<T extends MetricFamily>(family: T): T {
    if (this.#families.some((f) => f.name === family.name)) {
      throw new MetricDefinitionError(
        `Cannot define metric "${family.name}": already defined`,
      );
    }
    this.#families.push(family);
    return family;
  }

  /** Adds a collector; returns the function that removes it. */
  collect(collector: Collector): () => void {
    this.#collectors.push(collector);
    return () => {
      const i = this.#collectors.indexOf(collector);
      if (i !== -1) this.#collectors.splice(i, 1);
    };
  }

  /** Runs the collectors (a failing one is reported, the others still run), then returns the families. */
  async gather(
    onError?: (error: unknown) => void,
  ): Promise<readonly MetricFamily[]> {
    for (const collector of this.#collectors) {
      try {
        await collector();
      } catch (error) {
        onError?.(error);
      }
    }
    return this.#families;
  }
}
