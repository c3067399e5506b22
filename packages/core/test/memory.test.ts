import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Stream } from "effect"
import {
  type Bin,
  completeBin,
  type ContractId,
  ContractStore,
  decodeRecord,
  FindingStore,
  IndicatorEngine,
  IndicatorRegistry,
  type ProcurementRecord,
  ProcurementSource,
  type RecordKind
} from "../src/index.ts"
import {
  layerMemoryContractStore,
  layerMemoryFindingStore,
  layerMemoryIndicatorEngine,
  layerMemoryProcurementSource
} from "../src/testing/index.ts"

const customer = completeBin("11111111111") as Bin
const supplier = completeBin("22222222222") as Bin

const contractRow = (id: number, extra: Record<string, unknown> = {}) => ({
  id,
  crdate: "2024-05-01 10:00:00",
  sign_date: "2024-05-02 10:00:00",
  ref_contract_status_id: 190,
  ref_contract_type_id: 1,
  ref_contract_year_type_id: 1,
  customer_bin: customer,
  supplier_biin: supplier,
  contract_sum_wnds: 500,
  last_update_date: "2024-05-02 10:00:00",
  ...extra
})

const decodeAll = (rows: ReadonlyArray<readonly [RecordKind, unknown]>): Array<ProcurementRecord> =>
  rows.map(([kind, raw]) => {
    const decoded = decodeRecord(kind, raw)
    if (!decoded.ok) throw new Error(decoded.rejection.text)
    return decoded.value
  })

const Stores = Layer.mergeAll(layerMemoryContractStore, layerMemoryFindingStore)
const Engine = layerMemoryIndicatorEngine().pipe(Layer.provideMerge(Stores))

describe("MemoryContractStore", () => {
  it.effect("counts a batch's repeated keys as the SQL store does: folded first, the ones left behind unchanged", () =>
    Effect.gen(function* () {
      const store = yield* ContractStore
      const jan = contractRow(7, { contract_sum_wnds: 1, last_update_date: "2024-01-01 00:00:00" })
      const feb = contractRow(7, { contract_sum_wnds: 2, last_update_date: "2024-02-01 00:00:00" })
      const mar = contractRow(7, { contract_sum_wnds: 3, last_update_date: "2024-03-01 00:00:00" })
      assert.deepStrictEqual(
        yield* store.upsert(
          decodeAll([
            ["contract", jan],
            ["contract", feb]
          ])
        ),
        { inserted: 1, updated: 0, unchanged: 1, byKind: { contract: { inserted: 1, updated: 0, unchanged: 1 } } }
      )
      assert.deepStrictEqual(
        yield* store.upsert(
          decodeAll([
            ["contract", feb],
            ["contract", mar],
            ["contract", jan]
          ])
        ),
        { inserted: 0, updated: 1, unchanged: 2, byKind: { contract: { inserted: 0, updated: 1, unchanged: 2 } } }
      )
      assert.strictEqual(Option.getOrThrow(yield* store.getContract(7 as ContractId)).contractSumWnds, 300)
    }).pipe(Effect.provide(Stores))
  )

  it.effect("counts each kind apart: duplicates within the batch and stale versions unchanged for their kind", () =>
    Effect.gen(function* () {
      const store = yield* ContractStore
      const batch = decodeAll([
        ["subject", { bin: customer, name_ru: "Акимат" }],
        ["subject", { bin: supplier, name_ru: "ТОО" }],
        // The same BIN again in the batch: folded, the first one left behind.
        ["subject", { bin: customer, name_ru: "Акимат города" }],
        ["ref", { book: "ref_contract_status", id: 190, name_ru: "Действует" }],
        ["lot", { id: 10, amount: 1000 }],
        ["contract", contractRow(1, { last_update_date: "2024-06-01 00:00:00" })],
        // An older version of 1 in the same batch: left behind.
        ["contract", contractRow(1, { contract_sum_wnds: 1, last_update_date: "2024-01-01 00:00:00" })],
        ["contract", contractRow(2, { parent_id: 1, root_id: 1 })],
        ["unit", { id: 5, contract_id: 1, lot_id: 10 }],
        ["unit", { id: 5, contract_id: 1, lot_id: 10 }],
        ["unit", { id: 6, contract_id: 2 }],
        ["payment", { id: 9, contract_id: 1, pay_date: "2024-06-02 10:00:00", pay_amount: 10 }]
      ])
      const first = yield* store.upsert(batch)
      assert.deepStrictEqual(first.byKind, {
        subject: { inserted: 2, updated: 0, unchanged: 1 },
        ref: { inserted: 1, updated: 0, unchanged: 0 },
        lot: { inserted: 1, updated: 0, unchanged: 0 },
        contract: { inserted: 2, updated: 0, unchanged: 1 },
        unit: { inserted: 2, updated: 0, unchanged: 1 },
        payment: { inserted: 1, updated: 0, unchanged: 0 }
      })
      assert.deepStrictEqual([first.inserted, first.updated, first.unchanged], [9, 0, 3])
      // The same records again: every kind unchanged.
      const again = yield* store.upsert(batch)
      assert.deepStrictEqual(again.byKind, {
        subject: { inserted: 0, updated: 0, unchanged: 3 },
        ref: { inserted: 0, updated: 0, unchanged: 1 },
        lot: { inserted: 0, updated: 0, unchanged: 1 },
        contract: { inserted: 0, updated: 0, unchanged: 3 },
        unit: { inserted: 0, updated: 0, unchanged: 3 },
        payment: { inserted: 0, updated: 0, unchanged: 1 }
      })
      assert.deepStrictEqual([again.inserted, again.updated, again.unchanged], [0, 0, 12])
      // Only the kinds given are named.
      const changed = yield* store.upsert(
        decodeAll([
          ["unit", { id: 6, contract_id: 1 }],
          ["lot", { id: 11, amount: 5 }]
        ])
      )
      assert.deepStrictEqual(changed, {
        inserted: 1,
        updated: 1,
        unchanged: 0,
        byKind: { lot: { inserted: 1, updated: 0, unchanged: 0 }, unit: { inserted: 0, updated: 1, unchanged: 0 } }
      })
    }).pipe(Effect.provide(layerMemoryContractStore))
  )

  it.effect("is idempotent and lets the newer last_update_date win", () =>
    Effect.gen(function* () {
      const store = yield* ContractStore
      const first = decodeAll([
        ["contract", contractRow(1)],
        ["contract", contractRow(2, { parent_id: 1, root_id: 1 })]
      ])
      const contracts = (inserted: number, updated: number, unchanged: number) => ({
        inserted,
        updated,
        unchanged,
        byKind: { contract: { inserted, updated, unchanged } }
      })
      assert.deepStrictEqual(yield* store.upsert(first), contracts(2, 0, 0))
      assert.deepStrictEqual(yield* store.upsert(first), contracts(0, 0, 2))
      const older = decodeAll([
        ["contract", contractRow(1, { contract_sum_wnds: 1, last_update_date: "2024-01-01 00:00:00" })]
      ])
      assert.deepStrictEqual(yield* store.upsert(older), contracts(0, 0, 1))
      const newer = decodeAll([
        ["contract", contractRow(1, { contract_sum_wnds: 700, last_update_date: "2024-06-01 00:00:00" })]
      ])
      assert.deepStrictEqual(yield* store.upsert(newer), contracts(0, 1, 0))
      const stored = yield* store.getContract(1 as ContractId)
      assert.strictEqual(Option.getOrThrow(stored).contractSumWnds, 70000)
      const chain = Option.getOrThrow(yield* store.getChain(2 as ContractId))
      assert.deepStrictEqual(
        chain.versions.map((v) => v.id),
        [1, 2]
      )
      assert.strictEqual(chain.rootId, 1)
      const found = yield* store.search({ customerBin: customer, limit: 1 })
      assert.deepStrictEqual(
        found.map((c) => c.id),
        [1]
      )
      const page2 = yield* store.search({ customerBin: customer, afterId: 1 as ContractId, limit: 10 })
      assert.deepStrictEqual(
        page2.map((c) => c.id),
        [2]
      )
    }).pipe(Effect.provide(layerMemoryContractStore))
  )
})

describe("MemoryContractStore chain keys", () => {
  it.effect(
    "a parent line of exactly 10,000 steps takes the root id of the version it ends on, as core and SQL do",
    () =>
      Effect.gen(function* () {
        const store = yield* ContractStore
        // Ids 1 … 10,001: each version's parent is the next; the last names root 99,999 (not in the data).
        yield* store.upsert(
          decodeAll(
            Array.from({ length: 10_001 }, (_, k) => [
              "contract",
              contractRow(k + 1, k < 10_000 ? { parent_id: k + 2 } : { root_id: 99_999 })
            ])
          )
        )
        const chain = Option.getOrThrow(yield* store.getChain(1 as ContractId))
        assert.strictEqual(chain.rootId, 99_999)
        assert.strictEqual(chain.versions.length, 10_001)
      }).pipe(Effect.provide(layerMemoryContractStore))
  )
})

describe("MemoryIndicatorEngine", () => {
  it.effect("runs over the store, replaces findings, and pages them by key", () =>
    Effect.gen(function* () {
      const store = yield* ContractStore
      yield* store.upsert(
        decodeAll([
          ["subject", { bin: customer, kato: "711000000" }],
          ["lot", { id: 10, amount: 1000 }],
          ["lot", { id: 11, amount: 1000 }],
          ["contract", contractRow(1, { contract_sum_wnds: 500 })],
          ["unit", { id: 1, contract_id: 1, lot_id: 10 }],
          ["contract", contractRow(3, { contract_sum_wnds: 600 })],
          ["unit", { id: 2, contract_id: 3, lot_id: 11 }]
        ])
      )
      const engine = yield* IndicatorEngine
      const report = yield* engine.run({})
      assert.strictEqual(report.stats["super-dumping"]?.flagged, 2)
      const findings = yield* FindingStore
      const page1 = yield* findings.query({ indicators: ["super-dumping"], limit: 1 })
      assert.deepStrictEqual(
        page1.findings.map((f) => f.key),
        ["super-dumping:1"]
      )
      assert.strictEqual(page1.nextKey, "super-dumping:1")
      const page2 = yield* findings.query({ indicators: ["super-dumping"], limit: 1, afterKey: page1.nextKey ?? "" })
      assert.deepStrictEqual(
        page2.findings.map((f) => f.key),
        ["super-dumping:3"]
      )
      assert.strictEqual(page2.nextKey, null)
      const counts = yield* findings.counts({})
      assert.deepStrictEqual(counts, [{ indicator: "super-dumping", region: "71", count: 2 }])
      // A stricter threshold on a second run replaces that indicator's findings.
      yield* engine.run({ only: ["super-dumping"], indicators: { "super-dumping": { threshold: 45 } } })
      const after = yield* findings.query({ limit: 100 })
      assert.deepStrictEqual(
        after.findings.map((f) => f.key),
        ["super-dumping:1"]
      )
      const wrongRegion = yield* findings.query({ regions: ["75"], limit: 100 })
      assert.strictEqual(wrongRegion.findings.length, 0)
    }).pipe(Effect.provide(Engine))
  )

  it.effect("a run of `only` evaluates in the registry's order, each once, and names what no run evaluated", () =>
    Effect.gen(function* () {
      const engine = yield* IndicatorEngine
      const registryOrder = IndicatorRegistry.standard.indicators.map((i) => i.code)
      const some = yield* engine.run({ only: ["sum-growth", "super-dumping"] })
      assert.deepStrictEqual(some.indicators, ["super-dumping", "sum-growth"])
      assert.deepStrictEqual(some.neverEvaluated, ["minimal-dumping", "accelerated-payment", "partnership"])
      const reversed = [...registryOrder].reverse()
      const all = yield* engine.run({ only: [...reversed, reversed[0]] })
      assert.deepStrictEqual(all.indicators, registryOrder)
      assert.deepStrictEqual(Object.keys(all.stats), registryOrder)
      assert.deepStrictEqual(all.neverEvaluated, [])
    }).pipe(Effect.provide(Engine))
  )
})

describe("MemoryProcurementSource", () => {
  it.effect("decodes raw records and locates rejections", () =>
    Effect.gen(function* () {
      const source = yield* ProcurementSource
      const items = yield* Stream.runCollect(source.items)
      assert.deepStrictEqual(
        items.map((i) => i._tag),
        ["Accepted", "Rejected"]
      )
      const rejected = items[1]
      assert.strictEqual(
        rejected?._tag === "Rejected" ? rejected.rejection.text : "",
        "fixture:2: contract 7 field contract_sum_wnds = -5: amount must not be negative, got -5"
      )
    }).pipe(
      Effect.provide(
        layerMemoryProcurementSource(
          [
            { kind: "contract", raw: contractRow(6) },
            { kind: "contract", raw: contractRow(7, { contract_sum_wnds: -5 }) }
          ],
          "fixture"
        )
      )
    )
  )
})

describe("in-memory stores check queries as the SQL stores do", () => {
  it.effect("a bad bound, limit or BIN is a typed store error, never a defect", () =>
    Effect.gen(function* () {
      const findings = yield* FindingStore
      const badBound = yield* Effect.flip(findings.query({ limit: 10, measure: { name: "reduction_pct", min: "50%" } }))
      assert.strictEqual(badBound._tag, "FindingStoreError")
      assert.include(badBound.message, "invalid query")
      assert.strictEqual((yield* Effect.flip(findings.query({ limit: 0 })))._tag, "FindingStoreError")
      assert.strictEqual((yield* Effect.flip(findings.counts({ customerBin: "123" as Bin })))._tag, "FindingStoreError")
      const contracts = yield* ContractStore
      for (const query of [{ limit: 0 }, { limit: 5000 }, { limit: 10, customerBin: "123" as Bin }]) {
        const error = yield* Effect.flip(contracts.search(query))
        assert.strictEqual(error._tag, "ContractStoreError")
        assert.include(error.message, "invalid query")
      }
    }).pipe(Effect.provide(Layer.mergeAll(layerMemoryFindingStore, layerMemoryContractStore)))
  )
})
