import assert from "node:assert/strict";
import { parseXml } from "../../src/xml/parser.ts";
import { canonicalize } from "../../src/xml/serialize.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import {
  readDiscoInfo,
  readDiscoItems,
  writeDiscoInfo,
  writeDiscoItems,
} from "../../src/jsonmap/disco.ts";

const ctx = { path: "/disco", coerce: false };

function xml(text: string) {
  return parseXml(text, { defaultNamespace: NS.client });
}

Deno.test({
  name:
    "readDiscoInfo() types extension values as mod_rest: lists as arrays, text-multi joined, booleans, typed singles or null, untyped arrays",
  permissions: "none",
  fn() {
    const query = xml(
      `<query xmlns="http://jabber.org/protocol/disco#info">
        <x xmlns="jabber:x:data" type="result">
          <field var="FORM_TYPE" type="hidden"><value>urn:x</value></field>
          <field var="ls" type="list-single"><value>one</value></field>
          <field var="lm" type="list-multi"><value>a</value><value>b</value></field>
          <field var="tm" type="text-multi"><value>l1</value><value>l2</value></field>
          <field var="yes" type="boolean"><value>true</value></field>
          <field var="no" type="boolean"><value>0</value></field>
          <field var="js" type="jid-single"><value>a@example.org</value><value>b@example.org</value></field>
          <field var="empty" type="text-single"/>
          <field var="untyped"><value>v</value></field>
        </x>
      </query>`,
    );
    assert.deepEqual(readDiscoInfo(query), {
      identities: [],
      features: [],
      extensions: {
        "urn:x": {
          ls: ["one"],
          lm: ["a", "b"],
          tm: "l1\nl2",
          yes: true,
          no: false,
          js: "a@example.org",
          empty: null,
          untyped: ["v"],
        },
      },
    });
  },
});

// [query XML, value read]
const EMPTY_QUERIES: [string, unknown][] = [
  [`<query xmlns="http://jabber.org/protocol/disco#info"/>`, true],
  [`<query xmlns="http://jabber.org/protocol/disco#info" node="n"/>`, "n"],
  [`<query xmlns="http://jabber.org/protocol/disco#info">  </query>`, true],
  [
    `<query xmlns="http://jabber.org/protocol/disco#info" node="n"><x xmlns="urn:other"/></query>`,
    {
      node: "n",
      identities: [],
      features: [],
    },
  ],
];

for (const [text, expected] of EMPTY_QUERIES) {
  Deno.test({
    name: `readDiscoInfo() of ${text} is ${JSON.stringify(expected)}`,
    permissions: "none",
    fn() {
      assert.deepEqual(readDiscoInfo(xml(text)), expected);
    },
  });
}

Deno.test({
  name:
    "readDiscoItems() gives the node or true for an empty query and drops the node with items",
  permissions: "none",
  fn() {
    const items = `http://jabber.org/protocol/disco#items`;
    assert.equal(readDiscoItems(xml(`<query xmlns="${items}"/>`)), true);
    assert.equal(
      readDiscoItems(xml(`<query xmlns="${items}" node="n"/>`)),
      "n",
    );
    assert.deepEqual(
      readDiscoItems(
        xml(`<query xmlns="${items}" node="n"><item jid="a"/><other/></query>`),
      ),
      [{ jid: "a" }],
    );
  },
});

Deno.test({
  name:
    "writeDiscoInfo() puts FORM_TYPE first, from the key, and writes no form type",
  permissions: "none",
  fn() {
    const query = writeDiscoInfo({
      extensions: { "urn:x": { a: "1", FORM_TYPE: "other" } },
    }, ctx);
    assert.equal(
      canonicalize(query),
      canonicalize(xml(
        `<query xmlns="http://jabber.org/protocol/disco#info"><x xmlns="jabber:x:data"><field var="FORM_TYPE"><value>urn:x</value></field><field var="a"><value>1</value></field></x></query>`,
      )),
    );
    const form = query.getChild("x", NS.dataForms)!;
    assert.equal(
      form.getChildren("field", NS.dataForms)[0].attr("var"),
      "FORM_TYPE",
    );
  },
});

Deno.test({
  name: "writeDiscoItems() writes JID strings as sibling items",
  permissions: "none",
  fn() {
    const query = writeDiscoItems(["a@b", "c@d", "e@f"], {
      ...ctx,
      path: "/items",
    });
    assert.deepEqual(
      query.getChildren("item", NS.discoItems).map((
        i,
      ) => [i.attr("jid"), i.elements().length]),
      [["a@b", 0], ["c@d", 0], ["e@f", 0]],
    );
  },
});
