/**
 * Business days by two clocks: the in-memory engine counts days with core's Asia/Almaty offsets (`almatyDay`), the
 * SQL engine with the server's zone data (`aq_almaty_day`, migrations/0003). Around every local midnight of every
 * month from 1900 to 2059 — the Soviet summer times, local mean time (+05:07:48) and the 2024 change included —
 * both must name the same day, or accelerated payment would count days differently in the two engines.
 */
import { almatyDay, fromAlmatyWallClock } from "@adalqarau/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { runMigrations } from "../src/postgres/migrations.ts"
import { instantOfMs, pgArray } from "../src/postgres/values.ts"
import { backends } from "./support/databases.ts"

const SECOND = 1000
const HALF_HOUR = 1_800_000

const instants: Array<number> = []
for (let year = 1900; year < 2060; year++) {
  for (let month = 0; month < 12; month++) {
    for (const day of [1, 15]) {
      const midnight = fromAlmatyWallClock(Date.UTC(year, month, day))
      instants.push(midnight - HALF_HOUR, midnight - SECOND, midnight, midnight + SECOND, midnight + HALF_HOUR)
    }
  }
}

for (const backend of backends()) {
  describe(`Almaty days (${backend.name})`, () => {
    it.live("aq_almaty_day names the day core's almatyDay names, around every local midnight since 1900", () =>
      Effect.gen(function* () {
        yield* runMigrations()
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql<{ day: string }>`
          SELECT (aq_almaty_day(${sql.literal(instantOfMs("m"))}) - date '1970-01-01')::text AS day
          FROM unnest(${pgArray(instants)}::bigint[]) WITH ORDINALITY AS u(m, n)
          ORDER BY n`
        const differing = instants.flatMap((t, i) => {
          const sqlDay = Number(rows[i]?.day)
          return sqlDay === almatyDay(t) ? [] : [`${new Date(t).toISOString()}: core ${almatyDay(t)}, SQL ${sqlDay}`]
        })
        assert.strictEqual(rows.length, instants.length)
        assert.deepStrictEqual(differing.slice(0, 10), [])
      }).pipe(Effect.provide(backend.layer()))
    )
  })
}
