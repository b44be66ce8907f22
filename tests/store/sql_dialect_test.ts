// The SQL dialect layer: one text per statement and dialect, placeholders as each dialect names them, and SQLite binding them by number.

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  POSTGRES,
  query,
  queryOn,
  queryPerDialect,
  SQLITE,
} from "../../src/store/sql_dialect.ts";

const renderCases: [string, ReturnType<typeof query>, {
  sqlite?: string;
  postgres?: string;
}][] = [
  [
    "query() names each dialect's table and placeholders",
    query((d) => `SELECT * FROM ${d.events} WHERE id >= $1 LIMIT $2`),
    {
      sqlite: "SELECT * FROM events WHERE id >= ?1 LIMIT ?2",
      postgres: "SELECT * FROM xmpp_rest_events WHERE id >= $1 LIMIT $2",
    },
  ],
  [
    "a repeated placeholder keeps its number",
    query((d) => `SELECT ${d.greatest}($1, $2) WHERE $1 > 0`),
    {
      sqlite: "SELECT max(?1, ?2) WHERE ?1 > 0",
      postgres: "SELECT greatest($1, $2) WHERE $1 > 0",
    },
  ],
  [
    "a list parameter: json_each() on SQLite, = ANY on PostgreSQL",
    query((d) => `SELECT 1 WHERE 5 ${d.inList("$1", "bigint")}`),
    {
      sqlite: "SELECT 1 WHERE 5 IN (SELECT value FROM json_each(?1))",
      postgres: "SELECT 1 WHERE 5 = ANY($1::bigint[])",
    },
  ],
  [
    "queryPerDialect() keeps both texts",
    queryPerDialect({
      sqlite: () => "SELECT $1",
      postgres: () => "SELECT $1::text",
    }),
    { sqlite: "SELECT ?1", postgres: "SELECT $1::text" },
  ],
  [
    "queryOn() has no text for the other dialect",
    queryOn("postgres", () => "SELECT pg_notify($1, $2)"),
    { postgres: "SELECT pg_notify($1, $2)" },
  ],
];
for (const [name, got, want] of renderCases) {
  Deno.test(`sql_dialect: ${name}`, () => assert.deepEqual({ ...got }, want));
}

Deno.test("sql_dialect: the two dialects name different tables alike", () => {
  for (
    const key of [
      "events",
      "deliveries",
      "cursors",
      "settings",
      "inboundKeys",
      "idempotency",
    ] as const
  ) {
    assert.equal(
      POSTGRES[key],
      `xmpp_rest_${SQLITE[key].replace("inboundKeys", "inbound_keys")}`,
    );
  }
});

Deno.test("sql_dialect: SQLite binds ?N placeholders and json_each() lists as rendered", () => {
  const db = new DatabaseSync(":memory:");
  try {
    const text = query((d) =>
      `SELECT ${d.greatest}($2, $1) AS top, 3 ${
        d.inList("$3", "bigint")
      } AS listed, $1 AS again`
    ).sqlite!;
    const [row] = db.prepare(text).all(4, 7, JSON.stringify([1, 3]));
    assert.deepEqual({ ...row }, { top: 7, listed: 1, again: 4 });
  } finally {
    db.close();
  }
});
