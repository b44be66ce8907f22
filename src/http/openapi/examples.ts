// Examples of the API description: stanzas in the JSON mapping (README "JSON mapping reference") and the other body formats.

/** A JSON stanza (or `{"xmpp":[…]}` container) example. */
export interface StanzaExample {
  /** One line saying what it shows. */
  readonly summary: string;
  /** The JSON value. */
  readonly value: { readonly [key: string]: unknown };
}

/** Stanzas a client POSTs to `/rest` (JSON); input shapes allowed. */
export const REQUEST_EXAMPLES = {
  ChatMessage: {
    summary: "A chat message with a chat state",
    value: {
      kind: "message",
      type: "chat",
      to: "user@example.org",
      body: "Hello!",
      state: "active",
    },
  },
  PingRequest: {
    summary: "XEP-0199 ping (waits for the reply)",
    value: { kind: "iq", type: "get", to: "example.org", ping: true },
  },
  DiscoInfoRequest: {
    summary: "XEP-0030 disco#info query",
    value: { kind: "iq", type: "get", to: "example.org", disco: true },
  },
  CommandRequest: {
    summary: "XEP-0050 ad-hoc command (type set implied)",
    value: { kind: "iq", to: "example.org", command: { node: "uptime" } },
  },
  ArchiveRequest: {
    summary: "XEP-0313 MAM query with convenience keys",
    value: {
      kind: "iq",
      to: "room@muc.example.org",
      archive: { start: "2024-05-01T00:00:00Z", max: 10 },
    },
  },
  MucJoin: {
    summary: "XEP-0045 join without history",
    value: {
      kind: "presence",
      from: "bot@rest.example.net/bot",
      to: "room@muc.example.org/Bot",
      muc: { history: { maxstanzas: 0 } },
    },
  },
  ErrorStanza: {
    summary: "An error stanza (e.g. refusing an earlier request)",
    value: {
      kind: "message",
      to: "user@example.org",
      id: "m-17",
      error: {
        type: "cancel",
        condition: "not-acceptable",
        text: "Not now",
      },
    },
  },
} as const satisfies Record<string, StanzaExample>;

/** Replies the gateway answers iqs with (200, JSON); each is exactly what the mapping outputs. */
export const REPLY_EXAMPLES = {
  PingResult: {
    summary: "The reply to a ping: an empty result",
    value: {
      kind: "iq",
      type: "result",
      id: "ping-1",
      from: "example.org",
      to: "rest.example.net",
    },
  },
  DiscoInfoResult: {
    summary: "A disco#info result with a XEP-0232 software form",
    value: {
      kind: "iq",
      type: "result",
      id: "disco-1",
      from: "example.org",
      to: "rest.example.net",
      disco: {
        identities: [{ category: "server", type: "im", name: "Prosody" }],
        features: [
          "http://jabber.org/protocol/disco#info",
          "http://jabber.org/protocol/commands",
          "urn:xmpp:ping",
        ],
        extensions: {
          "urn:xmpp:dataforms:softwareinfo": {
            software: ["Prosody"],
            software_version: ["0.12.4"],
          },
        },
      },
    },
  },
  CommandResult: {
    summary: "A completed ad-hoc command with a note",
    value: {
      kind: "iq",
      type: "result",
      id: "cmd-1",
      from: "example.org",
      to: "rest.example.net",
      command: {
        node: "uptime",
        sessionid: "s-1",
        status: "completed",
        note: { type: "info", text: "This server has been running for 3 days" },
      },
    },
  },
  ErrorReply: {
    summary: "An error reply (still HTTP 200: the XMPP exchange worked)",
    value: {
      kind: "iq",
      type: "error",
      id: "ping-1",
      from: "example.org",
      to: "rest.example.net",
      error: {
        type: "cancel",
        condition: "service-unavailable",
        text: "Ping is not supported",
      },
    },
  },
  ArchiveContainer: {
    summary: "A MAM query answered by result messages then the iq",
    value: {
      xmpp: [
        {
          kind: "message",
          id: "r-1",
          from: "room@muc.example.org",
          to: "rest.example.net",
          archive: {
            queryid: "q-1",
            id: "a-1",
            forward: {
              delay: "2024-05-01T12:00:00Z",
              message: {
                type: "groupchat",
                from: "room@muc.example.org/alice",
                body: "Hi all",
              },
            },
          },
        },
        {
          kind: "iq",
          type: "result",
          id: "mam-1",
          from: "room@muc.example.org",
          to: "rest.example.net",
          result: { page: { first: "a-1", last: "a-1", count: 1 } },
        },
      ],
    },
  },
} as const satisfies Record<string, StanzaExample>;

/** What `/rest/echo` returns for {@linkcode REQUEST_EXAMPLES}.ChatMessage. */
export const ECHO_EXAMPLES = {
  ChatMessageEcho: {
    summary: "The chat message as it would be sent (from and id added)",
    value: {
      kind: "message",
      type: "chat",
      id: "6NfPzUnJrY0qCk5KuGFHSa9B",
      from: "rest.example.net",
      to: "user@example.org",
      body: "Hello!",
      state: "active",
    },
  },
} as const satisfies Record<string, StanzaExample>;

/** Form-urlencoded request bodies (as the decoded field map). */
export const FORM_EXAMPLES = {
  ChatMessageForm: {
    summary: "A message from form fields (`to=…&body=…`)",
    value: { to: "user@example.org", type: "chat", body: "Hello!" },
  },
  MucMessageForm: {
    summary: "A groupchat message with a XEP-0172 nick",
    value: {
      to: "room@muc.example.org",
      type: "groupchat",
      body: "beep boop",
      nick: "Botty",
    },
  },
} as const satisfies Record<string, StanzaExample>;

/** Bodies of `POST /rest/iq/{payload}/{to}`: the payload alone. */
export const PAYLOAD_EXAMPLES = {
  DiscoNodePayload: {
    summary: "`POST /rest/iq/disco/example.org`: disco#info of a node",
    value: { node: "http://jabber.org/protocol/commands" },
  },
  CommandPayload: {
    summary: "`POST /rest/iq/command/example.org`: run a command",
    value: { node: "uptime" },
  },
} as const satisfies Record<string, StanzaExample>;
