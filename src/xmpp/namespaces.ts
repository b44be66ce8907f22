// XML namespaces of RFC 6120, XEP-0114 and the XEPs xmpp-rest maps, as data.

/** Namespace URIs by short name. */
export const NS = {
  client: "jabber:client",
  component: "jabber:component:accept",
  streams: "http://etherx.jabber.org/streams",
  stanzas: "urn:ietf:params:xml:ns:xmpp-stanzas",
  streamErrors: "urn:ietf:params:xml:ns:xmpp-streams",
  xml: "http://www.w3.org/XML/1998/namespace",
  ping: "urn:xmpp:ping",
  version: "jabber:iq:version",
  discoInfo: "http://jabber.org/protocol/disco#info",
  discoItems: "http://jabber.org/protocol/disco#items",
  commands: "http://jabber.org/protocol/commands",
  dataForms: "jabber:x:data",
  receipts: "urn:xmpp:receipts",
  mam: "urn:xmpp:mam:2",
  rsm: "http://jabber.org/protocol/rsm",
  forward: "urn:xmpp:forward:0",
  delay: "urn:xmpp:delay",
} as const;
