// RFC 3986 section 3.2.2 (host, IP-literal in brackets) and 3.2.3 (port): `HOST:PORT` addresses, parsed in one place.

/**
 * A TCP address: the XMPP server's component port, or where the HTTP API
 * listens.
 */
export interface HostPort {
  /** Host name or IP address (IPv6 without brackets). */
  hostname: string;
  /** TCP port. */
  port: number;
}

/** Options of {@linkcode parseHostPort}. */
export interface ParseHostPortOptions {
  /** Port of a bare `HOST`; without it the port is required. */
  defaultPort?: number;
  /** True to accept port 0 (a listener binds any free port). Default false. */
  anyPort?: boolean;
}

/**
 * An address that does not parse; `reason` says why without the prefix
 * (`expected HOST:PORT, got "nowhere"`).
 *
 * @example
 * ```ts
 * try { parseHostPort("nowhere"); } catch (e) {
 *   if (e instanceof AddressError) console.log(e.reason);
 * }
 * ```
 */
export class AddressError extends TypeError {
  /** What is wrong, without the "Cannot parse address" prefix. */
  readonly reason: string;
  /** Creates the error. */
  constructor(reason: string) {
    super(`Cannot parse address: ${reason}`);
    this.name = "AddressError";
    this.reason = reason;
  }
}

const ADDRESS = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\[\]\s]+))(?::(\d{1,5}))?$/;

/**
 * Parses `HOST:PORT`, `[IPv6]:PORT`, or a bare host when a default port
 * is given. Throws {@linkcode AddressError}.
 *
 * @example
 * ```ts
 * parseHostPort("[::1]:5347"); // { hostname: "::1", port: 5347 }
 * parseHostPort("xmpp.example.net", { defaultPort: 5347 }); // { hostname: "xmpp.example.net", port: 5347 }
 * parseHostPort("127.0.0.1:0", { anyPort: true }); // { hostname: "127.0.0.1", port: 0 }
 * ```
 */
export function parseHostPort(
  input: string,
  options: ParseHostPortOptions = {},
): HostPort {
  const match = ADDRESS.exec(input);
  const port = match?.[3] === undefined
    ? options.defaultPort
    : Number(match[3]);
  if (!match || port === undefined) {
    throw new AddressError(`expected HOST:PORT, got "${input}"`);
  }
  if (port > 65535 || (port === 0 && options.anyPort !== true)) {
    throw new AddressError(`port ${port} is out of range`);
  }
  return { hostname: match[1] ?? match[2], port };
}

/**
 * `HOST:PORT` for messages and `--help` (IPv6 in brackets).
 *
 * @example
 * ```ts
 * formatHostPort({ hostname: "::1", port: 5347 }); // "[::1]:5347"
 * ```
 */
export function formatHostPort(address: HostPort): string {
  const host = address.hostname.includes(":")
    ? `[${address.hostname}]`
    : address.hostname;
  return `${host}:${address.port}`;
}
