// Tests for the element model of RFC 6120 section 11 restricted XML (src/xml/element.ts).

import { deepEqual, equal, notEqual } from "node:assert/strict";
import { el, XmlElement } from "../../src/xml/element.ts";

const CLIENT = "jabber:client";

const message = el(
  "message",
  CLIENT,
  { to: "a@b", type: "chat", id: undefined },
  "lead ",
  el("body", CLIENT, {}, "Hi", " there"),
  false,
  null,
  undefined,
  el("body", "urn:other", {}, "other ns"),
  el("thread", CLIENT, {}),
  el("active", "http://jabber.org/protocol/chatstates"),
  " tail",
);

Deno.test({
  name: "el() drops undefined attributes and false/null/undefined children",
  permissions: "none",
  fn() {
    deepEqual(message.attrs, { to: "a@b", type: "chat" });
    equal(message.children.length, 6);
    equal(Object.hasOwn(message.attrs, "id"), false);
  },
});

Deno.test({
  name: "XmlElement lookups by name and namespace",
  permissions: "none",
  fn() {
    const cases: [string, unknown, unknown][] = [
      ["is(name)", message.is("message"), true],
      ["is(name, ns)", message.is("message", CLIENT), true],
      ["is(name, other ns)", message.is("message", "jabber:server"), false],
      ["attr() present", message.attr("to"), "a@b"],
      ["attr() absent", message.attr("from"), undefined],
      ["attr() ignores the prototype", message.attr("toString"), undefined],
      [
        "getChild() defaults to the parent namespace",
        message.getChild("body")?.text(),
        "Hi there",
      ],
      [
        "getChild() in another namespace",
        message.getChild("body", "urn:other")?.text(),
        "other ns",
      ],
      ["getChild() missing", message.getChild("subject"), undefined],
      ["getChildText()", message.getChildText("body"), "Hi there"],
      ["getChildText() of an empty child", message.getChildText("thread"), ""],
      ["getChildText() missing", message.getChildText("subject"), undefined],
      [
        "getChildByNs()",
        message.getChildByNs("http://jabber.org/protocol/chatstates")?.name,
        "active",
      ],
      [
        "getChildren(name) in the parent namespace",
        message.getChildren("body").length,
        1,
      ],
      [
        "getChildren(name, ns)",
        message.getChildren("body", "urn:other").length,
        1,
      ],
      ["getChildren() all", message.getChildren().length, 4],
      [
        "getChildren(undefined, ns)",
        message.getChildren(undefined, CLIENT).length,
        2,
      ],
      [
        "elements()",
        message.elements().map((e) => e.name).join(","),
        "body,body,thread,active",
      ],
      ["text() joins direct text only", message.text(), "lead  tail"],
    ];
    for (const [what, got, want] of cases) equal(got, want, what);
  },
});

Deno.test({
  name:
    "withAttrs() and withChildren() return copies and never mutate the original",
  permissions: "none",
  fn() {
    const original = el(
      "iq",
      CLIENT,
      { type: "get", id: "1" },
      el("ping", "urn:xmpp:ping"),
    );
    const before = JSON.stringify(original);
    const changed = original.withAttrs({
      type: "result",
      id: undefined,
      to: "x@y",
    });
    deepEqual(changed.attrs, { type: "result", to: "x@y" });
    equal(changed.children, original.children);
    const emptied = original.withChildren([]);
    deepEqual(emptied.children, []);
    equal(emptied.attrs, original.attrs);
    equal(JSON.stringify(original), before);
    notEqual(changed, original);
  },
});

Deno.test({
  name:
    "el() and withAttrs() keep an attribute named __proto__ as an own property",
  permissions: "none",
  fn() {
    const attrs = JSON.parse('{"__proto__": "x"}') as Record<string, string>;
    const built = el("a", "", attrs);
    equal(built.attr("__proto__"), "x");
    equal(Object.getPrototypeOf(built.attrs), Object.prototype);
    const patched = new XmlElement("a").withAttrs(attrs);
    equal(patched.attr("__proto__"), "x");
    deepEqual(Object.keys(patched.attrs), ["__proto__"]);
  },
});

Deno.test({
  name: "new XmlElement() defaults to no namespace, no attributes, no children",
  permissions: "none",
  fn() {
    const bare = new XmlElement("x");
    deepEqual([bare.name, bare.ns, bare.attrs, bare.children], [
      "x",
      "",
      {},
      [],
    ]);
  },
});
