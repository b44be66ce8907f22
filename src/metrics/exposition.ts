// Prometheus text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/), with OpenMetrics-compatible names.

import type { MetricFamily } from "./registry.ts";

/** The media type of the text format. */
export const EXPOSITION_CONTENT_TYPE =
  "text/plain; version=0.0.4; charset=utf-8";

/** A sample value as the text format writes it (`+Inf`, `-Inf`, `NaN`). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/** Escapes a label value: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => c === "\n" ? "\\n" : "\\" + c);
}

/** Escapes a HELP text: backslash and line feed. */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => c === "\n" ? "\\n" : "\\\\");
}

/**
 * Writes metric families in the text format: `# HELP`, `# TYPE`, then one
 * line per sample; families without samples keep their HELP and TYPE.
 *
 * @example
 * ```ts
 * const text = exposition(await registry.gather());
 * new Response(text, { headers: { "Content-Type": EXPOSITION_CONTENT_TYPE } });
 * ```
 */
export function exposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples()) {
      let line = family.name + sample.suffix;
      if (sample.labels.length > 0) {
        line += "{" +
          sample.labels.map(([name, value]) =>
            `${name}="${escapeLabelValue(value)}"`
          ).join(",") + "}";
      }
      lines.push(`${line} ${formatValue(sample.value)}`);
    }
  }
  return lines.join("\n") + "\n";
}
