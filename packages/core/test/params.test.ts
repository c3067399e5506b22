import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Schema, Stream } from "effect"
import {
  type AnalysisDataset,
  analyzeRecords,
  analyzeStream,
  contractFinding,
  DEFAULT_FILTERS,
  decodeRecord,
  DuplicateIndicatorError,
  type EvaluationSink,
  forEachFilteredRoot,
  type Indicator,
  IndicatorRegistry,
  InvalidIndicatorCodeError,
  ParamsError,
  type SourceItem,
  superDumping
} from "../src/index.ts"
import { generateDataset } from "../src/testing/index.ts"
import { rec, tendered } from "./fixtures.ts"

const standard = IndicatorRegistry.standard
const CODES = ["super-dumping", "minimal-dumping", "accelerated-payment", "sum-growth", "partnership"]

const paramsOf = (resolved: {
  readonly indicators: ReadonlyArray<{ readonly indicator: { readonly code: string }; readonly params: unknown }>
}) => Object.fromEntries(resolved.indicators.map((i) => [i.indicator.code, i.params]))

const paramsError = (input: unknown) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(standard.resolve(input))
    assert.instanceOf(error, ParamsError)
    return error
  })

/**
 * The indicators of a run share one dataset, so the view they get has no writes. Checked by the typecheck (part of
 * the test command): were a column writable again, these directives would be unused, which is an error. Never run.
 */
export const writingTheDataset = (dataset: AnalysisDataset): void => {
  // @ts-expect-error a contract column is read-only
  dataset.table.sumWnds[0] = 0
  // @ts-expect-error a chain column is read-only
  dataset.chainTable.versions[0] = 0
}

/** A custom indicator: flags every root whose contract sum reaches `minTenge`. */
const bigContract: Indicator<{ readonly minTenge: number }> = {
  code: "big-contract",
  titles: { ru: "Крупный договор", kk: "Ірі шарт", en: "Big contract" },
  formula: "C ≥ min",
  description: "A contract at or above a sum.",
  scope: "contract",
  params: Schema.Struct({ minTenge: Schema.Finite.pipe(Schema.withDecodingDefault(Effect.succeed(1_000_000))) }),
  parameterDocs: [{ name: "minTenge", description: "min, tenge", default: 1_000_000 }],
  evaluate: (dataset, params, filters, sink) =>
    forEachFilteredRoot(dataset, filters, sink, (_chain, root) => {
      sink.evaluated()
      if (root.sumWnds < params.minTenge * 100) return
      sink.emit(
        contractFinding(
          dataset,
          "big-contract",
          root,
          { sum: String(root.sumWnds) },
          { min: String(params.minTenge) },
          {
            ru: `Сумма ${root.sumWnds}`,
            en: `Sum ${root.sumWnds}`
          }
        )
      )
    })
}

describe("IndicatorRegistry.resolve", () => {
  it.effect("resolves {} (and no argument) to the documented defaults of every indicator", () =>
    Effect.gen(function* () {
      for (const resolved of [yield* standard.resolve({}), yield* standard.resolve()]) {
        assert.deepStrictEqual(resolved.filters, DEFAULT_FILTERS)
        assert.deepStrictEqual(
          resolved.indicators.map((i) => i.indicator.code),
          CODES
        )
        assert.deepStrictEqual(paramsOf(resolved), {
          "super-dumping": { threshold: 30 },
          "minimal-dumping": { threshold: 1 },
          "accelerated-payment": { maxDays: 5, statusIds: [190, 375, 390, 450] },
          "sum-growth": { threshold: 20 },
          partnership: { minContracts: 5, supplierShare: 0.8, customerShare: 0.5 }
        })
      }
    })
  )

  it.effect("documents the same defaults it decodes", () =>
    Effect.gen(function* () {
      const resolved = yield* standard.resolve({})
      for (const { indicator, params } of resolved.indicators) {
        const documented = Object.fromEntries(indicator.parameterDocs.map((d) => [d.name, d.default]))
        assert.deepStrictEqual(params, documented, indicator.code)
      }
    })
  )

  it.effect("merges partial overrides with the defaults", () =>
    Effect.gen(function* () {
      const resolved = yield* standard.resolve({
        filters: { statusIds: [190] },
        indicators: { partnership: { supplierShare: 0.75 }, "super-dumping": { threshold: 12.5 } }
      })
      assert.deepStrictEqual(resolved.filters, { contractTypeIds: [1], yearTypeIds: [1], statusIds: [190] })
      const params = paramsOf(resolved)
      assert.deepStrictEqual(params.partnership, { minContracts: 5, supplierShare: 0.75, customerShare: 0.5 })
      assert.deepStrictEqual(params["super-dumping"], { threshold: 12.5 })
      assert.deepStrictEqual(params["sum-growth"], { threshold: 20 })
    })
  )

  it.effect("rejects an unknown indicator code, naming its path and the known codes", () =>
    Effect.gen(function* () {
      const error = yield* paramsError({ indicators: { "super-dumpin": { threshold: 1 } } })
      assert.strictEqual(error.path, "indicators.super-dumpin")
      assert.include(error.message, "unknown indicator")
      assert.include(error.message, "super-dumping")
    })
  )

  it.effect("rejects a wrong type naming the field's own path, in a one-line message", () =>
    Effect.gen(function* () {
      const oneLine = (error: ParamsError) => assert.notInclude(error.message, "\n")
      const threshold = yield* paramsError({ indicators: { "super-dumping": { threshold: "30" } } })
      assert.strictEqual(threshold.path, "indicators.super-dumping.threshold")
      assert.include(threshold.message, "number")
      oneLine(threshold)
      const maxDays = yield* paramsError({ indicators: { "accelerated-payment": { maxDays: 2.5 } } })
      assert.strictEqual(maxDays.path, "indicators.accelerated-payment.maxDays")
      oneLine(maxDays)
      const filters = yield* paramsError({ filters: { statusIds: [190, "340"] } })
      assert.strictEqual(filters.path, "filters.statusIds.1")
      oneLine(filters)
      const whole = yield* paramsError(5)
      assert.strictEqual(whole.path, "(params)")
      const section = yield* paramsError({ indicators: [] })
      assert.strictEqual(section.path, "indicators")
      oneLine(section)
    })
  )

  it.effect(
    "`only` selects indicators, in the registry's order, and rejects unknown codes, an empty list and bad sections",
    () =>
      Effect.gen(function* () {
        // However a caller lists them: the SQL engine compares a refresh's plan with the last run's as text.
        for (const only of [
          ["partnership", "super-dumping"],
          ["super-dumping", "partnership"],
          ["partnership", "super-dumping", "partnership"]
        ]) {
          const resolved = yield* standard.resolve({ only })
          assert.deepStrictEqual(
            resolved.indicators.map((i) => i.indicator.code),
            ["super-dumping", "partnership"],
            JSON.stringify(only)
          )
        }
        const none = yield* paramsError({ only: [] })
        assert.strictEqual(none.path, "only")
        assert.include(none.reason, "leave only out")
        // The section of an indicator left out is checked all the same: it is stored with the run.
        const unchecked = yield* paramsError({
          only: ["partnership"],
          indicators: { "super-dumping": { threshold: "garbage" } }
        })
        assert.strictEqual(unchecked.path, "indicators.super-dumping.threshold")
        const error = yield* paramsError({ only: ["super-dumping", "nope"] })
        assert.strictEqual(error.path, "only.1")
        assert.include(error.message, "nope")
      })
  )

  it.effect("refuses an empty id set, which would leave out every contract and empty the findings", () =>
    Effect.gen(function* () {
      for (const [input, path] of [
        [{ filters: { contractTypeIds: [] } }, "filters.contractTypeIds"],
        [{ filters: { statusIds: [] } }, "filters.statusIds"],
        [{ indicators: { "accelerated-payment": { statusIds: [] } } }, "indicators.accelerated-payment.statusIds"]
      ] as const) {
        const error = yield* paramsError(input)
        assert.strictEqual(error.path, path)
        assert.include(error.message, "an empty set would leave out every contract")
      }
    })
  )

  it.effect("refuses null for a section instead of reading it as the defaults", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* paramsError({ filters: null })).path, "filters")
      const section = yield* paramsError({ indicators: { "super-dumping": null } })
      assert.strictEqual(section.path, "indicators.super-dumping")
      assert.include(section.reason, "leave the key out for the defaults")
    })
  )

  it.effect("runs an indicator named twice in `only` once", () =>
    Effect.gen(function* () {
      const resolved = yield* standard.resolve({ only: ["super-dumping", "super-dumping"] })
      assert.strictEqual(resolved.indicators.length, 1)
      const result = yield* analyzeRecords(tendered({ id: 1, plan: "100.00", sum: "10.00" }), {
        params: { only: ["super-dumping", "super-dumping"] }
      })
      assert.strictEqual(result.findings.length, 1)
      assert.strictEqual(result.stats["super-dumping"]?.flagged, 1)
    })
  )

  it.effect("still checks the sections of indicators that `only` leaves out", () =>
    Effect.gen(function* () {
      const error = yield* paramsError({ only: ["partnership"], indicators: { bogus: {} } })
      assert.strictEqual(error.path, "indicators.bogus")
    })
  )

  it.effect("only runs what `only` selects", () =>
    Effect.gen(function* () {
      const result = yield* analyzeRecords(tendered({ id: 1, plan: "100.00", sum: "10.00" }), {
        params: { only: ["minimal-dumping"] }
      })
      assert.deepStrictEqual(Object.keys(result.stats), ["minimal-dumping"])
      assert.deepStrictEqual(result.findings, [])
    })
  )
})

describe("custom indicators", () => {
  it.effect("a registered indicator runs with its own parameters next to the standard ones", () =>
    Effect.gen(function* () {
      const registry = yield* standard.with(bigContract)
      assert.deepStrictEqual(
        registry.indicators.map((i) => i.code),
        [...CODES, "big-contract"]
      )
      assert.strictEqual(registry.get("big-contract")?.code, "big-contract")
      // the standard registry is unchanged
      assert.isUndefined(standard.get("big-contract"))
      const records = [
        ...tendered({ id: 1, plan: "2000000.00", sum: "1500000.00" }),
        ...tendered({ id: 2, plan: "200.00", sum: "150.00" })
      ]
      const byDefault = yield* analyzeRecords(records, { registry })
      assert.deepStrictEqual(
        byDefault.findings.filter((f) => f.indicator === "big-contract").map((f) => f.key),
        ["big-contract:1"]
      )
      assert.deepStrictEqual(byDefault.stats["big-contract"], { evaluated: 2, flagged: 1, skipped: {} })
      const lowered = yield* analyzeRecords(records, {
        registry,
        params: { only: ["big-contract"], indicators: { "big-contract": { minTenge: 100 } } }
      })
      assert.deepStrictEqual(
        lowered.findings.map((f) => f.key),
        ["big-contract:1", "big-contract:2"]
      )
      const wrong = yield* Effect.flip(registry.resolve({ indicators: { "big-contract": { minTenge: "x" } } }))
      assert.strictEqual(wrong.path, "indicators.big-contract.minTenge")
    })
  )

  it.effect("registering a taken code fails with DuplicateIndicatorError", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(standard.with(superDumping))
      assert.instanceOf(error, DuplicateIndicatorError)
      assert.strictEqual(error.code, "super-dumping")
      assert.strictEqual(error.message, "an indicator with the code super-dumping is registered already")
      const once = yield* IndicatorRegistry.empty.with(bigContract)
      const twice = yield* Effect.flip(once.with({ ...bigContract, titles: { ...bigContract.titles, en: "Other" } }))
      assert.strictEqual(twice.code, "big-contract")
    })
  )

  it.effect("a code that cannot start a finding key is refused", () =>
    Effect.gen(function* () {
      for (const code of ["", "a:b", "big contract", "Big"]) {
        const error = yield* Effect.flip(IndicatorRegistry.empty.with({ ...bigContract, code }))
        assert.instanceOf(error, InvalidIndicatorCodeError)
        assert.include(error.message, JSON.stringify(code))
      }
    })
  )

  it.effect(
    "an indicator emitting another's findings, a foreign key or a key twice is a defect, not an overwrite",
    () =>
      Effect.gen(function* () {
        const emitting = (code: string, key: (id: number) => ReadonlyArray<string>, indicator = code) => ({
          ...bigContract,
          code,
          evaluate: (
            dataset: AnalysisDataset,
            _params: unknown,
            filters: typeof DEFAULT_FILTERS,
            sink: EvaluationSink
          ) =>
            forEachFilteredRoot(dataset, filters, sink, (_chain, root) => {
              sink.evaluated()
              for (const k of key(root.id)) {
                sink.emit({ ...contractFinding(dataset, indicator, root, {}, {}, { ru: "-", en: "-" }), key: k })
              }
            })
        })
        const records = tendered({ id: 1, plan: "100.00", sum: "10.00" })
        for (const [indicator, message] of [
          [
            emitting("spoof", (id) => [`super-dumping:${id}`], "super-dumping"),
            "emitted a finding of indicator super-dumping"
          ],
          [emitting("spoof", (id) => [`super-dumping:${id}`]), "does not start with spoof:"],
          [emitting("spoof", (id) => [`spoof:${id}`, `spoof:${id}`]), "emitted the finding spoof:1 twice"]
        ] as const) {
          const registry = yield* standard.with(indicator)
          const exit = yield* Effect.exit(analyzeRecords(records, { registry }))
          assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause), message)
          assert.include(String(Exit.isFailure(exit) ? Cause.squash(exit.cause) : ""), message)
        }
      })
  )

  it.effect("the standard indicators emit only the measures they declare, and declare every one they emit", () =>
    Effect.gen(function* () {
      const { findings } = yield* analyzeRecords(
        [...generateDataset({ contracts: 1_500, seed: 3 })].flatMap((item) => {
          if (item.kind === "label") return []
          const decoded = decodeRecord(item.kind, item.raw)
          return decoded.ok ? [decoded.value] : []
        })
      )
      for (const indicator of standard.indicators) {
        const emitted = new Set(
          findings.filter((f) => f.indicator === indicator.code).flatMap((f) => Object.keys(f.measures))
        )
        assert.deepStrictEqual(
          [...emitted].sort(),
          (indicator.measureDocs ?? []).map((m) => m.name).sort(),
          indicator.code
        )
      }
    })
  )

  it.effect("a measure its measureDocs do not declare is a defect", () =>
    Effect.gen(function* () {
      const declared = { ...bigContract, measureDocs: [{ name: "total", description: "-", kind: "decimal" as const }] }
      const registry = yield* IndicatorRegistry.empty.with(declared)
      const exit = yield* Effect.exit(
        analyzeRecords(tendered({ id: 1, plan: "2000000.00", sum: "1500000.00" }), { registry })
      )
      assert.include(String(Exit.isFailure(exit) ? Cause.squash(exit.cause) : ""), "emitted the measure sum")
    })
  )

  it.effect("an empty registry runs nothing", () =>
    Effect.gen(function* () {
      const result = yield* analyzeRecords(tendered({ id: 1, plan: "100.00", sum: "10.00" }), {
        registry: IndicatorRegistry.empty
      })
      assert.deepStrictEqual(result, { findings: [], stats: {} })
    })
  )
})

describe("analysis entry points and parameters", () => {
  it.effect("analyzeRecords fails with the ParamsError", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(analyzeRecords([rec.contract({ id: 1 })], { params: { only: ["x"] } }))
      assert.strictEqual(error._tag, "ParamsError")
      assert.strictEqual(error.path, "only.0")
    })
  )

  it.effect("analyzeStream checks parameters before reading anything", () =>
    Effect.gen(function* () {
      let pulled = 0
      const items: Stream.Stream<SourceItem> = Stream.fromIterable(
        tendered({ id: 1, plan: "100.00", sum: "10.00" })
      ).pipe(
        Stream.map((record): SourceItem => {
          pulled++
          return { _tag: "Accepted", record }
        })
      )
      const error = yield* Effect.flip(analyzeStream(items, { params: { indicators: { nope: {} } } }))
      assert.strictEqual(error._tag, "ParamsError")
      assert.strictEqual(pulled, 0)
      const report = yield* analyzeStream(items)
      assert.strictEqual(pulled, 3)
      assert.strictEqual(report.findings.length, 1)
    })
  )
})

describe("params are strict", () => {
  it.effect("a misspelt parameter or an out-of-range threshold is an error naming its path", () =>
    Effect.gen(function* () {
      const typo = yield* Effect.flip(
        IndicatorRegistry.standard.resolve({ indicators: { "super-dumping": { threshhold: 5 } } })
      )
      assert.strictEqual(typo.path, "indicators.super-dumping.threshhold")
      assert.strictEqual(typo.reason, "Expected no excess property")
      // The message alone names the value to fix (a log line, Cause.pretty): path and reason.
      assert.strictEqual(typo.message, "indicators.super-dumping.threshhold: Expected no excess property")
      const share = yield* Effect.flip(
        IndicatorRegistry.standard.resolve({ indicators: { partnership: { supplierShare: 1.5 } } })
      )
      assert.strictEqual(share.path, "indicators.partnership.supplierShare")
      const filters = yield* Effect.flip(IndicatorRegistry.standard.resolve({ filters: { statusId: [190] } }))
      assert.strictEqual(filters.path, "filters.statusId")
    })
  )
})

describe("IndicatorRegistry.departuresFromDefaults", () => {
  const departures = (registry: IndicatorRegistry, input: unknown) =>
    Effect.flatMap(registry.resolve(input), (resolved) => registry.departuresFromDefaults(resolved))

  it.effect("is empty for the defaults however written, and names each changed parameter", () =>
    Effect.gen(function* () {
      for (const input of [
        {},
        { only: ["partnership", "partnership"] },
        { filters: {}, indicators: { "sum-growth": {} } },
        { filters: { yearTypeIds: [1] }, indicators: { partnership: { minContracts: 5, customerShare: 0.5 } } },
        // A number is its value, not its spelling.
        { indicators: { "super-dumping": { threshold: 30.0 } } }
      ]) {
        assert.deepStrictEqual(yield* departures(standard, input), [], JSON.stringify(input))
      }
      assert.deepStrictEqual(
        yield* departures(standard, {
          filters: { statusIds: [190] },
          indicators: { partnership: { supplierShare: 0.75, customerShare: 0.5 }, "super-dumping": { threshold: 31 } }
        }),
        ["filters.statusIds", "indicators.super-dumping.threshold", "indicators.partnership.supplierShare"]
      )
      // Only the indicators the run evaluates count: parameters of one left out change nothing it writes.
      assert.deepStrictEqual(
        yield* departures(standard, { only: ["sum-growth"], indicators: { partnership: { minContracts: 2 } } }),
        []
      )
    })
  )

  it.effect("takes an indicator of yours whose parameters have no defaults as a departure whole", () =>
    Effect.gen(function* () {
      const required: Indicator<{ readonly minTenge: number }> = {
        ...bigContract,
        code: "big-contract-required",
        params: Schema.Struct({ minTenge: Schema.Finite })
      }
      const registry = yield* standard.with(required)
      assert.deepStrictEqual(
        yield* departures(registry, {
          only: ["big-contract-required"],
          indicators: { "big-contract-required": { minTenge: 5 } }
        }),
        ["indicators.big-contract-required"]
      )
      assert.deepStrictEqual(yield* departures(yield* standard.with(bigContract), { only: ["big-contract"] }), [])
    })
  )
})
