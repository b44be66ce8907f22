// Inbound de-duplication (README "Running several instances"): which stanzas are the same message sent again (pure).
//
// XEP-0114 has no acknowledgements, so a sender that got no XEP-0184
// receipt sends the message again with the same id (as XEP-0184 section 7
// and XEP-0198 resending let clients do). A copy of a message already in
// the event log is recognised by its key and not stored twice.

import { createHash } from "node:crypto";
import type { XmlElement } from "../xml/element.ts";
import { serialize } from "../xml/serialize.ts";
import { NS } from "../xmpp/namespaces.ts";

/** XEP-0359 namespace of `<origin-id/>`. */
const SID_NS = "urn:xmpp:sid:0";

/** The default de-duplication window, ms (`--inbound-dedupe-window`). */
export const DEFAULT_DEDUPE_WINDOW_MS = 10 * 60_000;

/**
 * The key under which a message is the same message sent again: with an
 * XEP-0359 `<origin-id/>`, the sender's full JID, the recipient and that
 * id; otherwise the sender, the recipient, the stanza's `id` and the whole
 * stanza as received (a different payload under a reused id is a new
 * message). Undefined for presences, iqs and messages with neither id.
 * A SHA-256 hex digest, so keys have one size. `serialized` is the stanza
 * as the event log keeps it, when the caller has it already.
 *
 * @example
 * ```ts
 * dedupeKey(el("message", NS.client, { from: "a@x/r", to: "gw.x", id: "m1" })); // "3f2a..."
 * ```
 */
export function dedupeKey(
  stanza: XmlElement,
  serialized?: string,
): string | undefined {
  if (stanza.name !== "message") return undefined;
  const from = stanza.attr("from") ?? "";
  const to = stanza.attr("to") ?? "";
  const originId = stanza.getChild("origin-id", SID_NS)?.attr("id");
  const id = stanza.attr("id");
  let material: string;
  if (originId) material = `origin-id\n${from}\n${to}\n${originId}`;
  else if (id) {
    const payload = serialized ?? serialize(stanza, { parentNs: NS.client });
    material = `id\n${from}\n${to}\n${id}\n${payload}`;
  } else return undefined;
  return createHash("sha256").update(material).digest("hex");
}
