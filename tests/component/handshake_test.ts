// XEP-0114 section 3: handshake digest vectors (computed with sha1sum) and the stream XML we write.

import assert from "node:assert/strict";
import {
  handshakeDigest,
  streamErrorXml,
  streamHeader,
} from "../../src/component/handshake.ts";
import { parseXml } from "../../src/xml/parser.ts";

const digestCases = [
  {
    id: "3BF96D32",
    secret: "s3cr3t",
    digest: "ba33290100f616a33656a931798d6c9011cfa840",
  },
  {
    id: "c2a936f9-6bda-4644-9053-eff19bed5e02",
    secret: "secret1",
    digest: "3a82011f4d4f4f89033e5499f3e170a1cb9504cb",
  },
  {
    id: "ïd",
    secret: "sécret",
    digest: "cd012c583afc725a650893d0f57b223cd630445c",
  },
];

for (const { id, secret, digest } of digestCases) {
  Deno.test({
    name:
      `handshakeDigest() of "${id}" + "${secret}" is lowercase hex SHA-1 of the UTF-8 bytes`,
    permissions: "none",
    async fn() {
      assert.equal(await handshakeDigest(id, secret), digest);
    },
  });
}

Deno.test({
  name:
    "streamHeader() opens a jabber:component:accept stream to the escaped domain",
  permissions: "none",
  fn() {
    const header = streamHeader('gw.example.net"><x');
    assert.equal(
      header,
      '<stream:stream xmlns="jabber:component:accept" xmlns:stream="http://etherx.jabber.org/streams" to="gw.example.net&quot;&gt;&lt;x">',
    );
  },
});

Deno.test({
  name:
    "streamErrorXml() writes the condition in the streams-error namespace with an escaped text",
  permissions: "none",
  fn() {
    const xml = streamErrorXml("not-well-formed", "a < b");
    const element = parseXml(
      `<stream:stream xmlns:stream="http://etherx.jabber.org/streams">${xml}</stream:stream>`,
    ).elements()[0];
    assert.equal(element.name, "error");
    assert.equal(element.ns, "http://etherx.jabber.org/streams");
    const [condition, text] = element.elements();
    assert.equal(condition.name, "not-well-formed");
    assert.equal(condition.ns, "urn:ietf:params:xml:ns:xmpp-streams");
    assert.equal(text.text(), "a < b");
  },
});
