// XEP-0114 conformance: where real servers answer differently (both within RFC 6120 / XEP-0114), as data each case asserts per server.

/** A back-end's server family; the in-memory pipe and the fake server answer like Prosody. */
export type ServerFamily = "prosody" | "ejabberd";

/** The answers that differ between servers. */
export interface ComponentBehaviour {
  /**
   * A stream to a domain the server does not serve. Prosody refuses it at
   * the stream header (host-unknown); ejabberd opens the stream and fails
   * the handshake, having no password for the domain (not-authorized).
   */
  readonly unknownDomain: "host-unknown" | "not-authorized";
  /**
   * A second connection for a connected domain. Prosody refuses it
   * (conflict); ejabberd accepts it and balances the domain's stanzas
   * across the connections (ejabberd_router, several routes per domain).
   */
  readonly secondConnection: "conflict" | "accepted";
  /**
   * `from` of the server's answer to an iq sent to a user's bare JID.
   * Prosody stamps the prepared JID (`bob@localhost`); ejabberd swaps
   * `to` and `from` and so echoes the address as written (`Bob@LOCALHOST`).
   */
  readonly bareJidReplyFrom: "prepared" | "as-addressed";
  /**
   * A component stanza without `to`. Prosody bounces it with bad-request;
   * ejabberd closes the stream with improper-addressing ("Missing 'to'
   * attribute"), which rejects the pending iq and the client reconnects.
   */
  readonly missingTo: "bad-request" | "improper-addressing";
  /**
   * A stanza whose `from` is in another component's domain. Prosody closes
   * the stream (invalid-from); ejabberd checks `from` against every domain
   * of the listener (`check_from`), so a domain sharing the listener passes.
   */
  readonly otherComponentFrom: "invalid-from" | "accepted";
}

/** Each server family's behaviour. */
export const BEHAVIOURS: Readonly<Record<ServerFamily, ComponentBehaviour>> = {
  prosody: {
    unknownDomain: "host-unknown",
    secondConnection: "conflict",
    bareJidReplyFrom: "prepared",
    missingTo: "bad-request",
    otherComponentFrom: "invalid-from",
  },
  ejabberd: {
    unknownDomain: "not-authorized",
    secondConnection: "accepted",
    bareJidReplyFrom: "as-addressed",
    missingTo: "improper-addressing",
    otherComponentFrom: "accepted",
  },
};

/** The behaviour to assert for a back-end (Prosody's unless it names another server). */
export function behaviourOf(
  backend: { readonly server?: ServerFamily },
): ComponentBehaviour {
  return BEHAVIOURS[backend.server ?? "prosody"];
}
