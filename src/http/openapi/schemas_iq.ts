// JSON Schemas of the iq payloads and data forms of the JSON mapping (README "iq payloads", "Data forms"; XEP-0030, 0050, 0004, 0313 and friends).

import { MAM_FILTER_FIELDS } from "../../jsonmap/archive.ts";
import { COMMAND_ACTIONS } from "../../jsonmap/commands.ts";
import { FIELD_TYPES } from "../../jsonmap/dataforms.ts";
import { REGISTER_TEXT_FIELDS } from "../../jsonmap/iq.ts";
import { bool, int, type JsonSchema, list, obj, ref, str } from "./types.ts";

const node = str("Node");

const formValue: JsonSchema = {
  description:
    "A field value: a string (one `<value>`), an array (several), null (none); input also takes numbers and booleans (`1`/`0`)",
  anyOf: [
    { type: "null" },
    { type: "string" },
    { type: "number" },
    { type: "boolean" },
    { type: "array", items: { type: ["string", "number", "boolean"] } },
  ],
};

const MAM_FILTERS: { [key: string]: JsonSchema } = {};
for (const name of MAM_FILTER_FIELDS) {
  MAM_FILTERS[name] = name === "ids"
    ? {
      description:
        "Convenience: message ids (`ids` field), an array or a comma-separated string",
      anyOf: [{ type: "array", items: { type: "string" } }, {
        type: "string",
      }],
    }
    : str(`Convenience: the \`${name}\` filter field of the MAM form`);
}

const REGISTER: { [key: string]: JsonSchema } = {};
for (const name of REGISTER_TEXT_FIELDS) {
  REGISTER[name] = str(`\`<${name}/>\``);
}

const ACTION_FLAGS: { [key: string]: JsonSchema } = {};
for (const name of COMMAND_ACTIONS) {
  ACTION_FLAGS[name] = bool(`\`<${name}/>\` is allowed`);
}

/** Reusable schemas of iq payloads and data forms, by component name. */
export const IQ_SCHEMAS: { readonly [name: string]: JsonSchema } = {
  Disco: {
    description:
      "XEP-0030 disco#info `<query xmlns='http://jabber.org/protocol/disco#info'>`: `true` or a node string for a query (also the output for an empty query), an object for a result",
    anyOf: [
      { type: "boolean", const: true },
      str("Node to query"),
      ref(
        "DiscoInfo",
      ),
    ],
  },
  DiscoInfo: obj("A disco#info result (or a query with `node`)", {
    node,
    identities: list(ref("DiscoIdentity"), "`<identity/>` elements"),
    features: list(str("Feature namespace"), "`<feature var/>` elements"),
    extensions: {
      type: "object",
      description:
        "XEP-0128 extension forms keyed by their FORM_TYPE, each a values-only form",
      additionalProperties: ref("FormValues"),
    },
  }),
  DiscoIdentity: obj("`<identity category type name/>`", {
    category: str("Category, e.g. `server`"),
    type: str("Type, e.g. `im`"),
    name: str("Human-readable name"),
  }, { required: ["category", "type"] }),
  DiscoItems: {
    description:
      "XEP-0030 disco#items `<query xmlns='http://jabber.org/protocol/disco#items'>`: `true`, a node string or `{node}` for a query (`true`/node is also the output for an empty result), an array of items for a result",
    anyOf: [
      { type: "boolean", const: true },
      str("Node to query"),
      list(
        { anyOf: [ref("DiscoItem"), str("Input only: an item's JID")] },
        "`<item/>` elements",
      ),
      obj("A query with a node", { node }),
    ],
  },
  DiscoItem: obj("`<item jid node name/>`", {
    jid: str("Item JID"),
    node,
    name: str("Human-readable name"),
  }),
  Command: {
    description:
      "XEP-0050 ad-hoc command `<command xmlns='http://jabber.org/protocol/commands'>`: a node string, or an object (implies iq type `set`)",
    anyOf: [str("Command node"), ref("CommandObject")],
  },
  CommandObject: obj("A command request or response", {
    node: str("Command node"),
    action: str("Requested action", {
      examples: ["execute", "next", "prev", "complete", "cancel"],
    }),
    sessionid: str("Session id (from the first response)"),
    status: str("Status of a response", {
      examples: ["executing", "completed", "canceled"],
    }),
    actions: obj("`<actions execute>`: the allowed next steps", {
      execute: str("The default action"),
      ...ACTION_FLAGS,
    }),
    note: obj(
      "`<note type>text</note>` (read only when there are no actions)",
      {
        type: str("Note type", { examples: ["info", "warn", "error"] }),
        text: str("Note text"),
      },
    ),
    form: ref("DataForm"),
    data: {
      ...ref("FormValues"),
      description:
        "Input only: values to submit, sent as a `type='submit'` form (`form` wins when both are given)",
    },
  }),
  DataForm: obj("XEP-0004 data form `<x xmlns='jabber:x:data'>` (full shape)", {
    type: str("Form type", {
      examples: ["form", "submit", "cancel", "result"],
    }),
    title: str("Title"),
    instructions: str("Instructions"),
    fields: list(ref("DataFormField"), "`<field/>` elements"),
  }),
  DataFormField: obj("A form field", {
    var: str("Field name"),
    type: str(`Field type: ${FIELD_TYPES.join(", ")}`, {
      examples: [...FIELD_TYPES],
    }),
    label: str("Label"),
    desc: str("Description"),
    required: bool("`<required/>` present"),
    value: {
      ...formValue,
      description:
        "Full shape: the first value; an array for jid-multi/list-multi; text-multi values joined with newlines (split on input)",
    },
    values: list(
      { type: ["string", "number", "boolean"] },
      "Schema shape (MAM query forms): all values",
    ),
    options: list(
      obj("`<option label><value/></option>`", {
        label: str("Label"),
        value: str("Value"),
      }),
      "Options of list-single/list-multi fields",
    ),
  }),
  FormValues: {
    type: "object",
    description:
      "XEP-0004 values-only form `{var: value}`; output: list-single and list-multi as arrays, text-multi joined, boolean true/false, other typed fields the first value or null, untyped fields arrays",
    additionalProperties: formValue,
  },
  ArchiveQuery: obj(
    "XEP-0313 MAM query `<query xmlns='urn:xmpp:mam:2' queryid>` (implies iq type `set`); the convenience keys build the filter form and the page",
    {
      queryid: str("Query id (the gateway adds one when missing)"),
      form: ref("DataForm"),
      page: ref("Rsm"),
      ...MAM_FILTERS,
      after: str("Convenience: RSM `after`"),
      before: str("Convenience: RSM `before`"),
      max: {
        description: "Convenience: RSM `max` (a number or numeric string)",
        anyOf: [{ type: "integer", minimum: 0 }, {
          type: "string",
          pattern: "^[0-9]+$",
        }],
      },
    },
  ),
  MamFin: obj("XEP-0313 `<fin xmlns='urn:xmpp:mam:2'>`", { page: ref("Rsm") }),
  Version: obj("XEP-0092 `<query xmlns='jabber:iq:version'>`; `{}` asks", {
    name: str("Software name"),
    version: str("Software version"),
    os: str("Operating system"),
  }),
  LastActivity: obj(
    "XEP-0012 `<query xmlns='jabber:iq:last' seconds>status</query>`",
    {
      seconds: int("Seconds since last activity", { minimum: 0 }),
      status: str("Status text"),
    },
  ),
  IqOob: obj("XEP-0066 `<query xmlns='jabber:iq:oob'>`", {
    url: str("URL", { format: "uri" }),
    desc: str("Description"),
  }),
  Gateway: obj("XEP-0100 `<query xmlns='jabber:iq:gateway'>`", {
    desc: str("Description"),
    prompt: str("Prompt or legacy user name"),
    jid: str("Resulting JID"),
  }),
  Register: obj("XEP-0077 `<query xmlns='jabber:iq:register'>`", {
    ...REGISTER,
    registered: bool("`<registered/>` present"),
    remove: bool("`<remove/>`: cancel the registration"),
  }),
  Extdisco: obj("XEP-0215 `<services xmlns='urn:xmpp:extdisco:2' type>`", {
    type: str("Service type to ask for, e.g. `turn`"),
    services: list(
      obj("`<service/>`", {
        type: str("Service type"),
        host: str("Host"),
        port: int("Port", { minimum: 0, maximum: 65535 }),
        transport: str("Transport, e.g. `udp`"),
        username: str("User name"),
        password: str("Password"),
        restricted: bool("Credentials are needed"),
        expires: str("Expiry (date-time)"),
        name: str("Name"),
      }),
      "Services",
    ),
  }),
  UploadRequest: obj("XEP-0363 `<request xmlns='urn:xmpp:http:upload:0'>`", {
    filename: str("File name"),
    size: {
      description: "Size in bytes (a number or numeric string)",
      anyOf: [{ type: "integer", minimum: 0 }, {
        type: "string",
        pattern: "^[0-9]+$",
      }],
    },
    "content-type": str("Media type of the file"),
  }),
  UploadSlot: obj("XEP-0363 `<slot xmlns='urn:xmpp:http:upload:0'>`", {
    put: obj("Where to upload", {
      url: str("PUT URL", { format: "uri" }),
      headers: list(
        obj("`<header name>value</header>`", {
          name: str("Header name", {
            examples: ["Authorization", "Cookie", "Expires"],
          }),
          value: str("Header value"),
        }),
        "Headers to send with the PUT",
      ),
    }),
    get: obj("Where to download", { url: str("GET URL", { format: "uri" }) }),
  }),
  BlockItem: obj("XEP-0191 `<item jid>` with an optional XEP-0377 report", {
    jid: str("Blocked JID"),
    report: obj("XEP-0377 `<report xmlns='urn:xmpp:reporting:1' reason>`", {
      reason: str("Reason URI", {
        examples: ["urn:xmpp:reporting:spam", "urn:xmpp:reporting:abuse"],
      }),
      stanza_ids: list(ref("StanzaId"), "Offending stanzas"),
    }),
  }),
};

/** Iq payload fields of the JSON mapping (key -> schema). */
export const IQ_FIELDS: { readonly [key: string]: JsonSchema } = {
  ping: bool(
    "XEP-0199 `<ping xmlns='urn:xmpp:ping'/>`: `true` (`false` means absent)",
  ),
  version: ref("Version"),
  stats: list(
    obj("`<stat name unit value/>`", {
      name: str("Statistic name"),
      unit: str("Unit"),
      value: { type: "number", description: "Value" },
    }),
    "XEP-0039 `<query xmlns='http://jabber.org/protocol/stats'>`",
  ),
  lastactivity: ref("LastActivity"),
  oob: ref("IqOob"),
  gateway: ref("Gateway"),
  register: ref("Register"),
  extdisco: ref("Extdisco"),
  upload_request: ref("UploadRequest"),
  upload_slot: ref("UploadSlot"),
  block: list(ref("BlockItem"), "XEP-0191 `<block xmlns='urn:xmpp:blocking'>`"),
  blocklist: list(
    obj("`<item jid/>`", { jid: str("Blocked JID") }),
    "XEP-0191 `<blocklist xmlns='urn:xmpp:blocking'>`; `[]` asks for it",
  ),
  archive: ref("ArchiveQuery"),
  result: ref("MamFin"),
};
