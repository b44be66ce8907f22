// Table runner for decideReply() cases, shared by the reply test files.

import assert from "node:assert/strict";
import type { XmlElement } from "../../src/xml/element.ts";
import { canonicalize } from "../../src/xml/serialize.ts";
import { decideReply, type WebhookOutcome } from "../../src/webhook/reply.ts";
import { ALICE, BOT, canon, counterIds, stanza } from "./support.ts";

/** One row: an incoming stanza, what the webhook did, the canonical replies expected. */
export interface ReplyCase {
  name: string;
  incoming: XmlElement;
  outcome: WebhookOutcome;
  replies: string[];
  /** True when a warning must be logged; otherwise none may be. */
  warns?: boolean;
}

/** A response outcome. */
export type ResponseOutcome = Extract<WebhookOutcome, { kind: "response" }>;

/** An HTTP answer with an optional body (a string, or a value sent as JSON). */
export function response(
  status: number,
  contentType?: string,
  body: unknown = "",
): ResponseOutcome {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return { kind: "response", status, contentType, body: text };
}

/** Canonical empty iq result from the bot to Alice. */
export const iqResultTo = (id: string, inner = ""): string =>
  stanza("iq", { from: BOT, to: ALICE, id, type: "result" }, inner);

/** Canonical error reply from the bot to Alice. */
export const errorTo = (
  name: string,
  id: string | undefined,
  inner: string,
): string => stanza(name, { from: BOT, to: ALICE, id, type: "error" }, inner);

/** Registers one Deno test per case; each also checks the incoming stanza is unchanged. */
export function testReplyCases(cases: readonly ReplyCase[]): void {
  for (const c of cases) {
    Deno.test({
      name: `decideReply(): ${c.name}`,
      permissions: "none",
      fn() {
        const before = canonicalize(c.incoming);
        const decision = decideReply(c.incoming, c.outcome, {
          randomId: counterIds(),
        });
        assert.deepEqual(canon(decision.replies), c.replies);
        if (c.warns) {
          assert.ok(decision.warnings.length > 0, "expected a warning");
        } else assert.deepEqual(decision.warnings, []);
        assert.equal(
          canonicalize(c.incoming),
          before,
          "incoming stanza changed",
        );
      },
    });
  }
}

/** A row whose outcome is an HTTP answer with a body (status 200 unless given). */
export interface BodyCase extends Omit<ReplyCase, "outcome"> {
  status?: number;
  contentType: string;
  body: unknown;
}

/** Turns body rows into reply cases. */
export function bodyCases(rows: readonly BodyCase[]): ReplyCase[] {
  return rows.map(({ status, contentType, body, ...rest }) => ({
    ...rest,
    outcome: response(status ?? 200, contentType, body),
  }));
}
