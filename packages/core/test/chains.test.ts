import { assert, describe, it } from "@effect/vitest"
import {
  type AnalysisDataset,
  type ChainView,
  type ContractId,
  chainKeyOf,
  compareChainOrder,
  DatasetBuilder,
  isRootContract,
  makeChain,
  type ProcurementRecord
} from "../src/index.ts"
import { at, contract, flaggedIds, onlyFinding, rec, runOne, statsOf, tenge } from "./fixtures.ts"

const dataset = (records: ReadonlyArray<ProcurementRecord>): AnalysisDataset => {
  const builder = new DatasetBuilder()
  for (const r of records) builder.add(r)
  return builder.build()
}

const chainOf = (ds: AnalysisDataset, key: number): ChainView => {
  const chain = ds.chains.find((c) => c.key === key)
  if (chain === undefined) throw new Error(`no chain ${key}`)
  return chain
}

const versionIds = (chain: ChainView): ReadonlyArray<number> => chain.versions.map((v) => v.id)

/** Every order of a small list (for "arrives in any order" checks). */
const permutations = <A>(items: ReadonlyArray<A>): ReadonlyArray<ReadonlyArray<A>> =>
  items.length <= 1
    ? [items]
    : items.flatMap((item, i) =>
        permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest])
      )

describe("root contracts", () => {
  it("a root has no parent and a root id that is absent or its own", () => {
    assert.isTrue(isRootContract(contract({ id: 1, parent: null, root: null })))
    assert.isTrue(isRootContract(contract({ id: 1, parent: null, root: 1 })))
    assert.isFalse(isRootContract(contract({ id: 2, parent: 1, root: 1 })))
    assert.isFalse(isRootContract(contract({ id: 2, parent: 1, root: null })))
    assert.isFalse(isRootContract(contract({ id: 2, parent: null, root: 1 })))
  })

  it("chainKeyOf (domain) is the root id when given, else the own id", () => {
    assert.strictEqual(chainKeyOf(contract({ id: 5, root: 1 })), 1)
    assert.strictEqual(chainKeyOf(contract({ id: 5 })), 5)
  })
})

describe("chain order", () => {
  it("sorts by sign date, then crdate, then id, with a missing sign date last", () => {
    const v = (id: number, signDate: number | null, crdate: number) => ({ id, signDate, crdate })
    const sorted = [v(5, null, 1), v(4, 20, 1), v(3, 10, 2), v(2, 10, 1), v(1, 10, 1), v(6, null, 0)].sort(
      compareChainOrder
    )
    assert.deepStrictEqual(
      sorted.map((x) => x.id),
      [1, 2, 3, 4, 6, 5]
    )
  })

  it("makeChain orders versions whatever order they come in", () => {
    const versions = [
      contract({ id: 3, parent: 2, root: 1, sign: "2023-07-01 10:00:00" }),
      contract({ id: 1, sign: "2023-05-01 10:00:00" }),
      contract({ id: 2, parent: 1, root: 1, sign: "2023-06-01 10:00:00" })
    ]
    for (const order of permutations(versions)) {
      assert.deepStrictEqual(
        makeChain(versions[1]!.id, order).versions.map((c) => c.id),
        [1, 2, 3]
      )
    }
  })
})

describe("the root first", () => {
  it("makeChain puts an unsigned root before its signed amendments", () => {
    const versions = [
      contract({ id: 1, sign: null, crdate: "2023-05-01 10:00:00" }),
      contract({ id: 2, parent: 1, root: 1, sign: "2023-06-01 10:00:00" }),
      contract({ id: 3, parent: 2, root: 1, sign: null })
    ]
    for (const order of permutations(versions)) {
      assert.deepStrictEqual(
        makeChain(1 as ContractId, order).versions.map((c) => c.id),
        [1, 2, 3]
      )
    }
  })

  it("the dataset's chains put an unsigned root first as well", () => {
    const ds = dataset([
      rec.contract({ id: 2, parent: 1, root: 1, sign: "2023-06-01 10:00:00" }),
      rec.contract({ id: 1, sign: null }),
      rec.contract({ id: 3, parent: 2, root: 1, sign: null })
    ])
    assert.deepStrictEqual(
      chainOf(ds, 1).versions.map((v) => v.id),
      [1, 2, 3]
    )
  })
})

describe("grouping versions into chains", () => {
  const root = rec.contract({ id: 1, sign: "2023-05-01 10:00:00" })
  const second = rec.contract({ id: 2, parent: 1, root: 1, sign: "2023-06-01 10:00:00" })
  const third = rec.contract({ id: 3, parent: 2, root: 1, sign: "2023-07-01 10:00:00" })

  it("groups versions arriving in any order into one ordered chain", () => {
    for (const order of permutations([third, root, second])) {
      const ds = dataset(order)
      assert.strictEqual(ds.chains.length, 1)
      const chain = chainOf(ds, 1)
      assert.strictEqual(chain.root?.id, 1)
      assert.deepStrictEqual(versionIds(chain), [1, 2, 3])
    }
  })

  it("resolves versions with a null root id by walking their parents, in any order", () => {
    const walked = [
      rec.contract({ id: 10, sign: "2023-05-01 10:00:00" }),
      rec.contract({ id: 11, parent: 10, root: null, sign: "2023-06-01 10:00:00" }),
      rec.contract({ id: 12, parent: 11, root: null, sign: "2023-07-01 10:00:00" })
    ]
    for (const order of permutations(walked)) {
      const ds = dataset(order)
      assert.strictEqual(ds.chains.length, 1)
      assert.deepStrictEqual(versionIds(chainOf(ds, 10)), [10, 11, 12])
    }
  })

  it("stops a parent walk at a parent whose root id is known", () => {
    const ds = dataset([root, second, rec.contract({ id: 3, parent: 2, root: null, sign: "2023-07-01 10:00:00" })])
    assert.deepStrictEqual(versionIds(chainOf(ds, 1)), [1, 2, 3])
  })

  it("treats a root whose root id is its own id as the root", () => {
    const ds = dataset([rec.contract({ id: 1, root: 1 }), second])
    assert.strictEqual(chainOf(ds, 1).root?.id, 1)
    assert.deepStrictEqual(versionIds(chainOf(ds, 1)), [1, 2])
  })

  it("keeps a chain whose intermediate version is missing, when versions name their root", () => {
    const ds = dataset([third, root])
    assert.deepStrictEqual(versionIds(chainOf(ds, 1)), [1, 3])
  })

  it("splits at a missing parent when versions give no root id (the walk cannot go further)", () => {
    const ds = dataset([
      rec.contract({ id: 10 }),
      rec.contract({ id: 12, parent: 11, root: null, sign: "2023-07-01 10:00:00" })
    ])
    assert.deepStrictEqual(
      ds.chains.map((c) => [c.key, c.root?.id ?? null]),
      [
        [10, 10],
        [11, null]
      ]
    )
  })

  it("a chain without its root has no root view", () => {
    const ds = dataset([third, second])
    const chain = chainOf(ds, 1)
    assert.isUndefined(chain.root)
    assert.deepStrictEqual(versionIds(chain), [2, 3])
  })

  it("does not take a non-root contract for the root of the chain keyed by its id", () => {
    // contract 1 is itself an amendment (of chain 7), yet contract 2 names it as its root
    const ds = dataset([rec.contract({ id: 1, parent: 7, root: 7 }), rec.contract({ id: 2, parent: 1, root: 1 })])
    assert.isUndefined(chainOf(ds, 1).root)
  })

  it("puts versions without a sign date last, and breaks ties by crdate then id", () => {
    const ds = dataset([
      rec.contract({ id: 6, parent: 1, root: 1, sign: null, crdate: "2023-05-02 10:00:00" }),
      rec.contract({ id: 5, parent: 1, root: 1, sign: "2023-06-01 10:00:00", crdate: "2023-06-01 09:00:00" }),
      rec.contract({ id: 4, parent: 1, root: 1, sign: "2023-06-01 10:00:00", crdate: "2023-06-01 08:00:00" }),
      rec.contract({ id: 3, parent: 1, root: 1, sign: "2023-06-01 10:00:00", crdate: "2023-06-01 08:00:00" }),
      rec.contract({ id: 1, sign: "2023-05-01 10:00:00" })
    ])
    assert.deepStrictEqual(versionIds(chainOf(ds, 1)), [1, 3, 4, 5, 6])
  })

  it("leaves deleted versions out of the order but keeps them as members", () => {
    const ds = dataset([root, rec.contract({ id: 2, parent: 1, root: 1, deleted: true }), third])
    const chain = chainOf(ds, 1)
    assert.deepStrictEqual(versionIds(chain), [1, 3])
    assert.deepStrictEqual(chain.members.map((m) => m.id).sort(), [1, 2, 3])
  })
})

describe("chains in the indicators", () => {
  it("skips a chain whose root is not in the data, with the reason counted", () => {
    const records = [
      rec.contract({ id: 2, parent: 1, root: 1, sum: "100.00" }),
      rec.contract({ id: 3, parent: 2, root: 1, sum: "500.00", sign: "2023-07-01 10:00:00" }),
      rec.payment(1, 2, "2023-05-10 12:00:00")
    ]
    for (const code of ["sum-growth", "accelerated-payment", "super-dumping", "minimal-dumping", "partnership"]) {
      const result = runOne(code, records)
      assert.deepStrictEqual(
        statsOf(result, code),
        { evaluated: 0, flagged: 0, skipped: { "root contract not in data": 1 } },
        code
      )
    }
  })

  it("measures sum growth from the root to the last version in chain order, not in id or arrival order", () => {
    const result = runOne("sum-growth", [
      rec.contract({ id: 9, parent: 1, root: 1, sum: "1100.00", sign: "2023-08-01 10:00:00" }),
      rec.contract({ id: 3, parent: 1, root: 1, sum: "5000.00", sign: "2023-06-01 10:00:00" }),
      rec.contract({ id: 1, sum: "1000.00", sign: "2023-05-01 10:00:00" })
    ])
    assert.deepStrictEqual(flaggedIds(result, "sum-growth"), [])
    assert.strictEqual(statsOf(result, "sum-growth").evaluated, 1)
  })

  it("measures sum growth over an incomplete chain from the root to the last present version", () => {
    const finding = onlyFinding(
      runOne("sum-growth", [
        rec.contract({ id: 1, sum: "1000.00", sign: "2023-05-01 10:00:00" }),
        rec.contract({ id: 3, parent: 2, root: 1, sum: "1300.00", sign: "2023-07-01 10:00:00" })
      ]),
      "sum-growth"
    )
    assert.strictEqual(finding.measures.versions, "2")
    assert.strictEqual(finding.measures.sum_growth_pct, "30.0000")
  })

  it("ignores a deleted amendment's sum, and a chain left with its root alone has no amendments", () => {
    const onlyDeleted = runOne("sum-growth", [
      rec.contract({ id: 1, sum: "1000.00" }),
      rec.contract({ id: 2, parent: 1, root: 1, sum: "5000.00", deleted: true })
    ])
    assert.deepStrictEqual(statsOf(onlyDeleted, "sum-growth").skipped, { "no amendments (single version)": 1 })
    const withLive = runOne("sum-growth", [
      rec.contract({ id: 1, sum: "1000.00", sign: "2023-05-01 10:00:00" }),
      rec.contract({ id: 2, parent: 1, root: 1, sum: "1100.00", sign: "2023-06-01 10:00:00" }),
      rec.contract({ id: 3, parent: 2, root: 1, sum: "5000.00", sign: "2023-07-01 10:00:00", deleted: true })
    ])
    assert.deepStrictEqual(flaggedIds(withLive, "sum-growth"), [])
  })

  it("counts payments on deleted versions for accelerated payment (the money moved)", () => {
    const ds = dataset([
      rec.contract({ id: 1, crdate: "2023-05-10 10:00:00" }),
      rec.contract({ id: 2, parent: 1, root: 1, deleted: true }),
      rec.payment(1, 2, "2023-05-11 10:00:00"),
      rec.payment(2, 1, "2023-06-11 10:00:00")
    ])
    assert.strictEqual(ds.firstPayDate(chainOf(ds, 1)), at("2023-05-11 10:00:00"))
    const result = runOne("accelerated-payment", [
      rec.contract({ id: 1, crdate: "2023-05-10 10:00:00" }),
      rec.contract({ id: 2, parent: 1, root: 1, deleted: true }),
      rec.payment(1, 2, "2023-05-11 10:00:00"),
      rec.payment(2, 1, "2023-06-11 10:00:00")
    ])
    assert.strictEqual(onlyFinding(result, "accelerated-payment").measures.days, "1")
  })

  it("counts payments of a version reached by a parent walk", () => {
    const result = runOne("accelerated-payment", [
      rec.contract({ id: 1, crdate: "2023-05-10 10:00:00" }),
      rec.contract({ id: 2, parent: 1, root: null }),
      rec.payment(1, 2, "2023-05-12 10:00:00")
    ])
    assert.strictEqual(onlyFinding(result, "accelerated-payment").measures.days, "2")
  })
})

describe("duplicates", () => {
  it("keeps the version with the newer last_update_date, whatever the order", () => {
    const older = rec.contract({ id: 1, sum: "100.00", updated: "2023-05-01 10:00:00" })
    const newer = rec.contract({ id: 1, sum: "200.00", updated: "2023-06-01 10:00:00" })
    for (const order of [
      [older, newer],
      [newer, older]
    ]) {
      const ds = dataset(order)
      assert.strictEqual(ds.contracts.size, 1)
      assert.strictEqual(ds.contracts.get(1)?.sumWnds, tenge("200.00"))
    }
  })

  it("prefers any dated version over an undated one, and the later record on a tie", () => {
    const undated = rec.contract({ id: 1, sum: "100.00", updated: null })
    const dated = rec.contract({ id: 1, sum: "200.00", updated: "2023-06-01 10:00:00" })
    assert.strictEqual(dataset([dated, undated]).contracts.get(1)?.sumWnds, tenge("200.00"))
    assert.strictEqual(dataset([undated, dated]).contracts.get(1)?.sumWnds, tenge("200.00"))
    const tie = rec.contract({ id: 1, sum: "300.00", updated: "2023-06-01 10:00:00" })
    assert.strictEqual(dataset([dated, tie]).contracts.get(1)?.sumWnds, tenge("300.00"))
  })

  it("counts a duplicated row once, in chains and in partnership counts", () => {
    const rows = [1, 2, 3, 4].flatMap((id) => [rec.contract({ id }), rec.contract({ id })])
    const ds = dataset(rows)
    assert.strictEqual(ds.contracts.size, 4)
    assert.strictEqual(ds.chains.length, 4)
    // 4 distinct contracts stay below the minimum of 5 however often they repeat
    const result = runOne("partnership", [...rows, ...rows])
    assert.deepStrictEqual(result.findings, [])
    assert.deepStrictEqual(statsOf(result, "partnership"), { evaluated: 1, flagged: 0, skipped: {} })
  })

  it("a newer version that becomes deleted removes the contract from the indicators", () => {
    const result = runOne("super-dumping", [
      rec.contract({ id: 1, sum: "10.00", updated: "2023-05-01 10:00:00" }),
      rec.unit(1, 1, 1),
      rec.lot(1, "100.00"),
      rec.contract({ id: 1, sum: "10.00", updated: "2023-06-01 10:00:00", deleted: true })
    ])
    assert.deepStrictEqual(statsOf(result, "super-dumping").skipped, { deleted: 1 })
  })
})
