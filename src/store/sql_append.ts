// The SQL back-ends' append (README "Receiving you can trust", "Re-sent messages and receipts"): one transaction that stores new events with their deliveries and recognises re-sent ones by their de-duplication key.

import type { AppendedEvent, AppendOptions, NewEvent } from "./types.ts";
import {
  appendedEvents,
  type DedupeVerdict,
  dedupeVerdicts,
  keysToRecord,
  type SeenKey,
} from "./common.ts";
import { list, query, type SqlKind } from "./sql_dialect.ts";
import { rows, type SqlOp } from "./sql_op.ts";
import { APPEND_STEPS } from "./sql_append_steps.ts";

/** What {@linkcode appendEvents} returns. */
export interface AppendResult {
  /** The append's answer, one per event. */
  readonly out: AppendedEvent[];
  /** The last new id; undefined when every event was a duplicate. */
  readonly last: number | undefined;
}

const UNDELIVERED = query((d) =>
  `SELECT DISTINCT event_id FROM ${d.deliveries}
   WHERE event_id ${d.inList("$1", "bigint")} AND consumer ${
    d.inList("$2", "text")
  }`
);

/**
 * {@linkcode EventStore.append} (atomic): the decisions are those of
 * common.ts ({@linkcode dedupeVerdicts}, {@linkcode appendedEvents},
 * {@linkcode keysToRecord}); `token` names the store in the NOTIFY that
 * tells other PostgreSQL instances.
 */
export function* appendEvents(
  kind: SqlKind,
  events: readonly NewEvent[],
  options: AppendOptions,
  token: string,
): SqlOp<AppendResult> {
  const steps = APPEND_STEPS[kind];
  const deliverTo = options.deliverTo ?? [];
  const { dedupe } = options;
  const keys = (dedupe?.keys ?? []).filter((k) => k !== undefined);
  const seen = new Map<string, SeenKey>();
  for (const r of keys.length === 0 ? [] : yield* steps.seenKeys(keys)) {
    seen.set(String(r.key), {
      eventId: Number(r.event_id),
      seenAt: Number(r.seen_at),
    });
  }
  const verdicts = dedupeVerdicts(events.length, dedupe, seen);
  const fresh = events.filter((_, i) => verdicts[i].kind === "store");
  const ids = fresh.length === 0
    ? []
    : yield* steps.insertEvents(fresh, deliverTo, token);
  const undelivered = verdicts.some((v) => v.kind === "seen")
    ? yield* undeliveredFirstCopies(verdicts, deliverTo)
    : NONE;
  const out = appendedEvents(
    events,
    verdicts,
    ids,
    (id) => undelivered.has(id),
    deliverTo.length > 0,
  );
  const record = keysToRecord(events, verdicts, out, dedupe);
  if (record.length > 0) yield* steps.recordKeys(record);
  return { out, last: ids.at(-1) };
}

/** The ids of first copies (of `seen` verdicts) with a delivery to `deliverTo` still pending or dead. */
function* undeliveredFirstCopies(
  verdicts: readonly DedupeVerdict[],
  deliverTo: readonly string[],
): SqlOp<ReadonlySet<number>> {
  const firstIds = verdicts.flatMap((v) =>
    v.kind === "seen" ? [v.eventId] : []
  );
  if (firstIds.length === 0 || deliverTo.length === 0) return NONE;
  const params = [list(firstIds), list(deliverTo)];
  const found = yield* rows(UNDELIVERED, params);
  return new Set(found.map((r) => Number(r.event_id)));
}

const NONE: ReadonlySet<number> = new Set();
