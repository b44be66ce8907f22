// Built-in answers for the component's own domain: XEP-0199 ping, XEP-0030 disco#info, XEP-0092 version, XEP-0202 time.

import { el, type XmlElement } from "../xml/element.ts";
import { NS } from "../xmpp/namespaces.ts";
import { iqResult } from "../xmpp/stanza.ts";

/** The built-in answers, each switchable off. */
export const ETIQUETTE_ANSWERS = ["ping", "disco", "version", "time"] as const;

/** One built-in answer. */
export type EtiquetteAnswer = typeof ETIQUETTE_ANSWERS[number];

/** XEP-0202 namespace. */
const TIME_NS = "urn:xmpp:time";

/** What the answers say. */
export interface EtiquetteSettings {
  /** The component's domain: only iqs to exactly this address are answered. */
  readonly domain: string;
  /** The answers that are on. */
  readonly enabled: readonly EtiquetteAnswer[];
  /** Software version for XEP-0092 (the OS is not disclosed). */
  readonly version: string;
  /** The current time (ms since epoch) for XEP-0202. */
  readonly now: () => number;
}

/** The namespace each answer advertises in disco#info. */
const FEATURES: Readonly<Record<EtiquetteAnswer, string>> = {
  ping: NS.ping,
  disco: NS.discoInfo,
  version: NS.version,
  time: TIME_NS,
};

function which(payload: XmlElement): EtiquetteAnswer | undefined {
  if (payload.is("ping", NS.ping)) return "ping";
  if (payload.is("query", NS.version)) return "version";
  if (payload.is("time", TIME_NS)) return "time";
  if (payload.is("query", NS.discoInfo) && payload.attr("node") === undefined) {
    return "disco";
  }
  return undefined;
}

function answer(
  kind: EtiquetteAnswer,
  iq: XmlElement,
  settings: EtiquetteSettings,
): XmlElement {
  switch (kind) {
    case "ping":
      return iqResult(iq);
    case "version":
      return iqResult(
        iq,
        el(
          "query",
          NS.version,
          {},
          el("name", NS.version, {}, "xmpp-rest"),
          el("version", NS.version, {}, settings.version),
        ),
      );
    case "time": {
      const utc = new Date(settings.now()).toISOString().replace(
        /\.\d{3}Z$/,
        "Z",
      );
      return iqResult(
        iq,
        el(
          "time",
          TIME_NS,
          {},
          el("tzo", TIME_NS, {}, "+00:00"),
          el("utc", TIME_NS, {}, utc),
        ),
      );
    }
    case "disco":
      return iqResult(
        iq,
        el(
          "query",
          NS.discoInfo,
          {},
          el("identity", NS.discoInfo, {
            category: "component",
            type: "generic",
            name: "xmpp-rest",
          }),
          ...settings.enabled.map((on) =>
            el("feature", NS.discoInfo, { var: FEATURES[on] })
          ),
        ),
      );
  }
}

/**
 * The built-in answer to an iq get addressed to the component's own domain
 * (not to a user at it), or undefined when there is none or it is
 * switched off: then the iq is an event like any other.
 *
 * @example
 * ```ts
 * const reply = etiquetteReply(pingIq, {
 *   domain: "rest.example.net", enabled: ["ping"], version: "1.0.0", now: Date.now,
 * }); // <iq type="result" .../>
 * ```
 */
export function etiquetteReply(
  iq: XmlElement,
  settings: EtiquetteSettings,
): XmlElement | undefined {
  if (iq.name !== "iq" || iq.attr("type") !== "get") return undefined;
  if ((iq.attr("to") ?? "").toLowerCase() !== settings.domain) return undefined;
  const payload = iq.elements();
  if (payload.length !== 1) return undefined;
  const kind = which(payload[0]);
  if (kind === undefined || !settings.enabled.includes(kind)) return undefined;
  return answer(kind, iq, settings);
}
