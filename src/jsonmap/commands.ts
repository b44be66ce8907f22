// JSON mapping: XEP-0050 ad-hoc commands, the `command` key (README "iq payloads").

import { el, type XmlElement } from "../xml/element.ts";
import { NS } from "../xmpp/namespaces.ts";
import { readFullForm, writeForm } from "./dataforms.ts";
import { writeValuesForm } from "./forms_values.ts";
import {
  compact,
  expectBoolean,
  expectObject,
  expectString,
  fail,
  optional,
  type ShapeContext,
} from "./shape.ts";
import { handwrittenField } from "./handwritten.ts";
import type { FieldCodec } from "./types.ts";

/** The optional actions of `<actions/>` (XEP-0050 section 6.3), as JSON booleans. */
export const COMMAND_ACTIONS = ["next", "prev", "complete"] as const;

/** The command attributes mapped as strings. */
const COMMAND_ATTRS = ["action", "node", "sessionid", "status"] as const;

/**
 * Reads a `<command/>`: `{action, node, sessionid, status, actions, note,
 * form}`. As in mod_rest, `note` (the first one) is read only when there is
 * no `<actions/>`, `actions` maps `execute` and each child action to true,
 * and `form` is the full form shape; `data` is never produced.
 */
export function readCommand(command: XmlElement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of COMMAND_ATTRS) out[name] = command.attr(name);
  const actions = command.getChild("actions");
  const note = command.getChild("note");
  if (actions) {
    const read: Record<string, unknown> = { execute: actions.attr("execute") };
    for (const action of actions.elements()) read[action.name] = true;
    out.actions = compact(read);
  } else if (note) {
    out.note = compact({ type: note.attr("type"), text: note.text() });
  }
  const form = command.getChild("x", NS.dataForms);
  if (form) out.form = readFullForm(form);
  return compact(out);
}

/**
 * Builds a `<command/>` from a node string or `{node, action, sessionid,
 * status, actions: {execute, next, prev, complete}, note: {type, text},
 * form, data}`. As in mod_rest, `actions` and `note` are exclusive
 * (actions win) and `form` (full shape) wins over `data` (values-only);
 * `data` becomes a `type="submit"` form (mod_rest writes no type).
 */
export function writeCommand(value: unknown, ctx: ShapeContext): XmlElement {
  if (typeof value === "string") {
    return el("command", NS.commands, { node: expectString(value, ctx) });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(ctx, "expected a node string or an object");
  }
  const command = expectObject(value, ctx);
  const attrs: Record<string, string | undefined> = {};
  for (const name of COMMAND_ATTRS) {
    attrs[name] = optional(command, name, ctx, expectString);
  }
  // Every member is checked, even those that lose to another one.
  const actions = optional(command, "actions", ctx, writeActions);
  const note = optional(command, "note", ctx, writeNote);
  const form = optional(command, "form", ctx, writeForm);
  const data = optional(
    command,
    "data",
    ctx,
    (v, c) => writeValuesForm(v, c, "submit"),
  );
  return el("command", NS.commands, attrs, actions ?? note, form ?? data);
}

function writeActions(value: unknown, ctx: ShapeContext): XmlElement {
  const actions = expectObject(value, ctx);
  return el(
    "actions",
    NS.commands,
    { execute: optional(actions, "execute", ctx, expectString) },
    ...COMMAND_ACTIONS.map((name) =>
      optional(actions, name, ctx, expectBoolean) === true &&
      el(name, NS.commands)
    ),
  );
}

function writeNote(value: unknown, ctx: ShapeContext): XmlElement {
  const note = expectObject(value, ctx);
  const text = optional(note, "text", ctx, expectString);
  return el(
    "note",
    NS.commands,
    { type: optional(note, "type", ctx, expectString) },
    text || undefined,
  );
}

/** Codecs of this file: `command` (hand-written in mod_rest, so skipped on error stanzas). */
export const commandCodecs: readonly FieldCodec[] = [
  handwrittenField("command", { name: "command", ns: NS.commands }, {
    read: readCommand,
    write: writeCommand,
  }),
];
