import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import {
  addressForm,
  type CallbackEvent,
  isSelected,
} from "../../src/webhook/filter.ts";
import type { StanzaKind } from "../../src/xmpp/stanza.ts";

Deno.test({
  name: "addressForm() classifies bare, full and host JIDs",
  permissions: "none",
  fn() {
    const cases: [string | undefined, CallbackEvent | undefined][] = [
      ["bot@rest.example.net", "bare"],
      ["bot@rest.example.net/res", "full"],
      ["rest.example.net", "host"],
      ["rest.example.net/res", "host"], // Prosody: no localpart -> /host
      [undefined, undefined],
      ["a@@b", undefined],
    ];
    for (const [jid, expected] of cases) {
      assert.equal(addressForm(jid), expected, String(jid));
    }
  },
});

Deno.test({
  name:
    "isSelected() applies rest_callback_stanzas and rest_callback_events together",
  permissions: "none",
  fn() {
    const cases: [
      StanzaKind,
      string | undefined,
      StanzaKind[],
      CallbackEvent[],
      boolean,
    ][] = [
      ["message", "bot@gw", ["message", "presence", "iq"], [
        "bare",
        "full",
        "host",
      ], true],
      ["message", "bot@gw", ["iq"], ["bare", "full", "host"], false],
      ["presence", "gw", ["presence"], ["host"], true],
      ["presence", "gw", ["presence"], ["bare", "full"], false],
      ["iq", "bot@gw/r", ["iq"], ["full"], true],
      ["iq", "bot@gw/r", ["iq"], ["bare"], false],
      ["iq", "gw/r", ["iq"], ["host"], true],
      ["iq", "gw/r", ["iq"], ["bare", "full"], false],
      ["message", undefined, ["message"], ["bare", "full", "host"], false],
    ];
    for (const [kind, to, stanzas, events, expected] of cases) {
      assert.equal(
        isSelected(el(kind, "jabber:client", { to }), { stanzas, events }),
        expected,
        `${kind} to ${to} with ${stanzas}/${events}`,
      );
    }
  },
});
