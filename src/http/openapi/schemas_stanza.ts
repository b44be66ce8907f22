// JSON Schemas of whole stanzas, HTTP error bodies and health bodies (README "Errors reference", "Stanza basics", "Errors in JSON"; RFC 6120 sections 8.1, 8.3).

import {
  STANZA_ERROR_CONDITIONS,
  STANZA_ERROR_TYPES,
} from "../../xmpp/conditions.ts";
import {
  COMMON_FIELDS,
  MESSAGE_FIELDS,
  MESSAGE_SCHEMAS,
  PRESENCE_FIELDS,
} from "./schemas_message.ts";
import { IQ_FIELDS, IQ_SCHEMAS } from "./schemas_iq.ts";
import { int, type JsonSchema, list, obj, ref, str } from "./types.ts";

/** Stanza types per kind as the JSON mapping spells them (RFC 6121; presence `available` = no type). */
const STANZA_TYPES = {
  message: ["normal", "chat", "headline", "groupchat", "error"],
  presence: [
    "available",
    "unavailable",
    "subscribe",
    "subscribed",
    "unsubscribe",
    "unsubscribed",
    "probe",
    "error",
  ],
  iq: ["get", "set", "result", "error"],
} as const;

/** Keys mapped from the stanza's own attributes (and its error), on every kind. */
export const ATTRIBUTE_KEYS = [
  "kind",
  "type",
  "id",
  "to",
  "from",
  "lang",
  "error",
  "error_code",
] as const;

/** Keys of hand-written mappings that forwarded messages do not carry. */
const NOT_FORWARDED = [
  "html",
  "oob_url",
  "disco",
  "items",
  "command",
  "dataform",
  "formdata",
] as const;

type Kind = keyof typeof STANZA_TYPES;

function attributes(
  kind: Kind,
  typeNote: string,
): { [key: string]: JsonSchema } {
  return {
    kind: str(
      "Stanza kind; inferred from `type` or the payload keys when absent (default message); always present in output",
      { const: kind },
    ),
    type: str(typeNote, { enum: STANZA_TYPES[kind] }),
    id: str("Stanza id; generated when absent"),
    to: ref("Jid"),
    from: {
      ...ref("Jid"),
      description:
        "Sender; default the component domain, may be any JID at that domain",
    },
    lang: str("`xml:lang`"),
    error: ref("StanzaError"),
    error_code: {
      description:
        "Input only: legacy (XEP-0086) error code when `type` is `error` and there is no `error` object",
      anyOf: [{ type: "integer" }, { type: "string" }],
    },
  };
}

const forwardedFields: { [key: string]: JsonSchema } = {};
for (
  const [key, schema] of Object.entries({
    ...MESSAGE_FIELDS,
    ...COMMON_FIELDS,
  })
) {
  if (!(NOT_FORWARDED as readonly string[]).includes(key)) {
    forwardedFields[key] = schema;
  }
}

const httpErrorText = str("Human-readable reason");

/** Every component schema of the API description, by name. */
export const SCHEMAS: { readonly [name: string]: JsonSchema } = {
  Jid: str("A JID (RFC 7622), normalised by the gateway", {
    examples: ["user@example.org", "room@muc.example.org/nick", "example.org"],
  }),
  Stanza: {
    description:
      "A stanza in the JSON mapping. Unknown keys are ignored and a `null` value means absent; a known key with a value of the wrong shape is a 422 naming its JSON path.",
    anyOf: [ref("Message"), ref("Presence"), ref("Iq")],
  },
  StanzaContainer: obj(
    "Several stanzas answering one iq (e.g. XEP-0313 results then the final iq)",
    { xmpp: list(ref("Stanza"), "The stanzas, the final iq last") },
    { required: ["xmpp"] },
  ),
  Message: obj("A `<message/>`", {
    ...attributes("message", "Message type (absent: normal)"),
    ...MESSAGE_FIELDS,
    ...COMMON_FIELDS,
  }),
  Presence: obj("A `<presence/>`", {
    ...attributes(
      "presence",
      "Presence type; `available` stands for no type attribute",
    ),
    ...PRESENCE_FIELDS,
    ...COMMON_FIELDS,
  }),
  Iq: obj(
    "An `<iq/>`. A request is of type get or set (others are a 422) and carries exactly one payload key; the type defaults to `set` with `command` or `archive`, else `get`.",
    {
      ...attributes("iq", "Iq type"),
      ...IQ_FIELDS,
      ...COMMON_FIELDS,
    },
  ),
  ForwardedMessage: obj(
    "A forwarded message: the message fields minus `kind` and the hand-written ones (html, oob_url, disco, items, command, dataform); addresses are copied as they are",
    {
      kind: str("Ignored"),
      type: str("Message type"),
      id: str("Stanza id"),
      to: str("Recipient"),
      from: str("Sender"),
      lang: str("`xml:lang`"),
      ...forwardedFields,
    },
  ),
  StanzaError: obj("An RFC 6120 stanza `<error/>`", {
    type: str("Error type", { enum: STANZA_ERROR_TYPES }),
    condition: str("Defined condition (default `undefined-condition`)", {
      enum: Object.keys(STANZA_ERROR_CONDITIONS),
    }),
    text: str("Human-readable text"),
    by: str("JID of the entity that generated the error"),
  }),
  ErrorResponse: obj(
    "An HTTP error (any status >= 400): the HTTP status with a stanza-error type, a condition (stream-error names where mod_rest uses them) and a text",
    {
      type: str("Always `error`", { const: "error" }),
      code: int("The HTTP status code", { minimum: 400, maximum: 599 }),
      error: obj("What went wrong", {
        type: str("Stanza-error type", { enum: STANZA_ERROR_TYPES }),
        condition: str("Error condition"),
        text: httpErrorText,
      }, { required: ["type", "condition", "text"] }),
    },
    { required: ["type", "code", "error"] },
  ),
  FormStanza: {
    type: "object",
    description:
      "The JSON mapping restricted to top-level strings (numbers and booleans given as strings are coerced); a body without `=` is a URL-encoded message text on `POST /rest` and a 400 on the path route. As output: the top-level scalars only (numbers as strings, `true` as an empty string; objects, arrays and `false` dropped).",
    properties: {
      kind: str("Stanza kind"),
      type: str("Stanza type"),
      to: str("Destination JID"),
      from: str("Sender JID"),
      id: str("Stanza id"),
      body: str("Message body"),
      nick: str("XEP-0172 nickname"),
      status: str("Presence status"),
      show: str("Presence show"),
      priority: str("Presence priority", { pattern: "^-?[0-9]+$" }),
    },
    additionalProperties: { type: "string" },
  },
  Health: obj("A health check (draft-inadarei-api-health-check)", {
    status: str("`pass` or `fail`", { enum: ["pass", "fail"] }),
    output: str("Why the check fails"),
    role: str(
      "Readiness with several instances: this instance's role (`holder` holds the XMPP stream, `standby` passes stanzas to the holder, `active` has its own stream)",
      { enum: ["holder", "standby", "active"] },
    ),
    serviceId: str("Readiness with several instances: this instance's id"),
  }, { required: ["status"] }),
  ...MESSAGE_SCHEMAS,
  ...IQ_SCHEMAS,
};
