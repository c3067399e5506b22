import { assert, describe, it } from "@effect/vitest"
import { CUSTOMER, flaggedIds, KATO_ALMATY, onlyFinding, rec, runOne, statsOf, SUPPLIER, tendered } from "./fixtures.ts"

const CODE = "minimal-dumping"

const reduce = (plan: string, sum: string, params: Record<string, unknown> = {}) =>
  runOne(CODE, tendered({ id: 1, plan, sum }), params)

describe("minimal dumping: flagged when 0 < r ≤ T (default 1)", () => {
  it("flags a reduction of exactly 1%", () => {
    const finding = onlyFinding(reduce("10000.00", "9900.00"), CODE)
    assert.deepStrictEqual(finding.measures, { plan_sum: "10000.00", contract_sum: "9900.00", reduction_pct: "1.0000" })
    assert.deepStrictEqual(finding.thresholds, { threshold_pct: "1" })
  })

  it("does not flag just above 1% (1.0001%)", () => {
    const result = reduce("10000.00", "9899.99")
    assert.deepStrictEqual(flaggedIds(result, CODE), [])
    assert.deepStrictEqual(statsOf(result, CODE), { evaluated: 1, flagged: 0, skipped: {} })
  })

  it("does not flag r = 0 (C = P) nor a negative reduction (C > P)", () => {
    for (const sum of ["10000.00", "10000.01", "15000.00"]) {
      const result = reduce("10000.00", sum)
      assert.deepStrictEqual(flaggedIds(result, CODE), [], sum)
      assert.strictEqual(statsOf(result, CODE).evaluated, 1)
    }
  })

  it("flags the smallest positive reduction, even one that prints as 0.0000", () => {
    assert.strictEqual(onlyFinding(reduce("10000.00", "9999.99"), CODE).measures.reduction_pct, "0.0001")
    assert.strictEqual(onlyFinding(reduce("100000.00", "99999.99"), CODE).measures.reduction_pct, "0.0000")
  })

  it("takes a custom threshold as a decimal (0.5)", () => {
    const finding = onlyFinding(reduce("10000.00", "9950.00", { threshold: 0.5 }), CODE)
    assert.strictEqual(finding.measures.reduction_pct, "0.5000")
    assert.deepStrictEqual(finding.thresholds, { threshold_pct: "0.5" })
    assert.deepStrictEqual(flaggedIds(reduce("10000.00", "9949.99", { threshold: 0.5 }), CODE), [])
    // and widening it to 2.5 takes in a reduction the default leaves out
    assert.deepStrictEqual(flaggedIds(reduce("10000.00", "9800.00", { threshold: 2.5 }), CODE), [1])
    assert.deepStrictEqual(flaggedIds(reduce("10000.00", "9800.00"), CODE), [])
  })

  it("files the finding with parties, region and an explanation naming the measure", () => {
    const result = runOne(CODE, [
      ...tendered({ id: 3, plan: "2000.00", sum: "1990.00" }),
      rec.subject(CUSTOMER, KATO_ALMATY)
    ])
    const finding = onlyFinding(result, CODE)
    assert.strictEqual(finding.key, "minimal-dumping:3")
    assert.strictEqual(finding.customerBin, CUSTOMER)
    assert.strictEqual(finding.supplierBin, SUPPLIER)
    assert.strictEqual(finding.region, "75")
    for (const text of [finding.explanation.ru, finding.explanation.en]) {
      assert.include(text, "0.5000")
      assert.include(text, "1990.00")
      assert.include(text, "2000.00")
    }
  })
})
