// The URL of a request (WHATWG URL), parsed once per request however many layers read its path.

import { RequestSlot } from "./request_slot.ts";

const urls = new RequestSlot<URL>("url");

/** The request's URL, parsed once per request (every layer that needs the path asks); shared, so never modified. */
export function urlOf(request: Request): URL {
  let url = urls.get(request);
  if (url === undefined) {
    url = new URL(request.url);
    urls.set(request, url);
  }
  return url;
}
