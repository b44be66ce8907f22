// Benchmark of the JSON mapping (README "JSON mapping reference"): conversions per second in both directions.
// Run: deno run -A bench/jsonmap.ts [--seconds 1]
// deno-lint-ignore-file no-console

import { el, type XmlElement } from "../src/xml/element.ts";
import { parseXml } from "../src/xml/parser.ts";
import { serialize } from "../src/xml/serialize.ts";
import { NS } from "../src/xmpp/namespaces.ts";
import { jsonToStanza, stanzaToJson } from "../src/jsonmap/mod.ts";

const C = NS.client;
const seconds = Number(
  Deno.args[Deno.args.indexOf("--seconds") + 1] ?? "1",
) || 1;

/** A typical incoming chat message, as the webhook sees it. */
const CHAT_XML =
  `<message type="chat" id="x2j-1" from="alice@example.org/phone" to="bot@rest.example.net" xml:lang="en">` +
  `<body>Hello bot, how are you today?</body>` +
  `<active xmlns="http://jabber.org/protocol/chatstates"/>` +
  `<markable xmlns="urn:xmpp:chat-markers:0"/>` +
  `<stanza-id xmlns="urn:xmpp:sid:0" id="s-1" by="bot@rest.example.net"/>` +
  `<origin-id xmlns="urn:xmpp:sid:0" id="o-1"/>` +
  `</message>`;

/** A typical outgoing chat message, as clients POST it. */
const CHAT_JSON = {
  kind: "message",
  type: "chat",
  to: "alice@example.org/phone",
  id: "m-1",
  body: "Hello Alice! This is the bot answering.",
  state: "active",
};

/** A large disco#info result: 10 identities, 200 features, 3 extension forms. */
function discoResult(): XmlElement {
  const info = "http://jabber.org/protocol/disco#info";
  const children: XmlElement[] = [];
  for (let i = 0; i < 10; i++) {
    children.push(
      el("identity", info, {
        category: "client",
        type: `t${i}`,
        name: `N${i}`,
      }),
    );
  }
  for (let i = 0; i < 200; i++) {
    children.push(el("feature", info, { var: `urn:example:feature:${i}` }));
  }
  for (let f = 0; f < 3; f++) {
    const x = "jabber:x:data";
    const fields = [
      el(
        "field",
        x,
        { var: "FORM_TYPE", type: "hidden" },
        el("value", x, {}, `urn:example:form:${f}`),
      ),
    ];
    for (let i = 0; i < 10; i++) {
      fields.push(
        el(
          "field",
          x,
          { var: `f${i}`, type: "text-single" },
          el("value", x, {}, `v${i}`),
        ),
      );
    }
    children.push(el("x", x, { type: "result" }, ...fields));
  }
  return el(
    "iq",
    C,
    { type: "result", id: "d1", from: "example.org", to: "rest.example.net" },
    el("query", info, {}, ...children),
  );
}

function bench(name: string, fn: () => unknown): number {
  for (let i = 0; i < 2000; i++) fn(); // warm up
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 500; i++) fn();
    n += 500;
    now = performance.now();
  }
  const perSecond = Math.round(n / ((now - start) / 1000));
  console.log(
    `${name.padEnd(52)} ${perSecond.toLocaleString("en-US").padStart(12)} /s`,
  );
  return perSecond;
}

const chat = parseXml(CHAT_XML, { defaultNamespace: C });
const disco = discoResult();
const discoXml = serialize(disco, { parentNs: C });
const discoJson = stanzaToJson(disco);

console.log(
  `jsonmap benchmark (${seconds} s per case, Deno ${Deno.version.deno})`,
);
const x2j = bench("chat message XML element -> JSON", () => stanzaToJson(chat));
const j2x = bench(
  "chat message JSON -> XML element",
  () => jsonToStanza(CHAT_JSON),
);
bench(
  "chat message XML text -> JSON text (parse+map)",
  () =>
    JSON.stringify(stanzaToJson(parseXml(CHAT_XML, { defaultNamespace: C }))),
);
bench(
  "chat message JSON text -> XML text (map+serialize)",
  () =>
    serialize(jsonToStanza(JSON.parse(JSON.stringify(CHAT_JSON))), {
      parentNs: C,
    }),
);
bench(
  `disco#info result element -> JSON (${discoXml.length} bytes)`,
  () => stanzaToJson(disco),
);
bench("disco#info result JSON -> element", () => jsonToStanza(discoJson));

const TARGET = 100_000;
console.log(
  `target ${TARGET.toLocaleString("en-US")}/s per direction: ` +
    (x2j >= TARGET && j2x >= TARGET ? "met" : "NOT met"),
);
