// Store operations as generators of statements: the synchronous and the asynchronous runner feed each statement's answer back in order.

import assert from "node:assert/strict";
import { query } from "../../src/store/sql_dialect.ts";
import {
  changes,
  rows,
  runAsync,
  runSync,
  type SqlOp,
  type SqlStep,
} from "../../src/store/sql_op.ts";

const FIRST = query(() => "SELECT $1 AS n");
const SECOND = query(() => "DELETE FROM t WHERE n = $1");

/** Reads a row, deletes by its value, answers both. */
function* sample(start: number): SqlOp<string> {
  const [row] = yield* rows(FIRST, [start]);
  const gone = yield* changes(SECOND, [Number(row.n) + 1]);
  return `${row.n}/${gone}`;
}

/** A fake database: answers by statement, records what ran. */
function fakeDb() {
  const ran: SqlStep[] = [];
  const answer = (step: SqlStep) => {
    ran.push(step);
    return step.answer === "rows" ? [{ n: step.params[0] }] : 2;
  };
  return { ran, answer };
}

Deno.test("runSync() runs every statement in order and returns the result", () => {
  const db = fakeDb();
  assert.equal(runSync(sample(5), db.answer), "5/2");
  assert.deepEqual(db.ran.map((s) => [s.query, s.params, s.answer]), [
    [FIRST, [5], "rows"],
    [SECOND, [6], "changes"],
  ]);
});

Deno.test("runAsync() runs the same operation to the same result", async () => {
  const db = fakeDb();
  assert.equal(
    await runAsync(sample(5), (s) => Promise.resolve(db.answer(s))),
    "5/2",
  );
  assert.equal(db.ran.length, 2);
});

Deno.test("a failing statement ends the operation with its error", async () => {
  const fail = () => {
    throw new Error("disk I/O error");
  };
  assert.throws(() => runSync(sample(1), fail), /disk I\/O error/);
  await assert.rejects(
    () =>
      runAsync(sample(1), () => Promise.reject(new Error("connection lost"))),
    /connection lost/,
  );
});
