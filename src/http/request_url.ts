// The URL of a request (WHATWG URL), parsed once per request however many layers read its path.

import { RequestSlot } from "./request_slot.ts";

/** The parts of a request's URL that handlers read. */
export type RequestUrl = Pick<URL, "pathname" | "search" | "searchParams">;

const urls = new RequestSlot<RequestUrl>("url");

/**
 * A path the WHATWG URL parser leaves as it is: no query or fragment, no
 * percent-encoding (`%2e` is a dot to it), no backslash, nothing it would
 * encode; dot segments are ruled out separately.
 */
const PLAIN_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;

/** The URL of a request whose path needs no parsing (the usual `POST /rest`). */
class PlainPathUrl implements RequestUrl {
  readonly pathname: string;
  #params?: URLSearchParams;

  constructor(pathname: string) {
    this.pathname = pathname;
  }

  get search(): string {
    return "";
  }

  get searchParams(): URLSearchParams {
    return this.#params ??= new URLSearchParams();
  }
}

/**
 * The request's URL, parsed once per request (every layer that needs the
 * path asks); shared, so never modified. A plain path (letters, digits,
 * `/` and the like, no query, no dot segment) is taken as it is, which is
 * what the URL parser would give; anything else goes through `URL`.
 *
 * @example
 * ```ts
 * urlOf(new Request("http://gw/rest/ping/example.org")).pathname; // "/rest/ping/example.org"
 * urlOf(new Request("http://gw/rest/../x?a=1")).pathname; // "/x"
 * ```
 */
export function urlOf(request: Request): RequestUrl {
  let url = urls.get(request);
  if (url === undefined) {
    url = parse(request.url);
    urls.set(request, url);
  }
  return url;
}

function parse(href: string): RequestUrl {
  const authority = href.indexOf("//");
  const path = authority === -1 ? -1 : href.indexOf("/", authority + 2);
  if (path !== -1) {
    const pathname = href.slice(path);
    if (PLAIN_PATH.test(pathname) && !pathname.includes("/.")) {
      return new PlainPathUrl(pathname);
    }
  }
  return new URL(href);
}
