import { type Bin, completeBin, Finding, FindingStore, type MeasureRange } from "@adalqarau/core"
import { layerMemoryFindingStore, measureInRange } from "@adalqarau/core/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"

const bin = completeBin("71000000001") as Bin

const finding = (key: string, measures: Record<string, string>): Finding =>
  Schema.decodeUnknownSync(Finding)({
    indicator: "super-dumping",
    key,
    subject: { _tag: "contract", contractId: 1 },
    customerBin: bin,
    supplierBin: bin,
    region: "71",
    date: null,
    measures,
    thresholds: {},
    explanation: { ru: "", en: "" }
  })

describe("measure ranges (FindingFilter.measure)", () => {
  const range = (min?: string, max?: string): MeasureRange => ({
    name: "reduction_pct",
    ...(min === undefined ? {} : { min }),
    ...(max === undefined ? {} : { max })
  })

  it("compare exactly as decimals, both bounds inclusive", () => {
    const f = finding("a", { reduction_pct: "50.0000" })
    assert.isTrue(measureInRange(range("50"), f))
    assert.isTrue(measureInRange(range(undefined, "50"), f))
    assert.isFalse(measureInRange(range("50.00001"), f))
    assert.isFalse(measureInRange(range(undefined, "49.99999999999999999"), f))
    assert.isTrue(measureInRange(range("-1", "50.0"), f))
  })

  it("exclude findings without the measure or with a non-decimal value", () => {
    assert.isFalse(measureInRange(range("0"), finding("b", { days: "3" })))
    assert.isFalse(measureInRange(range("0"), finding("c", { reduction_pct: "n/a" })))
    assert.isTrue(measureInRange({ name: "days" }, finding("d", { days: "-2" })))
  })

  it.effect("filter queries and counts in the in-memory store", () =>
    Effect.gen(function* () {
      const store = yield* FindingStore
      yield* store.replace(
        ["super-dumping"],
        [
          finding("super-dumping:1", { reduction_pct: "30.0001" }),
          finding("super-dumping:2", { reduction_pct: "50.0000" }),
          finding("super-dumping:3", { reduction_pct: "75.5000" })
        ]
      )
      const page = yield* store.query({ measure: range("50"), limit: 10 })
      assert.deepStrictEqual(
        page.findings.map((f) => f.key),
        ["super-dumping:2", "super-dumping:3"]
      )
      const counts = yield* store.counts({ measure: range(undefined, "30.0001") })
      assert.deepStrictEqual(counts, [{ indicator: "super-dumping", region: "71", count: 1 }])
    }).pipe(Effect.provide(layerMemoryFindingStore))
  )
})
