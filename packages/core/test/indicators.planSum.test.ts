import { assert, describe, it } from "@effect/vitest"
import type { ProcurementRecord } from "../src/index.ts"
import { findingsOf, flaggedIds, rec, run, statsOf } from "./fixtures.ts"

const DUMPING = ["super-dumping", "minimal-dumping"] as const
const UNKNOWN = "plan sum unknown (no units with lots)"

const both = (records: ReadonlyArray<ProcurementRecord>) => run(records, { only: [...DUMPING] })

describe("plan sum P for indicators 1–2", () => {
  it("is unknown without units: the contract is skipped with the reason counted", () => {
    const result = both([rec.contract({ id: 1, sum: "10.00" }), rec.lot(1, "100.00")])
    for (const code of DUMPING)
      assert.deepStrictEqual(statsOf(result, code), { evaluated: 0, flagged: 0, skipped: { [UNKNOWN]: 1 } })
    assert.deepStrictEqual(result.findings, [])
  })

  it("is unknown when the units reference no lot", () => {
    const result = both([rec.contract({ id: 1, sum: "10.00" }), rec.unit(1, 1, null), rec.unit(2, 1, null)])
    for (const code of DUMPING) assert.deepStrictEqual(statsOf(result, code).skipped, { [UNKNOWN]: 1 })
  })

  it("is unknown when a referenced lot is missing, rather than a partial sum", () => {
    const result = both([
      rec.contract({ id: 1, sum: "10.00" }),
      rec.unit(1, 1, 1),
      rec.unit(2, 1, 2),
      rec.lot(1, "100.00")
    ])
    for (const code of DUMPING) assert.deepStrictEqual(statsOf(result, code).skipped, { [UNKNOWN]: 1 })
  })

  it("counts each distinct lot once, however many units point at it", () => {
    const result = both([
      rec.contract({ id: 1, sum: "690.00" }),
      rec.unit(1, 1, 5),
      rec.unit(2, 1, 5),
      rec.unit(2, 1, 5),
      rec.lot(5, "1000.00")
    ])
    const [finding] = findingsOf(result, "super-dumping")
    assert.strictEqual(finding?.measures.plan_sum, "1000.00")
    assert.strictEqual(finding?.measures.reduction_pct, "31.0000")
  })

  it("sums distinct lots", () => {
    const result = both([
      rec.contract({ id: 1, sum: "995.00" }),
      rec.unit(1, 1, 5),
      rec.unit(2, 1, 6),
      rec.lot(5, "600.00"),
      rec.lot(6, "400.00")
    ])
    const [finding] = findingsOf(result, "minimal-dumping")
    assert.strictEqual(finding?.measures.plan_sum, "1000.00")
    assert.strictEqual(finding?.measures.reduction_pct, "0.5000")
  })

  it("skips a plan sum beyond 2^53 − 1 tiyn with its own reason, and sums one just below it exactly", () => {
    const hugeLots = (contract: number, n: number) =>
      Array.from({ length: n }, (_, k) => [
        rec.unit(contract * 100 + k, contract, contract * 100 + 50 + k),
        rec.lot(contract * 100 + 50 + k, "9999999999999.99")
      ]).flat()
    const result = both([
      rec.contract({ id: 1, sum: "1000.00" }),
      ...hugeLots(1, 10),
      rec.contract({ id: 2, sum: "1000.00" }),
      ...hugeLots(2, 9)
    ])
    for (const code of DUMPING)
      assert.deepStrictEqual(statsOf(result, code).skipped, { "plan sum beyond 2^53 tiyn": 1 })
    const [finding] = findingsOf(result, "super-dumping")
    assert.strictEqual(finding?.key, "super-dumping:2")
    assert.strictEqual(finding?.measures.plan_sum, "89999999999999.91")
    assert.strictEqual(finding?.measures.reduction_pct, "100.0000")
  })

  it("skips a zero plan sum with its own reason", () => {
    const result = both([rec.contract({ id: 1, sum: "10.00" }), rec.unit(1, 1, 1), rec.lot(1, "0.00")])
    for (const code of DUMPING) assert.deepStrictEqual(statsOf(result, code).skipped, { "plan sum not positive": 1 })
  })

  it("uses the newest version of a lot, whatever order the records arrive in", () => {
    const older = rec.lot(1, "100.00", "2023-01-01 10:00:00")
    const newer = rec.lot(1, "1000.00", "2023-02-01 10:00:00")
    for (const lots of [
      [older, newer],
      [newer, older]
    ]) {
      const result = both([rec.contract({ id: 1, sum: "500.00" }), rec.unit(1, 1, 1), ...lots])
      assert.deepStrictEqual(flaggedIds(result, "super-dumping"), [1])
      assert.strictEqual(findingsOf(result, "super-dumping")[0]?.measures.plan_sum, "1000.00")
    }
  })
})
