import { assert, describe, it } from "@effect/vitest"
import {
  at,
  binOf,
  CUSTOMER,
  flaggedIds,
  KATO_ALMATY,
  KATO_ASTANA,
  onlyFinding,
  rec,
  runOne,
  statsOf,
  SUPPLIER,
  tendered
} from "./fixtures.ts"

const CODE = "super-dumping"

/** One root contract with plan P and contract sum C (tenge), evaluated by super-dumping alone. */
const reduce = (plan: string, sum: string, params: Record<string, unknown> = {}) =>
  runOne(CODE, tendered({ id: 1, plan, sum }), params)

describe("super-dumping: r = (P − C) × 100 / P, flagged when r > T (default 30)", () => {
  it("does not flag a reduction of exactly 30%", () => {
    const result = reduce("100000.00", "70000.00")
    assert.deepStrictEqual(flaggedIds(result, CODE), [])
    assert.deepStrictEqual(statsOf(result, CODE), { evaluated: 1, flagged: 0, skipped: {} })
  })

  it("flags 30.0001% and reports it to 4 decimals", () => {
    const result = reduce("10000.00", "6999.99")
    const finding = onlyFinding(result, CODE)
    assert.deepStrictEqual(finding.measures, {
      plan_sum: "10000.00",
      contract_sum: "6999.99",
      reduction_pct: "30.0001"
    })
    assert.deepStrictEqual(finding.thresholds, { threshold_pct: "30" })
    assert.deepStrictEqual(statsOf(result, CODE), { evaluated: 1, flagged: 1, skipped: {} })
  })

  it("compares exactly: 30.00001% is flagged although it prints as 30.0000", () => {
    const finding = onlyFinding(reduce("100000.00", "69999.99"), CODE)
    assert.strictEqual(finding.measures.reduction_pct, "30.0000")
  })

  it("rounds the measure half away from zero (30.00005% → 30.0001)", () => {
    assert.strictEqual(onlyFinding(reduce("20000.00", "13999.99"), CODE).measures.reduction_pct, "30.0001")
  })

  it("does not flag 29.9999%, no reduction, or a contract above its plan", () => {
    for (const sum of ["7000.01", "10000.00", "12000.00"]) {
      const result = reduce("10000.00", sum)
      assert.deepStrictEqual(flaggedIds(result, CODE), [], sum)
      assert.strictEqual(statsOf(result, CODE).evaluated, 1)
    }
  })

  it("takes a custom threshold as a decimal (12.5)", () => {
    assert.deepStrictEqual(flaggedIds(reduce("1000.00", "875.00", { threshold: 12.5 }), CODE), [])
    const finding = onlyFinding(reduce("1000.00", "874.99", { threshold: 12.5 }), CODE)
    assert.strictEqual(finding.measures.reduction_pct, "12.5010")
    assert.deepStrictEqual(finding.thresholds, { threshold_pct: "12.5" })
    // the same contract is no super-dumping under the default 30
    assert.deepStrictEqual(flaggedIds(reduce("1000.00", "874.99"), CODE), [])
  })

  it("runs with thresholds written in exponent form", () => {
    assert.deepStrictEqual(flaggedIds(reduce("1000.00", "10.00", { threshold: 1e2 }), CODE), [])
    const tiny = onlyFinding(reduce("1000.00", "999.99", { threshold: 1e-7 }), CODE)
    assert.deepStrictEqual(tiny.thresholds, { threshold_pct: "0.0000001" })
  })

  it("files the finding under the root contract with parties, region and explanation", () => {
    const result = runOne(CODE, [
      ...tendered({ id: 7, plan: "10000.00", sum: "5000.00", sign: "2023-06-01 15:00:00" }),
      rec.subject(CUSTOMER, KATO_ASTANA),
      rec.subject(SUPPLIER, KATO_ALMATY)
    ])
    const finding = onlyFinding(result, CODE)
    assert.strictEqual(finding.indicator, CODE)
    assert.strictEqual(finding.key, "super-dumping:7")
    assert.deepStrictEqual(finding.subject, { _tag: "contract", contractId: 7 } as typeof finding.subject)
    assert.strictEqual(finding.customerBin, CUSTOMER)
    assert.strictEqual(finding.supplierBin, SUPPLIER)
    // the customer's region, not the supplier's
    assert.strictEqual(finding.region, "71")
    assert.strictEqual(finding.date, at("2023-06-01 15:00:00"))
    for (const text of [finding.explanation.ru, finding.explanation.en]) {
      assert.include(text, "50.0000")
      assert.include(text, "5000.00")
      assert.include(text, "10000.00")
      assert.include(text, "30")
    }
    assert.notStrictEqual(finding.explanation.ru, finding.explanation.en)
  })

  it("has no region without a subject record or with a KATO outside the 20 regions", () => {
    const noSubject = onlyFinding(runOne(CODE, tendered({ id: 1, plan: "100.00", sum: "10.00" })), CODE)
    assert.isNull(noSubject.region)
    const unknown = onlyFinding(
      runOne(CODE, [...tendered({ id: 1, plan: "100.00", sum: "10.00" }), rec.subject(CUSTOMER, "991110000")]),
      CODE
    )
    assert.isNull(unknown.region)
    const noKato = onlyFinding(
      runOne(CODE, [...tendered({ id: 1, plan: "100.00", sum: "10.00" }), rec.subject(CUSTOMER, null)]),
      CODE
    )
    assert.isNull(noKato.region)
  })

  it("dates the finding by creation time when the contract is unsigned", () => {
    const finding = onlyFinding(
      runOne(CODE, tendered({ id: 1, plan: "100.00", sum: "10.00", sign: null, crdate: "2023-04-01 08:00:00" })),
      CODE
    )
    assert.strictEqual(finding.date, at("2023-04-01 08:00:00"))
  })

  it("evaluates each root once and flags only those over the threshold", () => {
    const other = binOf(77)
    const result = runOne(CODE, [
      ...tendered({ id: 1, plan: "100.00", sum: "69.00" }),
      ...tendered({ id: 2, plan: "100.00", sum: "71.00" }),
      ...tendered({ id: 3, plan: "100.00", sum: "10.00", customer: other }),
      // an amendment of contract 3 is reached through its chain, never evaluated on its own
      rec.contract({ id: 4, parent: 3, root: 3, sum: "1.00" }),
      rec.unit(4, 4, 4),
      rec.lot(4, "100.00")
    ])
    assert.deepStrictEqual(flaggedIds(result, CODE), [1, 3])
    assert.deepStrictEqual(statsOf(result, CODE), { evaluated: 3, flagged: 2, skipped: {} })
  })
})
