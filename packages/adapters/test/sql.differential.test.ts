/**
 * The differential test: the SQL engine (on PostgreSQL 15 and on PGlite) and core's in-memory engine, over the
 * same generated datasets with every planted and near-miss case, give exactly the same findings (every field:
 * key, subject, BINs, region, date, measures, thresholds, explanations) and the same evaluated/flagged/skipped
 * statistics — with default parameters and with others.
 */
import { assert, describe, it } from "@effect/vitest"
import { FindingStore } from "@adalqarau/core"
import { Effect, Stream } from "effect"
import { layerStorage } from "../src/postgres/Database.ts"
import { SqlImporter } from "../src/postgres/PgImporter.ts"
import { SqlIndicatorEngine } from "../src/postgres/PgIndicatorEngine.ts"
import { backends } from "./support/databases.ts"
import { EDGE_CASE_REJECTS, edgeCaseRecords } from "./support/edgeCases.ts"
import { acceptedRecords, allFindings, byKey, generatedRecords, memoryResult, sourceItems } from "./support/engines.ts"

/** PGlite is several times slower: it gets a smaller dataset of the same generator (still every planted case). */
const CONTRACTS = { postgres: 4_000, pglite: 1_500 } as const
const SEED = 20_241_124

/** Thresholds and filters away from the defaults, so that other cases flag and other boundaries are crossed. */
const OTHER_PARAMS = {
  filters: { statusIds: [190, 350, 375, 390, 450], contractTypeIds: [1, 2] },
  indicators: {
    "super-dumping": { threshold: 12.5 },
    "minimal-dumping": { threshold: 3.3 },
    "accelerated-payment": { maxDays: 12, statusIds: [190, 390] },
    "sum-growth": { threshold: 5 },
    partnership: { minContracts: 3, supplierShare: 0.6, customerShare: 0.25 }
  }
}

/** A run of some indicators: with the filters in force (OTHER_PARAMS' run before it), as such a run must be. */
const ONLY_TWO = {
  only: ["partnership", "sum-growth"],
  filters: OTHER_PARAMS.filters,
  indicators: { "sum-growth": { threshold: 0 } }
}

for (const backend of backends()) {
  describe(`SQL engine = in-memory engine (${backend.name})`, () => {
    // Each test gets a database of its own.
    const fresh = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, layerStorage(backend.layer()))
    it.live(
      `generated dataset of ${CONTRACTS[backend.name]} contracts, seed ${SEED}: default, other and partial parameters`,
      () =>
        Effect.gen(function* () {
          const items = yield* sourceItems(generatedRecords(CONTRACTS[backend.name], SEED))
          const importer = yield* SqlImporter
          const report = yield* importer.importSource(Stream.fromIterable(items), { batchSize: 2_500 })
          assert.strictEqual(report.total.read, items.length)
          const records = acceptedRecords(items)
          const engine = yield* SqlIndicatorEngine

          for (const params of [undefined, OTHER_PARAMS, ONLY_TWO]) {
            const expected = yield* memoryResult([records], params)
            const run = yield* engine.run(params)
            const actual = yield* allFindings()
            const wanted = byKey(expected.findings)
            // Findings of indicators a partial run did not evaluate stay from the previous run in both engines;
            // compare the evaluated ones.
            const evaluated = new Set(run.indicators)
            const got = byKey(actual.filter((f) => evaluated.has(f.indicator)))
            assert.strictEqual(got.length, wanted.length, `finding count with params ${JSON.stringify(params)}`)
            assert.deepStrictEqual(got, wanted)
            // Key order too (deepStrictEqual ignores it): exports of either engine are equal line for line.
            assert.strictEqual(JSON.stringify(got), JSON.stringify(wanted))
            assert.deepStrictEqual(run.stats, expected.stats)
            assert.isAbove(wanted.length, 0)
          }
        }).pipe(fresh),
      120_000
    )

    it.live("hand-made edge cases: boundaries, time zone change, parent lines, duplicates", () =>
      Effect.gen(function* () {
        const items = yield* sourceItems(edgeCaseRecords())
        const importer = yield* SqlImporter
        // Small batches put duplicates of one version into different transactions.
        const report = yield* importer.importSource(Stream.fromIterable(items), { batchSize: 7 })
        assert.strictEqual(report.total.rejected, EDGE_CASE_REJECTS)
        const engine = yield* SqlIndicatorEngine
        for (const params of [undefined, OTHER_PARAMS]) {
          const expected = yield* memoryResult([acceptedRecords(items)], params)
          const run = yield* engine.run(params)
          assert.deepStrictEqual(byKey(yield* allFindings()), byKey(expected.findings))
          assert.deepStrictEqual(run.stats, expected.stats)
        }
        const last = yield* engine.run()
        const found = new Map((yield* allFindings()).map((f) => [f.key, f]))
        // A few values checked by hand, so that parity cannot hide a shared mistake.
        assert.deepStrictEqual(found.get("super-dumping:1002")?.measures, {
          plan_sum: "1000.00",
          contract_sum: "699.99",
          reduction_pct: "30.0010"
        })
        assert.isFalse(found.has("super-dumping:1001"))
        assert.isFalse(found.has("super-dumping:1011"))
        assert.strictEqual(found.get("super-dumping:1012")?.measures.plan_sum, "89999999999999.91")
        assert.strictEqual(last.stats["super-dumping"]?.skipped["plan sum beyond 2^53 tiyn"], 1)
        assert.strictEqual(found.get("minimal-dumping:1003")?.measures.reduction_pct, "1.0000")
        assert.strictEqual(found.get("accelerated-payment:2001")?.measures.days, "4")
        assert.strictEqual(found.get("accelerated-payment:2001")?.measures.contract_created, "2024-02-29")
        assert.isFalse(found.has("accelerated-payment:2002"))
        assert.strictEqual(found.get("accelerated-payment:2003")?.measures.days, "-2")
        assert.strictEqual(found.get("sum-growth:3001")?.measures.fakt_growth_pct, "-5.5000")
        assert.strictEqual(found.get("sum-growth:3001")?.measures.versions, "4")
        assert.strictEqual(found.get("sum-growth:3201")?.measures.sum_growth_pct, "50.0000")
        assert.isNull(found.get("accelerated-payment:2001")?.region ?? null)

        // FindingStore.replace stores what it is given, byte for byte, and leaves other indicators alone.
        const store = yield* FindingStore
        const reference = yield* memoryResult([acceptedRecords(items)])
        const edited = reference.findings
          .filter((f) => f.indicator === "sum-growth")
          .map((f) => ({ ...f, explanation: { ru: `${f.explanation.ru} «$1» \\ '%s'`, en: "\u2028" } }))
        yield* store.replace(["sum-growth"], edited)
        const kept = reference.findings.filter((f) => f.indicator !== "sum-growth")
        assert.deepStrictEqual(yield* allFindings(), byKey([...kept, ...edited]))
      }).pipe(fresh)
    )
  })
}
