// XEP-0114 section 3 (connection and handshake): stream header, handshake digest and stream-error XML.

import { escapeAttr, escapeText } from "../xml/serialize.ts";
import { NS } from "../xmpp/namespaces.ts";
import type { StreamErrorCondition } from "../xmpp/conditions.ts";

const encoder = new TextEncoder();

/**
 * The handshake value of XEP-0114 section 3: lowercase hex SHA-1 of the
 * stream id followed by the shared secret.
 *
 * @example
 * ```ts
 * await handshakeDigest("3BF96D32", "s3cr3t"); // 40 hex digits
 * ```
 */
export async function handshakeDigest(
  streamId: string,
  secret: string,
): Promise<string> {
  const hash = await crypto.subtle.digest(
    "SHA-1",
    encoder.encode(streamId + secret),
  );
  return new Uint8Array(hash).toHex();
}

/**
 * The opening tag of a component stream to `domain` (XEP-0114 section 3).
 *
 * @example
 * ```ts
 * streamHeader("gw.example.net");
 * // <stream:stream xmlns="jabber:component:accept" ... to="gw.example.net">
 * ```
 */
export function streamHeader(domain: string): string {
  return `<stream:stream xmlns="${NS.component}" xmlns:stream="${NS.streams}" to="${
    escapeAttr(domain)
  }">`;
}

/** The closing tag of a stream. */
export const STREAM_CLOSE = "</stream:stream>";

/** The `<handshake>` element carrying a digest. */
export function handshakeElement(digest: string): string {
  return `<handshake>${escapeText(digest)}</handshake>`;
}

/**
 * A `<stream:error>` (RFC 6120 section 4.9) with an optional text, ready to
 * write on a stream whose `stream` prefix is bound.
 *
 * @example
 * ```ts
 * streamErrorXml("not-well-formed");
 * // <stream:error><not-well-formed xmlns="urn:ietf:params:xml:ns:xmpp-streams"/></stream:error>
 * ```
 */
export function streamErrorXml(
  condition: StreamErrorCondition,
  text?: string,
): string {
  const ns = NS.streamErrors;
  const textXml = text ? `<text xmlns="${ns}">${escapeText(text)}</text>` : "";
  return `<stream:error><${condition} xmlns="${ns}"/>${textXml}</stream:error>`;
}
