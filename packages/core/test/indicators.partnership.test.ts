import { assert, describe, it } from "@effect/vitest"
import type { Finding, ProcurementRecord } from "../src/index.ts"
import { at, binOf, findingsOf, KATO_ALMATY, KATO_ASTANA, rec, runOne, statsOf } from "./fixtures.ts"

const CODE = "partnership"
const C = binOf(10)
const S = binOf(20)

let nextId = 1
/** `n` root contracts between a customer and a supplier, with fresh ids. */
const contracts = (n: number, customer: string, supplier: string, status = 190): Array<ProcurementRecord> =>
  Array.from({ length: n }, () => rec.contract({ id: nextId++, customer, supplier, status }))

/** `n` contracts of `bin` (as customer or supplier) each with a different counterparty: pairs of one contract. */
const spread = (n: number, side: "customer" | "supplier", bin: string, seedBase: number): Array<ProcurementRecord> =>
  Array.from({ length: n }, (_, i) =>
    side === "customer"
      ? rec.contract({ id: nextId++, customer: bin, supplier: binOf(seedBase + i) })
      : rec.contract({ id: nextId++, customer: binOf(seedBase + i), supplier: bin })
  )

const pairFinding = (records: ReadonlyArray<ProcurementRecord>, params: Record<string, unknown> = {}) => {
  const found = findingsOf(runOne(CODE, records, params), CODE).filter(
    (f) => f.customerBin === C && f.supplierBin === S
  )
  return found[0] as Finding | undefined
}

describe("partnership: Npair ≥ min (5), Npair/Nsupplier > S (0.8), Npair/Ncustomer > K (0.5)", () => {
  it("flags a pair with exactly the minimum of contracts and reports counts and shares", () => {
    const finding = pairFinding(contracts(5, C, S))
    assert.isDefined(finding)
    assert.deepStrictEqual(finding?.measures, {
      pair_contracts: "5",
      supplier_contracts: "5",
      customer_contracts: "5",
      supplier_share: "1.0000",
      customer_share: "1.0000"
    })
    assert.deepStrictEqual(finding?.thresholds, {
      min_contracts: "5",
      supplier_share: "0.8",
      customer_share: "0.5"
    })
  })

  it("does not flag one contract below the minimum", () => {
    const result = runOne(CODE, contracts(4, C, S))
    assert.deepStrictEqual(findingsOf(result, CODE), [])
    assert.deepStrictEqual(statsOf(result, CODE), { evaluated: 1, flagged: 0, skipped: {} })
  })

  it("flags a supplier share just above 0.8, not one of exactly 0.8", () => {
    assert.strictEqual(
      pairFinding([...contracts(9, C, S), ...spread(2, "supplier", S, 100)])?.measures.supplier_share,
      "0.8182"
    )
    assert.isUndefined(pairFinding([...contracts(8, C, S), ...spread(2, "supplier", S, 100)]))
    assert.isUndefined(pairFinding([...contracts(8, C, S), ...spread(3, "supplier", S, 100)]))
  })

  it("flags a customer share just above 0.5, not one of exactly 0.5", () => {
    assert.strictEqual(
      pairFinding([...contracts(6, C, S), ...spread(5, "customer", C, 200)])?.measures.customer_share,
      "0.5455"
    )
    assert.isUndefined(pairFinding([...contracts(5, C, S), ...spread(5, "customer", C, 200)]))
    assert.isUndefined(pairFinding([...contracts(5, C, S), ...spread(6, "customer", C, 200)]))
  })

  it("flags both shares just above their thresholds at once, and reports them", () => {
    const finding = pairFinding([
      ...contracts(9, C, S),
      ...spread(2, "supplier", S, 300),
      ...spread(8, "customer", C, 400)
    ])
    assert.deepStrictEqual(finding?.measures, {
      pair_contracts: "9",
      supplier_contracts: "11",
      customer_contracts: "17",
      supplier_share: "0.8182",
      customer_share: "0.5294"
    })
    for (const text of [finding?.explanation.ru ?? "", finding?.explanation.en ?? ""]) {
      assert.include(text, "0.8182")
      assert.include(text, "0.5294")
      assert.include(text, "9")
    }
  })

  it("takes custom parameters, shares as decimals", () => {
    const records = [...contracts(3, C, S), ...spread(2, "supplier", S, 500), ...spread(3, "customer", C, 600)]
    // Npair 3, supplier share 0.6, customer share 0.5
    assert.isUndefined(pairFinding(records))
    const finding = pairFinding(records, { minContracts: 3, supplierShare: 0.59, customerShare: 0.49 })
    assert.deepStrictEqual(finding?.thresholds, { min_contracts: "3", supplier_share: "0.59", customer_share: "0.49" })
    assert.isUndefined(pairFinding(records, { minContracts: 3, supplierShare: 0.6, customerShare: 0.49 }))
    assert.isUndefined(pairFinding(records, { minContracts: 4, supplierShare: 0.59, customerShare: 0.49 }))
  })

  it("counts only root contracts that pass the filters, on every side of the ratio", () => {
    const amendments = [1, 2, 3].map((i) => rec.contract({ id: 9000 + i, parent: 9000, root: 9000, customer: C }))
    const finding = pairFinding([
      ...contracts(5, C, S),
      rec.contract({ id: 9000, customer: C, supplier: S }),
      ...amendments,
      // not concluded: excluded from Nsupplier as well as from Npair
      ...contracts(4, binOf(700), S, 330)
    ])
    assert.strictEqual(finding?.measures.pair_contracts, "6")
    assert.strictEqual(finding?.measures.supplier_contracts, "6")
  })

  it("names the pair, the customer's region and the latest contract date", () => {
    const records: Array<ProcurementRecord> = [
      rec.contract({ id: 1, customer: C, supplier: S, sign: "2023-01-10 10:00:00" }),
      rec.contract({ id: 2, customer: C, supplier: S, sign: "2023-08-10 10:00:00" }),
      rec.contract({ id: 3, customer: C, supplier: S, sign: null, crdate: "2023-09-01 10:00:00" }),
      rec.contract({ id: 4, customer: C, supplier: S, sign: "2023-03-10 10:00:00" }),
      rec.contract({ id: 5, customer: C, supplier: S, sign: "2023-02-10 10:00:00" }),
      rec.subject(C, KATO_ALMATY),
      rec.subject(S, KATO_ASTANA)
    ]
    const finding = pairFinding(records)
    assert.strictEqual(finding?.key, `partnership:${C}:${S}`)
    assert.deepStrictEqual(finding?.subject, { _tag: "pair", customerBin: C, supplierBin: S } as Finding["subject"])
    assert.strictEqual(finding?.region, "75")
    assert.strictEqual(finding?.date, at("2023-09-01 10:00:00"))
  })

  it("evaluates pairs and counts filtered chains as skipped", () => {
    const result = runOne(CODE, [
      ...contracts(5, C, S),
      ...spread(3, "customer", C, 800),
      rec.contract({ id: 9999, customer: C, supplier: S, deleted: true })
    ])
    const stats = statsOf(result, CODE)
    assert.strictEqual(stats.evaluated, 4)
    assert.strictEqual(stats.flagged, 1)
    assert.deepStrictEqual(stats.skipped, { deleted: 1 })
  })
})
