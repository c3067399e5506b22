import { assert, describe, it } from "@effect/vitest"
import type { ContractSpec } from "./fixtures.ts"
import { CUSTOMER, flaggedIds, KATO_ASTANA, onlyFinding, rec, runOne, statsOf, SUPPLIER } from "./fixtures.ts"

const CODE = "accelerated-payment"

/** A root contract created at `crdate` and paid at each of `payDates`. */
const paid = (crdate: string, payDates: ReadonlyArray<string>, spec: Partial<ContractSpec> = {}) => [
  rec.contract({ id: 1, crdate, ...spec }),
  ...payDates.map((d, i) => rec.payment(i + 1, 1, d))
]

const days = (crdate: string, payDate: string, params: Record<string, unknown> = {}): string | undefined => {
  const result = runOne(CODE, paid(crdate, [payDate]), params)
  assert.strictEqual(statsOf(result, CODE).evaluated, 1)
  const finding = result.findings[0]
  return finding?.measures.days
}

describe("accelerated payment: days = first payment − creation, calendar days in Almaty; flagged when days < N (5)", () => {
  it("flags 4 days and not 5", () => {
    assert.strictEqual(days("2023-05-10 10:00:00", "2023-05-14 18:00:00"), "4")
    assert.isUndefined(days("2023-05-10 10:00:00", "2023-05-15 00:00:00"))
  })

  it("flags a payment on the day of creation and one dated before it (negative days)", () => {
    assert.strictEqual(days("2023-05-10 10:00:00", "2023-05-10 09:00:00"), "0")
    assert.strictEqual(days("2023-05-10 10:00:00", "2023-05-08 12:00:00"), "-2")
  })

  it("explains a payment dated before the creation as days before it, not negative days after", () => {
    const before = runOne(CODE, paid("2023-05-10 10:00:00", ["2023-05-08 12:00:00"]), {}).findings[0]
    assert.strictEqual(
      before?.explanation.en,
      "First payment on 2023-05-08, 2 day(s) before the contract was created on 2023-05-10 (threshold: fewer than 5)."
    )
    assert.strictEqual(
      before?.explanation.ru,
      "Первая оплата 2023-05-08 за 2 дн. до создания договора 2023-05-10 (порог: менее 5 дн.)."
    )
    const after = runOne(CODE, paid("2023-05-10 10:00:00", ["2023-05-13 12:00:00"]), {}).findings[0]
    assert.include(after?.explanation.en, ", 3 day(s) after the contract was created on 2023-05-10")
  })

  it("counts a payment at 00:30 the next day as one day, though less than 24 h passed", () => {
    assert.strictEqual(days("2023-05-10 23:50:00", "2023-05-11 00:30:00"), "1")
    assert.isUndefined(days("2023-05-10 23:50:00", "2023-05-11 00:30:00", { maxDays: 1 }))
    assert.strictEqual(days("2023-05-10 23:50:00", "2023-05-11 00:30:00", { maxDays: 2 }), "1")
    // and 4 days + 23 h is still 5 calendar days
    assert.isUndefined(days("2023-05-10 00:30:00", "2023-05-15 00:10:00"))
  })

  it("converts timestamps with explicit offsets to Almaty days", () => {
    // 18:30Z is 00:30 on the 11th in UTC+6; 17:30Z is still the 10th
    assert.strictEqual(days("2023-05-10 23:00:00", "2023-05-10T18:30:00Z", { maxDays: 2 }), "1")
    assert.strictEqual(days("2023-05-10 23:00:00", "2023-05-10T17:30:00Z", { maxDays: 2 }), "0")
    assert.strictEqual(days("2023-05-10T16:00:00Z", "2023-05-11T00:30:00+06:00", { maxDays: 2 }), "1")
  })

  it("uses UTC+5 after 2024-03-01: 18:30Z and 19:10Z fall on different Almaty days", () => {
    // with a fixed UTC+6 both would be on 2024-03-06 (0 days)
    assert.strictEqual(days("2024-03-05T18:30:00Z", "2024-03-05T19:10:00Z", { maxDays: 2 }), "1")
    // before the change the same UTC clock times share a day (00:30 and 01:10 in UTC+6)
    assert.strictEqual(days("2024-02-05T18:30:00Z", "2024-02-05T19:10:00Z", { maxDays: 2 }), "0")
  })

  it("counts days across the change of zone by the calendar", () => {
    assert.strictEqual(days("2024-02-29 12:00:00", "2024-03-01 00:30:00", { maxDays: 2 }), "1")
    assert.strictEqual(days("2024-02-27 12:00:00", "2024-03-02 12:00:00"), "4")
  })

  it("takes the earliest payment over the chain, amendments included", () => {
    const result = runOne(CODE, [
      rec.contract({ id: 1, crdate: "2023-05-10 10:00:00" }),
      rec.contract({ id: 2, parent: 1, root: 1, crdate: "2023-05-11 10:00:00" }),
      rec.payment(1, 1, "2023-06-20 10:00:00"),
      rec.payment(2, 2, "2023-05-12 10:00:00"),
      rec.payment(3, 1, "2023-06-01 10:00:00")
    ])
    const finding = onlyFinding(result, CODE)
    assert.deepStrictEqual(finding.measures, {
      days: "2",
      contract_created: "2023-05-10",
      first_payment: "2023-05-12"
    })
    assert.deepStrictEqual(finding.thresholds, { max_days: "5" })
    assert.deepStrictEqual(statsOf(result, CODE), { evaluated: 1, flagged: 1, skipped: {} })
  })

  it("skips a contract without payments", () => {
    const result = runOne(CODE, [rec.contract({ id: 1 }), rec.payment(1, 99, "2023-05-10 10:00:00")])
    assert.deepStrictEqual(statsOf(result, CODE), { evaluated: 0, flagged: 0, skipped: { "no payments": 1 } })
  })

  it("takes a custom N", () => {
    assert.isUndefined(days("2023-05-10 10:00:00", "2023-05-17 10:00:00"))
    assert.strictEqual(days("2023-05-10 10:00:00", "2023-05-17 10:00:00", { maxDays: 10 }), "7")
    assert.deepStrictEqual(
      onlyFinding(runOne(CODE, paid("2023-05-10 10:00:00", ["2023-05-17 10:00:00"]), { maxDays: 10 }), CODE).thresholds,
      { max_days: "10" }
    )
  })

  it("looks only at its own statuses (190, 375, 390, 450 by default), replacing the common set", () => {
    const at340 = runOne(CODE, paid("2023-05-10 10:00:00", ["2023-05-11 10:00:00"], { status: 340 }))
    assert.deepStrictEqual(statsOf(at340, CODE).skipped, { "status not in filter": 1 })
    const custom = runOne(CODE, paid("2023-05-10 10:00:00", ["2023-05-11 10:00:00"], { status: 340 }), {
      statusIds: [340]
    })
    assert.deepStrictEqual(flaggedIds(custom, CODE), [1])
    // the common status set does not apply to this indicator
    const common = runOne(CODE, paid("2023-05-10 10:00:00", ["2023-05-11 10:00:00"]), {}, { statusIds: [999] })
    assert.deepStrictEqual(flaggedIds(common, CODE), [1])
  })

  it("looks at one-year contracts only", () => {
    const multiYear = runOne(CODE, paid("2023-05-10 10:00:00", ["2023-05-11 10:00:00"], { yearType: 2 }))
    assert.deepStrictEqual(statsOf(multiYear, CODE).skipped, { "year type not in filter": 1 })
  })

  it("files the finding with parties, region and an explanation naming the days", () => {
    const finding = onlyFinding(
      runOne(CODE, [...paid("2023-05-10 10:00:00", ["2023-05-13 10:00:00"]), rec.subject(CUSTOMER, KATO_ASTANA)]),
      CODE
    )
    assert.strictEqual(finding.key, "accelerated-payment:1")
    assert.strictEqual(finding.customerBin, CUSTOMER)
    assert.strictEqual(finding.supplierBin, SUPPLIER)
    assert.strictEqual(finding.region, "71")
    for (const text of [finding.explanation.ru, finding.explanation.en]) {
      assert.include(text, " 3 ")
      assert.include(text, "2023-05-13")
      assert.include(text, "2023-05-10")
    }
  })
})
