/**
 * Filters hold for every indicator: a run of some indicators (`only`) with other filters than those in force is
 * refused, naming them, by the in-memory engine and the SQL one on PostgreSQL and PGlite alike. Otherwise the SQL
 * engine's next import refresh, which evaluates every indicator with the newest run's filters, would change the
 * other indicators' filters far from the run that asked for it. Each engine's `check` answers the same beforehand.
 */
import { ContractStore, IndicatorEngine } from "@adalqarau/core"
import { layerMemoryContractStore, layerMemoryFindingStore, layerMemoryIndicatorEngine } from "@adalqarau/core/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { layerStorage } from "../src/postgres/Database.ts"
import { backends } from "./support/databases.ts"
import { acceptedRecords, generatedRecords, sourceItems } from "./support/engines.ts"

/** Each run's outcome: the indicators it evaluated, or the refusal's path and reason. */
const outcomes = Effect.gen(function* () {
  yield* (yield* ContractStore).upsert(acceptedRecords(yield* sourceItems(generatedRecords(300, 5))))
  const engine = yield* IndicatorEngine
  const custom = { statusIds: [190] }
  const refusal = (e: { readonly path: string; readonly reason: string }) => `refused ${e.path}: ${e.reason}`
  // `check` answers first what `run` then does (a caller queuing a run learns at once).
  const outcome = (params: unknown) =>
    Effect.gen(function* () {
      const check = engine.check
      assert.isDefined(check)
      const checked = yield* (check === undefined ? Effect.void : check(params)).pipe(
        Effect.as("ok"),
        Effect.catchTag("ParamsError", (e) => Effect.succeed(refusal(e)))
      )
      const ran = yield* engine.run(params).pipe(
        Effect.map((report) => `ran ${report.indicators.join(",")}`),
        Effect.catchTag("ParamsError", (e) => Effect.succeed(refusal(e)))
      )
      assert.strictEqual(checked, ran.startsWith("ran ") ? "ok" : ran)
      return ran
    })
  return [
    // Nothing in force before the first run: a run of some indicators may set any filters.
    yield* outcome({ only: ["sum-growth"], filters: custom }),
    // Other filters than those in force, leaving indicators out that some run evaluated? Here none is left out.
    yield* outcome({ only: ["sum-growth"] }),
    yield* outcome({ filters: custom }),
    // Leaving some out: the defaults are not the filters in force.
    yield* outcome({ only: ["super-dumping"], indicators: { "super-dumping": { threshold: 45 } } }),
    yield* outcome({ only: ["super-dumping"], filters: custom }),
    // Every indicator: the filters change for all at once.
    yield* outcome({}),
    yield* outcome({ only: ["partnership"] })
  ]
})

const EXPECTED = [
  "ran sum-growth",
  "ran sum-growth",
  "ran super-dumping,minimal-dumping,accelerated-payment,sum-growth,partnership",
  'refused filters: filters hold for every indicator, and this run leaves some out (only): give the filters in force, {"contractTypeIds":[1],"yearTypeIds":[1],"statusIds":[190]}, or run every indicator to change them',
  "ran super-dumping",
  "ran super-dumping,minimal-dumping,accelerated-payment,sum-growth,partnership",
  "ran partnership"
]

describe("a run of some indicators keeps the filters in force", () => {
  it.effect("in memory", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* outcomes, EXPECTED)
    }).pipe(
      Effect.provide(
        layerMemoryIndicatorEngine().pipe(
          Layer.provideMerge(Layer.mergeAll(layerMemoryContractStore, layerMemoryFindingStore))
        )
      )
    )
  )

  for (const backend of backends()) {
    it.live(`in SQL (${backend.name})`, () =>
      Effect.gen(function* () {
        assert.deepStrictEqual(yield* outcomes, EXPECTED)
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )
  }
})
