/**
 * insertViaParallelSelect: the same rows as a plain INSERT … SELECT with bind parameters (arrays, numbers and
 * text that looks like SQL or like a parameter), several times in one transaction and once outside any, nothing
 * staged left behind, a plan with parallel workers on PostgreSQL, and a clear defect for a parameter without a
 * cast.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import { SqlClient } from "effect/sql"
import { insertViaParallelSelect, setParameters, withParametersFromSettings } from "../src/postgres/parallelInsert.ts"
import { pgArray } from "../src/postgres/values.ts"
import { backends } from "./support/databases.ts"

const TRICKY = ["'; DROP TABLE item; --", "$1::text", "ставка 30%", 'a"b\\c', ""]

const setUp = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE item (id bigint PRIMARY KEY, kind bigint NOT NULL, amount numeric NOT NULL, label text NOT NULL)`
  yield* sql`
    INSERT INTO item SELECT g, g % 7, (g * 37 % 1000) / 10.0, 'item ' || g FROM generate_series(1, 20000) AS g`
  yield* sql`ANALYZE item`
  for (const table of ["staged", "plain"]) {
    yield* sql.unsafe(`CREATE TABLE ${table} (id bigint, tag text, note text, share numeric)`)
  }
})

const selection = (sql: SqlClient.SqlClient, tag: string, kinds: ReadonlyArray<number>, above: string) => sql`
  SELECT i.id, ${tag}::text || ':' || i.label, format(${"%s of %s"}::text, i.amount, ${above}::text),
    i.amount / ${above}::numeric
  FROM item i
  WHERE i.kind = ANY(${pgArray(kinds)}::bigint[]) AND i.amount > ${above}::numeric`

const rowsOf = (table: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return yield* sql.unsafe<{ row: string }>(`SELECT (t.*)::text AS row FROM ${table} t ORDER BY id, tag`)
  })

for (const backend of backends()) {
  describe(`insertViaParallelSelect (${backend.name})`, () => {
    it.live("inserts what the INSERT … SELECT with bind parameters inserts", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* setUp
        yield* sql.withTransaction(
          Effect.gen(function* () {
            for (const [i, tag] of TRICKY.entries()) {
              const select = selection(sql, tag, [i, i + 2], `${60 + i}.5`)
              yield* insertViaParallelSelect("staged", ["id", "tag", "note", "share"], select)
              yield* sql`INSERT INTO plain (id, tag, note, share) ${select}`
            }
          })
        )
        const staged = yield* rowsOf("staged")
        assert.isAbove(staged.length, 1000)
        assert.deepStrictEqual(staged, yield* rowsOf("plain"))
        // Every tag came through as it was sent, quotes, percent signs and `$1::text` included.
        const tags = yield* sql<{ tag: string }>`SELECT DISTINCT tag FROM staged`
        for (const tag of TRICKY)
          assert.isTrue(
            tags.some((r) => r.tag.startsWith(`${tag}:item `)),
            tag
          )
        const left = yield* sql`SELECT 1 FROM pg_class WHERE relname = 'aq_parallel_rows'`
        assert.strictEqual(left.length, 0)
        assert.strictEqual((yield* sql<{ n: unknown }>`SELECT count(*)::int AS n FROM item`)[0]?.n, 20000)
      }).pipe(Effect.provide(backend.layer()))
    )

    it.live("outside a transaction block it opens its own, so no parameter reads as empty text", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* setUp
        const select = selection(sql, "alone", [1], "10")
        yield* insertViaParallelSelect("staged", ["id", "tag", "note", "share"], select)
        yield* sql`INSERT INTO plain (id, tag, note, share) ${select}`
        const staged = yield* rowsOf("staged")
        assert.isAbove(staged.length, 100)
        assert.deepStrictEqual(staged, yield* rowsOf("plain"))
      }).pipe(Effect.provide(backend.layer()))
    )

    it.live("refuses a parameter without a cast", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const exit = yield* Effect.exit(withParametersFromSettings(sql`SELECT ${"x"} AS uncast`))
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) assert.match(String(Cause.squash(exit.cause)), /has no cast/)
      }).pipe(Effect.provide(backend.layer("empty")))
    )
  })
}

const postgres = backends().find((b) => b.name === "postgres")
if (postgres !== undefined) {
  describe("insertViaParallelSelect (postgres plan)", () => {
    it.live("the staged SELECT runs with parallel workers, its parameters evaluated once by the leader", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* setUp
        const plan = yield* sql.withTransaction(
          Effect.gen(function* () {
            // The table is small; make workers look free so that the planner's choice shows what is allowed.
            for (const setting of [
              "parallel_setup_cost = 0",
              "parallel_tuple_cost = 0",
              "min_parallel_table_scan_size = 0"
            ])
              yield* sql.unsafe(`SET LOCAL ${setting}`)
            const { text, values } = yield* withParametersFromSettings(selection(sql, "t", [1, 2], "50"))
            yield* setParameters(values)
            return yield* sql.unsafe<{ "QUERY PLAN": string }>(`EXPLAIN CREATE TEMP TABLE x (a, b, c, d) AS ${text}`)
          })
        )
        const text = plan.map((r) => r["QUERY PLAN"]).join("\n")
        assert.match(text, /Gather/)
        assert.match(text, /Parallel Seq Scan on item/)
        assert.match(text, /InitPlan/)
      }).pipe(Effect.provide(postgres.layer()))
    )
  })
}
