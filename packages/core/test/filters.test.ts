import { assert, describe, it } from "@effect/vitest"
import { DEFAULT_FILTERS, type FilterableContract, filterReason } from "../src/index.ts"
import type { ContractSpec } from "./fixtures.ts"
import { CUSTOMER, flaggedIds, rec, run, runOne, statsOf, SUPPLIER, tendered } from "./fixtures.ts"

const passing: FilterableContract = {
  deleted: false,
  typeId: 1,
  yearTypeId: 1,
  statusId: 190,
  customerBin: CUSTOMER,
  supplierBin: SUPPLIER,
  sumWnds: 100
}

describe("filterReason", () => {
  it("has documented defaults", () => {
    assert.deepStrictEqual(DEFAULT_FILTERS, {
      contractTypeIds: [1],
      yearTypeIds: [1],
      statusIds: [190, 340, 350, 375, 390, 450]
    })
  })

  it("passes a standard one-year contract in force", () => {
    assert.isUndefined(filterReason(passing, DEFAULT_FILTERS))
  })

  it("names each filter a contract fails", () => {
    const cases: ReadonlyArray<readonly [Partial<FilterableContract>, string]> = [
      [{ deleted: true }, "deleted"],
      [{ typeId: 2 }, "contract type not in filter"],
      [{ typeId: null }, "contract type not in filter"],
      [{ yearTypeId: 2 }, "year type not in filter"],
      [{ yearTypeId: null }, "year type not in filter"],
      [{ statusId: 330 }, "status not in filter"],
      [{ statusId: null }, "status not in filter"],
      [{ customerBin: null }, "customer BIN missing"],
      [{ supplierBin: null }, "supplier BIN missing"],
      [{ sumWnds: 0 }, "contract sum not positive"],
      [{ sumWnds: null }, "contract sum not positive"]
    ]
    for (const [change, reason] of cases)
      assert.strictEqual(filterReason({ ...passing, ...change }, DEFAULT_FILTERS), reason)
  })

  it("reports the first failing filter: deleted, type, year type, status, BINs, sum", () => {
    const everything: FilterableContract = {
      deleted: true,
      typeId: 2,
      yearTypeId: 2,
      statusId: 330,
      customerBin: null,
      supplierBin: null,
      sumWnds: 0
    }
    assert.strictEqual(filterReason(everything, DEFAULT_FILTERS), "deleted")
    assert.strictEqual(filterReason({ ...everything, deleted: false }, DEFAULT_FILTERS), "contract type not in filter")
    assert.strictEqual(
      filterReason({ ...everything, deleted: false, typeId: 1, yearTypeId: 1, statusId: 190 }, DEFAULT_FILTERS),
      "customer BIN missing"
    )
  })

  it("uses a given status set instead of the filters' own", () => {
    assert.strictEqual(filterReason({ ...passing, statusId: 340 }, DEFAULT_FILTERS, [190]), "status not in filter")
    assert.isUndefined(filterReason({ ...passing, statusId: 330 }, DEFAULT_FILTERS, [330]))
  })

  it("follows configured sets", () => {
    const filters = { contractTypeIds: [2], yearTypeIds: [1, 2], statusIds: [330] }
    assert.isUndefined(filterReason({ ...passing, typeId: 2, yearTypeId: 2, statusId: 330 }, filters))
    assert.strictEqual(filterReason(passing, filters), "contract type not in filter")
  })
})

/** A super-dumping case (r = 50%) that each filter can exclude by one field of the root. */
const dumped = (spec: Partial<ContractSpec> = {}) => tendered({ id: 1, plan: "100.00", sum: "50.00", ...spec })

const skippedBy = (spec: Partial<ContractSpec>, filters?: Record<string, unknown>) => {
  const result = runOne("super-dumping", dumped(spec), {}, filters)
  assert.deepStrictEqual(flaggedIds(result, "super-dumping"), [])
  const stats = statsOf(result, "super-dumping")
  assert.strictEqual(stats.evaluated, 0)
  return stats.skipped
}

describe("common filters in the indicators", () => {
  it("the unfiltered case is flagged", () => {
    assert.deepStrictEqual(flaggedIds(runOne("super-dumping", dumped()), "super-dumping"), [1])
  })

  it("excludes the contract and counts the reason, for each filter", () => {
    assert.deepStrictEqual(skippedBy({ type: 2 }), { "contract type not in filter": 1 })
    assert.deepStrictEqual(skippedBy({ yearType: 2 }), { "year type not in filter": 1 })
    assert.deepStrictEqual(skippedBy({ status: 330 }), { "status not in filter": 1 })
    assert.deepStrictEqual(skippedBy({ deleted: true }), { deleted: 1 })
    assert.deepStrictEqual(skippedBy({ customer: null }), { "customer BIN missing": 1 })
    assert.deepStrictEqual(skippedBy({ supplier: null }), { "supplier BIN missing": 1 })
    assert.deepStrictEqual(skippedBy({ sum: "0.00" }), { "contract sum not positive": 1 })
    assert.deepStrictEqual(skippedBy({ sum: null }), { "contract sum not positive": 1 })
  })

  it("applies to every indicator", () => {
    const records = [
      ...tendered({ id: 1, plan: "100.00", sum: "50.00", status: 330 }),
      rec.contract({ id: 2, parent: 1, root: 1, sum: "500.00", status: 190 }),
      rec.payment(1, 1, "2023-05-10 12:00:00")
    ]
    const result = run(records)
    assert.deepStrictEqual(result.findings, [])
    for (const code of ["super-dumping", "minimal-dumping", "accelerated-payment", "sum-growth", "partnership"])
      assert.deepStrictEqual(statsOf(result, code).skipped, { "status not in filter": 1 }, code)
  })

  it("counts several skipped contracts per reason", () => {
    const result = runOne("super-dumping", [
      ...tendered({ id: 1, plan: "100.00", sum: "50.00", status: 330 }),
      ...tendered({ id: 2, plan: "100.00", sum: "50.00", status: 331 }),
      ...tendered({ id: 3, plan: "100.00", sum: "50.00", yearType: 2 }),
      ...tendered({ id: 4, plan: "100.00", sum: "50.00" })
    ])
    assert.deepStrictEqual(statsOf(result, "super-dumping"), {
      evaluated: 1,
      flagged: 1,
      skipped: { "status not in filter": 2, "year type not in filter": 1 }
    })
  })

  it("follows configured sets: other types, year types and statuses", () => {
    const types = { contractTypeIds: [1, 2] }
    assert.deepStrictEqual(flaggedIds(runOne("super-dumping", dumped({ type: 2 }), {}, types), "super-dumping"), [1])
    assert.deepStrictEqual(skippedBy({ type: 1 }, { contractTypeIds: [2] }), { "contract type not in filter": 1 })
    const years = { yearTypeIds: [2] }
    assert.deepStrictEqual(
      flaggedIds(runOne("super-dumping", dumped({ yearType: 2 }), {}, years), "super-dumping"),
      [1]
    )
    assert.deepStrictEqual(skippedBy({}, years), { "year type not in filter": 1 })
    const statuses = { statusIds: [330] }
    assert.deepStrictEqual(
      flaggedIds(runOne("super-dumping", dumped({ status: 330 }), {}, statuses), "super-dumping"),
      [1]
    )
    assert.deepStrictEqual(skippedBy({}, statuses), { "status not in filter": 1 })
  })

  it("lets accelerated payment's own status set replace the common one", () => {
    const records = [...dumped({ status: 340 }), rec.payment(1, 1, "2023-05-11 10:00:00")]
    const result = run(records)
    // 340 "terminated" passes the common set but not indicator 3's default
    assert.deepStrictEqual(flaggedIds(result, "super-dumping"), [1])
    assert.deepStrictEqual(statsOf(result, "accelerated-payment").skipped, { "status not in filter": 1 })
    const widened = run(records, { indicators: { "accelerated-payment": { statusIds: [340] } } })
    assert.deepStrictEqual(flaggedIds(widened, "accelerated-payment"), [1])
    // a status outside the common set still passes indicator 3 when its own set has it
    const narrowed = run([...dumped({ status: 390 }), rec.payment(1, 1, "2023-05-11 10:00:00")], {
      filters: { statusIds: [190] }
    })
    assert.deepStrictEqual(flaggedIds(narrowed, "super-dumping"), [])
    assert.deepStrictEqual(flaggedIds(narrowed, "accelerated-payment"), [1])
  })
})
