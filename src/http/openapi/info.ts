// The prose of the API description (info.description): how xmpp-rest behaves, where it differs from mod_rest (README "Differences from mod_rest").

/** Markdown shown at the top of the API description. */
export const INFO_DESCRIPTION: string = `
xmpp-rest connects to an XMPP server as an external component (XEP-0114)
and speaks the HTTP API of Prosody's mod_rest, so clients written for
mod_rest work unchanged.

**Sending.** \`POST /rest\` takes one stanza as \`application/xmpp+xml\`,
\`application/json\` (the JSON mapping, see the \`Stanza\` schema),
\`application/x-www-form-urlencoded\` (top-level strings of the mapping) or
\`text/plain\` (a message body). Messages and presences answer \`202\` as
soon as they are handed to the server. Iqs wait for their reply (up to
\`Prosody-Rest-Timeout\` seconds) and answer \`200\` with it, \`result\` and
\`error\` alike; several stanzas (MAM results, then the iq) come in an
\`<xmpp>\` / \`{"xmpp":[…]}\` container. \`POST /rest/{kind}/{type}/{to}\` takes
kind, type and destination from the path; \`GET /rest/{query}/{to}\` sends an
iq whose payload is built from the URL query string. \`POST /rest/echo\`
returns the stanza that would be sent.

**Formats.** The response format follows \`Accept\` (RFC 9110 q-values and
wildcards; among equal weights the type listed first wins); without a
usable \`Accept\` it is the request's own format (XML for \`text/plain\` and
body-less requests). Errors use the same choice and are never HTML: JSON
\`{"type":"error","code":N,"error":{"type","condition","text"}}\`, or a
stream-error-shaped \`<error/>\` element in XML.

**Addresses.** \`to\` is required. \`from\` defaults to the component domain
and may be any JID at that domain; others are a 403.

**Differences from mod_rest.** An iq timeout is a \`504\` (mod_rest: 500); a
duplicate in-flight iq id is a \`409\`; a reply that cannot be shown in the
negotiated format is a \`502\` (XML always works); a disconnected stream is a
\`503\` with \`Retry-After\`; invalid \`to\`/\`from\` in JSON are 422 as in XML;
path parameters apply to XML bodies too; \`text/plain\` to
\`/rest/presence/…\` sets \`<status>\`; \`POST /rest/\` equals \`POST /rest\`.

**Unknown routes** (other methods, paths outside \`/rest/\`) answer \`404\`
(see the \`NoRoute\` response); a GET or POST below \`/rest/\` that matches
no route is a \`400\` once authenticated, as in mod_rest.

**Incoming stanzas** addressed to the component are POSTed to the
configured webhook (\`rest_callback_url\`); its HTTP response becomes the
reply. That direction is not part of this document.
`.trim();
