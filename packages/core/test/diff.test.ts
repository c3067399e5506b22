import { assert, describe, it } from "@effect/vitest"
import { type Contract, type ContractId, diffChain, diffVersions, type FieldChange, makeChain } from "../src/index.ts"
import { contract } from "./fixtures.ts"

const changeOf = (changes: ReadonlyArray<FieldChange>, field: string): FieldChange | undefined =>
  changes.find((c) => c.field === field)

const root = contract({ id: 1, sum: "1000.00", sign: "2023-05-10 12:00:00" })

describe("diffVersions", () => {
  it("finds no change between equal versions", () => {
    const d = diffVersions(root, { ...root })
    assert.deepStrictEqual(d, { fromId: 1, toId: 1, changes: [] } as unknown as typeof d)
  })

  it("reports money changes with the delta in tenge and in percent", () => {
    const amended = contract({ id: 2, parent: 1, root: 1, sum: "1250.50", sign: "2023-05-10 12:00:00" })
    const d = diffVersions(root, amended)
    assert.strictEqual(d.fromId, 1)
    assert.strictEqual(d.toId, 2)
    assert.deepStrictEqual(d.changes, [
      {
        field: "contract_sum_wnds",
        kind: "money",
        from: "1000.00",
        to: "1250.50",
        delta: "250.50",
        deltaPct: "25.0500"
      }
    ])
  })

  it("reports a falling sum with negative delta, rounded half away from zero", () => {
    const d = diffVersions(
      contract({ id: 1, sum: "20000.00" }),
      contract({ id: 2, parent: 1, root: 1, sum: "19999.99" })
    )
    assert.deepStrictEqual(changeOf(d.changes, "contract_sum_wnds"), {
      field: "contract_sum_wnds",
      kind: "money",
      from: "20000.00",
      to: "19999.99",
      delta: "-0.01",
      deltaPct: "-0.0001"
    })
  })

  it("leaves the percentage out when the old amount is zero, and the delta when one side is missing", () => {
    const fromZero = diffVersions(contract({ id: 1, fakt: "0.00" }), contract({ id: 2, fakt: "10.00" }))
    assert.deepStrictEqual(changeOf(fromZero.changes, "fakt_sum_wnds"), {
      field: "fakt_sum_wnds",
      kind: "money",
      from: "0.00",
      to: "10.00",
      delta: "10.00"
    })
    const fromNull = diffVersions(contract({ id: 1, fakt: null }), contract({ id: 2, fakt: "10.00" }))
    assert.deepStrictEqual(changeOf(fromNull.changes, "fakt_sum_wnds"), {
      field: "fakt_sum_wnds",
      kind: "money",
      from: null,
      to: "10.00"
    })
  })

  it("reports a date change with its shift in Almaty calendar days", () => {
    const later = contract({ id: 2, sum: "1000.00", sign: "2023-05-12 01:00:00" })
    assert.deepStrictEqual(diffVersions(root, later).changes, [
      {
        field: "sign_date",
        kind: "date",
        from: "2023-05-10T12:00:00+06:00",
        to: "2023-05-12T01:00:00+06:00",
        dayShift: 2
      }
    ])
    // 13 hours back across midnight is one day back
    const earlier = diffVersions(later, contract({ id: 3, sum: "1000.00", sign: "2023-05-11 12:00:00" }))
    assert.strictEqual(changeOf(earlier.changes, "sign_date")?.dayShift, -1)
    // across the change of zone, each side shows the offset then in force
    const acrossZone = diffVersions(
      contract({ id: 1, sign: "2024-02-28 12:00:00" }),
      contract({ id: 2, sign: "2024-03-02 12:00:00" })
    )
    assert.deepStrictEqual(changeOf(acrossZone.changes, "sign_date"), {
      field: "sign_date",
      kind: "date",
      from: "2024-02-28T12:00:00+06:00",
      to: "2024-03-02T12:00:00+05:00",
      dayShift: 3
    })
  })

  it("reports a removed date without a shift", () => {
    const d = diffVersions(root, contract({ id: 2, sum: "1000.00", sign: null }))
    assert.deepStrictEqual(d.changes, [
      { field: "sign_date", kind: "date", from: "2023-05-10T12:00:00+06:00", to: null }
    ])
  })

  it("reports ids, texts and flags under their OWS names, and nothing else", () => {
    const amended: Contract = {
      ...root,
      id: 2 as ContractId,
      parentId: 1 as ContractId,
      rootId: 1 as ContractId,
      statusId: 450,
      descriptionRu: "Поставка (изм.)",
      deleted: true
    }
    const d = diffVersions(root, amended)
    assert.deepStrictEqual(d.changes, [
      { field: "ref_contract_status_id", kind: "id", from: "190", to: "450" },
      { field: "description_ru", kind: "text", from: null, to: "Поставка (изм.)" },
      { field: "deleted", kind: "flag", from: "false", to: "true" }
    ])
  })
})

describe("diffChain", () => {
  const v1 = contract({ id: 1, sum: "1000.00", sign: "2023-05-10 12:00:00" })
  const v2 = contract({ id: 2, parent: 1, root: 1, sum: "1100.00", sign: "2023-06-10 12:00:00" })
  const v3 = contract({ id: 3, parent: 2, root: 1, sum: "1500.00", sign: "2023-06-10 12:00:00", status: 390 })

  it("diffs consecutive versions in chain order and the first against the last", () => {
    const d = diffChain(makeChain(1 as ContractId, [v3, v1, v2]))
    assert.strictEqual(d.rootId, 1)
    assert.deepStrictEqual(
      d.steps.map((s) => [s.fromId, s.toId]),
      [
        [1, 2],
        [2, 3]
      ]
    )
    assert.deepStrictEqual(
      d.steps[1]?.changes.map((c) => c.field),
      ["contract_sum_wnds", "ref_contract_status_id"]
    )
    assert.strictEqual(d.overall?.fromId, 1)
    assert.strictEqual(d.overall?.toId, 3)
    assert.deepStrictEqual(changeOf(d.overall?.changes ?? [], "contract_sum_wnds"), {
      field: "contract_sum_wnds",
      kind: "money",
      from: "1000.00",
      to: "1500.00",
      delta: "500.00",
      deltaPct: "50.0000"
    })
    assert.strictEqual(changeOf(d.overall?.changes ?? [], "sign_date")?.dayShift, 31)
    // a field unchanged between first and last is absent, even when it changed in between
    const roundTrip = diffChain(
      makeChain(1 as ContractId, [v1, v2, contract({ id: 3, sum: "1000.00", sign: "2023-07-10 12:00:00" })])
    )
    assert.isUndefined(changeOf(roundTrip.overall?.changes ?? [], "contract_sum_wnds"))
  })

  it("leaves deleted versions out, as sum-growth does: the overall change ends at the last live version", () => {
    const deleted = contract({ id: 4, parent: 3, root: 1, sum: "9000.00", sign: "2023-08-10 12:00:00", deleted: true })
    const d = diffChain(makeChain(1 as ContractId, [v1, v2, v3, deleted]))
    assert.deepStrictEqual(
      d.steps.map((s) => [s.fromId, s.toId]),
      [
        [1, 2],
        [2, 3]
      ]
    )
    assert.strictEqual(d.overall?.toId, 3)
    assert.strictEqual(changeOf(d.overall?.changes ?? [], "contract_sum_wnds")?.to, "1500.00")
  })

  it("has no steps and no overall diff for a single version", () => {
    assert.deepStrictEqual(diffChain(makeChain(1 as ContractId, [v1])), {
      rootId: 1 as ContractId,
      steps: [],
      overall: null
    })
  })
})
