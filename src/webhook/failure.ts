// Why a webhook request got no HTTP answer, in an operator's words (README "Request ids" and logging).

/**
 * A short reason for a failed `fetch`: `connection refused`, `TLS: ...`,
 * `DNS: ...`, `connection reset`, or the error's own message.
 *
 * @example
 * ```ts
 * fetchFailureReason(new TypeError("tcp connect error: Connection refused (os error 111)"));
 * // "connection refused"
 * ```
 */
export function fetchFailureReason(error: unknown): string {
  const text = error instanceof Error
    ? [error.message, String((error as { cause?: unknown }).cause ?? "")]
      .join(" ")
    : String(error);
  if (/connection refused/i.test(text)) return "connection refused";
  if (/connection reset|broken pipe/i.test(text)) return "connection reset";
  if (/certificate|tls|ssl|handshake/i.test(text)) {
    return `TLS: ${firstLine(error)}`;
  }
  if (/dns error|failed to lookup|name or service not known/i.test(text)) {
    return `DNS: ${firstLine(error)}`;
  }
  return firstLine(error);
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0].slice(0, 300);
}
