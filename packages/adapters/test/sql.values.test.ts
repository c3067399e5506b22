/**
 * The value encoders every bulk statement relies on: array literals and instants as timestamptz text, checked
 * against their definitions in JavaScript and against what PostgreSQL 15 and PGlite read back from them.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import fc from "fast-check"
import { instantOfMs, instantText, pgArray } from "../src/postgres/values.ts"
import { backends } from "./support/databases.ts"

// 1000-01-01 .. 9999-12-31: the years with four digits, where instantText formats by itself.
const FOUR_DIGIT_YEARS = { min: -30_610_224_000_000, max: 253_402_300_799_999 }

describe("instantText", () => {
  it("equals Date#toISOString for every instant with a four-digit year", () => {
    fc.assert(
      fc.property(fc.integer(FOUR_DIGIT_YEARS), (ms) => {
        assert.strictEqual(instantText(ms), new Date(ms).toISOString())
      }),
      { numRuns: 20_000, seed: 7 }
    )
  })

  it("equals it at day, month, leap-year and range edges", () => {
    const edges = [
      FOUR_DIGIT_YEARS.min,
      FOUR_DIGIT_YEARS.min - 1,
      FOUR_DIGIT_YEARS.max,
      FOUR_DIGIT_YEARS.max + 1,
      0,
      -1,
      Date.UTC(1900, 1, 28, 23, 59, 59, 999),
      Date.UTC(1900, 2, 1),
      Date.UTC(2000, 1, 29, 12),
      Date.UTC(2024, 1, 29, 18, 0, 0, 1),
      Date.UTC(2100, 1, 28, 23, 59, 59, 999),
      Date.UTC(2100, 2, 1),
      Date.UTC(1969, 11, 31, 23, 59, 59, 999),
      Date.UTC(-5, 0, 1)
    ]
    for (const ms of edges) assert.strictEqual(instantText(ms), new Date(ms).toISOString(), String(ms))
  })
})

describe("pgArray", () => {
  it("quotes text, escapes quotes and backslashes, writes numbers, booleans and NULL bare", () => {
    assert.strictEqual(pgArray([]), "{}")
    assert.strictEqual(pgArray([1, -2, null, 9_007_199_254_740_991]), "{1,-2,NULL,9007199254740991}")
    assert.strictEqual(pgArray([true, false, null]), "{t,f,NULL}")
    assert.strictEqual(pgArray(["", "NULL", 'a"b', "c\\d", "{x,y}"]), '{"","NULL","a\\"b","c\\\\d","{x,y}"}')
  })
})

for (const backend of backends()) {
  describe(`array literals read back (${backend.name})`, () => {
    it.live("any text, integers and instants come back as they were sent", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const texts = fc.sample(
          fc.oneof(fc.string({ unit: "grapheme" }), fc.constantFrom("NULL", "", '"', "\\", '\\\\"', " a ", "{}")),
          { numRuns: 400, seed: 3 }
        )
        // PostgreSQL text cannot hold NUL; the importer's decoders refuse it before it gets here.
        const sent: Array<string | null> = [...texts.filter((t) => !t.includes("\u0000")), null]
        const ints = [...fc.sample(fc.maxSafeInteger(), { numRuns: 200, seed: 4 }), null]
        const instants = fc.sample(fc.integer(FOUR_DIGIT_YEARS), { numRuns: 200, seed: 5 })
        const rows = yield* sql<{ t: string | null; n: number }>`
          SELECT t, n FROM unnest(${pgArray(sent)}::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n`
        assert.deepStrictEqual(
          rows.map((r) => r.t),
          sent
        )
        const back = yield* sql<{ v: string | null }>`
          SELECT v::text AS v FROM unnest(${pgArray(ints)}::bigint[]) WITH ORDINALITY AS u(v, n) ORDER BY n`
        assert.deepStrictEqual(
          back.map((r) => r.v),
          ints.map((i) => (i === null ? null : String(i)))
        )
        const ms = yield* sql<{ ms: string }>`
          SELECT (extract(epoch FROM v) * 1000)::int8::text AS ms
          FROM unnest(${pgArray(instants.map(instantText))}::timestamptz[]) WITH ORDINALITY AS u(v, n) ORDER BY n`
        assert.deepStrictEqual(
          ms.map((r) => Number(r.ms)),
          instants
        )
      }).pipe(Effect.provide(backend.layer("empty")))
    )

    it.live("instants sent as epoch milliseconds are the same timestamps as their text", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const instants = [
          ...fc.sample(fc.integer(FOUR_DIGIT_YEARS), { numRuns: 300, seed: 6 }),
          ...fc.sample(fc.integer({ min: -86_400_000, max: 86_400_000 }), { numRuns: 100, seed: 8 }),
          FOUR_DIGIT_YEARS.min,
          FOUR_DIGIT_YEARS.max,
          -1,
          -999,
          -1000,
          -1001,
          0,
          999,
          Date.UTC(2024, 1, 29, 23, 59, 59, 999)
        ]
        const rows = yield* sql<{ same: boolean; ms: string }>`
          SELECT ${sql.literal(instantOfMs("m"))} = t AS same,
                 (extract(epoch FROM ${sql.literal(instantOfMs("m"))}) * 1000)::int8::text AS ms
          FROM unnest(${pgArray(instants)}::bigint[], ${pgArray(instants.map(instantText))}::timestamptz[])
            WITH ORDINALITY AS u(m, t, n)
          ORDER BY n`
        assert.deepStrictEqual(
          rows.map((r) => Number(r.ms)),
          instants
        )
        assert.deepStrictEqual(
          rows.map((r) => r.same),
          instants.map(() => true)
        )
        const none = yield* sql<{ v: unknown }>`SELECT ${sql.literal(instantOfMs("NULL::bigint"))} AS v`
        assert.strictEqual(none[0]?.v, null)
      }).pipe(Effect.provide(backend.layer("empty")))
    )
  })
}
