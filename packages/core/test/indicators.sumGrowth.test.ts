import { assert, describe, it } from "@effect/vitest"
import type { ContractSpec } from "./fixtures.ts"
import { CUSTOMER, flaggedIds, KATO_ASTANA, onlyFinding, rec, runOne, statsOf, SUPPLIER } from "./fixtures.ts"

const CODE = "sum-growth"

type Version = Omit<ContractSpec, "id" | "parent" | "root">

/** A chain rooted at id 1; version i (from 0) gets id i + 1, parent i and sign dates one day apart. */
const chain = (versions: ReadonlyArray<Version>, params: Record<string, unknown> = {}) =>
  runOne(
    CODE,
    versions.map((v, i) =>
      rec.contract({
        id: i + 1,
        parent: i === 0 ? null : i,
        root: i === 0 ? null : 1,
        sign: `2023-05-${String(10 + i).padStart(2, "0")} 12:00:00`,
        ...v
      })
    ),
    params
  )

describe("sum growth over amendments: flagged when growth of contract_sum_wnds or fakt_sum_wnds > T (20)", () => {
  it("does not flag exactly 20% growth of the contract sum", () => {
    const result = chain([{ sum: "1000.00" }, { sum: "1200.00" }])
    assert.deepStrictEqual(flaggedIds(result, CODE), [])
    assert.deepStrictEqual(statsOf(result, CODE), { evaluated: 1, flagged: 0, skipped: {} })
  })

  it("flags growth just above 20% and reports first, last and growth", () => {
    const finding = onlyFinding(chain([{ sum: "1000.00" }, { sum: "1200.01" }]), CODE)
    assert.deepStrictEqual(finding.measures, {
      versions: "2",
      sum_first: "1000.00",
      sum_last: "1200.01",
      sum_growth_pct: "20.0010"
    })
    assert.deepStrictEqual(finding.thresholds, { threshold_pct: "20" })
    assert.strictEqual(finding.key, "sum-growth:1")
    for (const text of [finding.explanation.ru, finding.explanation.en]) {
      assert.include(text, "20.0010")
      assert.include(text, "1000.00")
      assert.include(text, "1200.01")
    }
  })

  it("takes an unsigned root as the first version: a falling sum is not growth, a rising one is", () => {
    const falling = chain([{ sum: "1000.00", sign: null }, { sum: "500.00" }])
    assert.deepStrictEqual(flaggedIds(falling, CODE), [])
    const rising = onlyFinding(chain([{ sum: "1000.00", sign: null }, { sum: "1500.00" }]), CODE)
    assert.strictEqual(rising.measures.sum_first, "1000.00")
    assert.strictEqual(rising.measures.sum_growth_pct, "50.0000")
  })

  it("does not flag growth just below 20%, or a falling sum", () => {
    assert.deepStrictEqual(flaggedIds(chain([{ sum: "1000.00" }, { sum: "1199.99" }]), CODE), [])
    assert.deepStrictEqual(flaggedIds(chain([{ sum: "1000.00" }, { sum: "500.00" }]), CODE), [])
  })

  it("flags growth of the actual sum alone, and reports both measures", () => {
    const finding = onlyFinding(
      chain([
        { sum: "1000.00", fakt: "500.00" },
        { sum: "1000.00", fakt: "600.01" }
      ]),
      CODE
    )
    assert.deepStrictEqual(finding.measures, {
      versions: "2",
      sum_first: "1000.00",
      sum_last: "1000.00",
      sum_growth_pct: "0.0000",
      fakt_first: "500.00",
      fakt_last: "600.01",
      fakt_growth_pct: "20.0020"
    })
    assert.include(finding.explanation.en, "actual sum grew 20.0020%")
    assert.notInclude(finding.explanation.en, "contract sum grew")
    assert.deepStrictEqual(
      flaggedIds(
        chain([
          { sum: "1000.00", fakt: "500.00" },
          { sum: "1000.00", fakt: "600.00" }
        ]),
        CODE
      ),
      []
    )
  })

  it("treats growth from a zero actual sum as undefined: not flagged by it, measure absent", () => {
    assert.deepStrictEqual(
      flaggedIds(
        chain([
          { sum: "1000.00", fakt: "0.00" },
          { sum: "1000.00", fakt: "900.00" }
        ]),
        CODE
      ),
      []
    )
    const finding = onlyFinding(
      chain([
        { sum: "1000.00", fakt: "0.00" },
        { sum: "1500.00", fakt: "900.00" }
      ]),
      CODE
    )
    assert.notProperty(finding.measures, "fakt_growth_pct")
    assert.strictEqual(finding.measures.fakt_first, "0.00")
    assert.strictEqual(finding.measures.sum_growth_pct, "50.0000")
  })

  it("treats a missing actual sum on either end as undefined", () => {
    const finding = onlyFinding(chain([{ sum: "1000.00" }, { sum: "1500.00", fakt: "1500.00" }]), CODE)
    assert.notProperty(finding.measures, "fakt_growth_pct")
    assert.notProperty(finding.measures, "fakt_first")
    assert.strictEqual(finding.measures.fakt_last, "1500.00")
  })

  it("compares the first version with the last, not with the peak", () => {
    assert.deepStrictEqual(flaggedIds(chain([{ sum: "1000.00" }, { sum: "5000.00" }, { sum: "1100.00" }]), CODE), [])
    const finding = onlyFinding(chain([{ sum: "1000.00" }, { sum: "900.00" }, { sum: "1300.00" }]), CODE)
    assert.strictEqual(finding.measures.versions, "3")
    assert.strictEqual(finding.measures.sum_growth_pct, "30.0000")
  })

  it("takes a custom threshold (12.5)", () => {
    const versions = [{ sum: "1000.00" }, { sum: "1125.01" }]
    assert.deepStrictEqual(flaggedIds(chain(versions), CODE), [])
    const finding = onlyFinding(chain(versions, { threshold: 12.5 }), CODE)
    assert.deepStrictEqual(finding.thresholds, { threshold_pct: "12.5" })
    assert.deepStrictEqual(flaggedIds(chain([{ sum: "1000.00" }, { sum: "1125.00" }], { threshold: 12.5 }), CODE), [])
  })

  it("skips a chain without amendments, counting the reason", () => {
    const result = chain([{ sum: "1000.00" }])
    assert.deepStrictEqual(statsOf(result, CODE), {
      evaluated: 0,
      flagged: 0,
      skipped: { "no amendments (single version)": 1 }
    })
  })

  it("files the finding with the root's parties and the customer's region", () => {
    const result = runOne(CODE, [
      rec.contract({ id: 1, sum: "100.00" }),
      rec.contract({ id: 2, parent: 1, root: 1, sum: "200.00", sign: "2023-07-01 10:00:00" }),
      rec.subject(CUSTOMER, KATO_ASTANA)
    ])
    const finding = onlyFinding(result, CODE)
    assert.strictEqual(finding.customerBin, CUSTOMER)
    assert.strictEqual(finding.supplierBin, SUPPLIER)
    assert.strictEqual(finding.region, "71")
    assert.deepStrictEqual(finding.subject, { _tag: "contract", contractId: 1 } as typeof finding.subject)
  })
})
