/**
 * A failed statement's error names what the database said, not the driver's generic "Query failed".
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { sqlErrorText } from "../src/postgres/sqlErrorText.ts"
import { backends } from "./support/databases.ts"

for (const backend of backends()) {
  describe(`sqlErrorText (${backend.name})`, () => {
    it.live("gives the server's message and SQLSTATE", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const error = yield* Effect.flip(sql`SELECT 1 / 0`)
        assert.include(sqlErrorText(error), "division by zero")
        assert.include(sqlErrorText(error), "SQLSTATE 22012")
      }).pipe(Effect.scoped, Effect.provide(backend.layer("empty")))
    )
  })
}

describe("sqlErrorText", () => {
  it("falls back to the deepest message when no cause carries a SQLSTATE", () => {
    const inner = new Error("socket closed")
    assert.strictEqual(sqlErrorText(new Error("Query failed", { cause: inner })), "socket closed")
    assert.strictEqual(sqlErrorText("text"), "text")
  })
})
