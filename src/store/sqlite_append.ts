// The SQLite event store's append (README "Receiving you can trust"): stores new events with their deliveries and recognises re-sent ones by their de-duplication key (README "Re-sent messages and receipts").

import type { StatementSync } from "node:sqlite";
import type { AppendedEvent, AppendOptions, NewEvent } from "./types.ts";
import {
  appendedEvents,
  dedupeVerdicts,
  keysToRecord,
  type SeenKey,
} from "./common.ts";

type Row = Record<string, unknown>;

/**
 * Appends `events` (the caller runs it in a transaction); `sql` gives a
 * prepared statement. Returns the append's answer and the last new id
 * (undefined when every event was a duplicate).
 */
export function appendSqlite(
  sql: (text: string) => StatementSync,
  events: readonly NewEvent[],
  options: AppendOptions,
): { out: AppendedEvent[]; last: number | undefined } {
  const deliverTo = options.deliverTo ?? [];
  const { dedupe } = options;
  const verdicts = dedupeVerdicts(
    events.length,
    dedupe,
    seenKeys(sql, dedupe?.keys ?? []),
  );
  const insert = sql(
    "INSERT INTO events (received_at, kind, from_jid, to_jid, conversation, stanza) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const deliver = sql(
    "INSERT INTO deliveries (consumer, event_id, conversation, state, due_at, attempts) VALUES (?, ?, ?, 'pending', ?, 0)",
  );
  const ids: number[] = [];
  verdicts.forEach((verdict, i) => {
    if (verdict.kind !== "store") return;
    const event = events[i];
    const result = insert.run(
      event.receivedAt,
      event.kind,
      event.from,
      event.to,
      event.conversation,
      event.stanza,
    );
    const id = Number(result.lastInsertRowid);
    for (const consumer of deliverTo) {
      deliver.run(consumer, id, event.conversation, event.receivedAt);
    }
    ids.push(id);
  });
  const pending = sql(
    "SELECT 1 FROM deliveries WHERE consumer = ? AND event_id = ?",
  );
  const out = appendedEvents(
    events,
    verdicts,
    ids,
    (id) => deliverTo.some((c) => pending.get(c, id) !== undefined),
    deliverTo.length > 0,
  );
  const record = sql(
    "INSERT INTO inbound_keys (key, event_id, seen_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET event_id = excluded.event_id, seen_at = excluded.seen_at",
  );
  for (const k of keysToRecord(events, verdicts, out, dedupe)) {
    record.run(k.key, k.eventId, k.seenAt);
  }
  return { out, last: ids.at(-1) };
}

/** The recorded de-duplication keys among `keys`. */
function seenKeys(
  sql: (text: string) => StatementSync,
  keys: readonly (string | undefined)[],
): Map<string, SeenKey> {
  const seen = new Map<string, SeenKey>();
  const find = sql(
    "SELECT event_id, seen_at FROM inbound_keys WHERE key = ?",
  );
  for (const key of keys) {
    if (key === undefined || seen.has(key)) continue;
    const row = find.get(key) as Row | undefined;
    if (row) {
      seen.set(key, {
        eventId: Number(row.event_id),
        seenAt: Number(row.seen_at),
      });
    }
  }
  return seen;
}
