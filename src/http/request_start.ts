// When a request came in, recorded once by the outermost layer, so that the layers below (the access log line) time it from the same instant without asking the clock again.

import { RequestSlot } from "./request_slot.ts";

const starts = new RequestSlot<number>("started");

/** Records when `request` came in (`performance.now()`). */
export function setRequestStart(request: Request, at: number): void {
  starts.set(request, at);
}

/**
 * When `request` came in, as recorded by {@linkcode setRequestStart}, or
 * undefined when no layer above recorded it.
 *
 * @example
 * ```ts
 * const request = new Request("http://gw/rest");
 * setRequestStart(request, 12.5);
 * requestStartOf(request); // 12.5
 * ```
 */
export function requestStartOf(request: Request): number | undefined {
  return starts.get(request);
}
