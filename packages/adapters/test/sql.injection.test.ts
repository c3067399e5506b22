/**
 * SQL-injection payloads in every text filter of FindingStore.query / counts and ContractStore.search: the only
 * error allowed is a validation error, the rows returned are exactly those the in-memory stores return for the
 * same input, and every table is intact afterwards.
 */
import {
  ContractStore,
  type ContractStoreError,
  FindingStore,
  type FindingStoreError,
  IndicatorEngine
} from "@adalqarau/core"
import { layerMemoryContractStore, layerMemoryFindingStore } from "@adalqarau/core/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Stream } from "effect"
import { SqlClient } from "effect/sql"
import { layerStorage } from "../src/postgres/Database.ts"
import { SqlImporter } from "../src/postgres/PgImporter.ts"
import { backends } from "./support/databases.ts"
import { edgeCaseRecords } from "./support/edgeCases.ts"
import { acceptedRecords, allFindings, sourceItems } from "./support/engines.ts"

const PAYLOADS = [
  "'; DROP TABLE contract; --",
  "' OR '1'='1",
  "') OR 1=1 --",
  "1; DELETE FROM finding",
  "\\",
  "\\'; SELECT pg_sleep(10); --",
  "$$; DROP TABLE finding; $$",
  '" OR ""="',
  "%_%",
  "super-dumping' --",
  "Ünïcødé ☃ 𝔘 ‮",
  "null",
  "\u0000'; DROP TABLE lot; --",
  "a".repeat(5_000)
]

/** Loosely typed inputs, as an HTTP or RPC caller could send them. */
const findingQueries = (p: string): ReadonlyArray<Record<string, unknown>> => [
  { limit: 50, indicators: [p] },
  { limit: 50, indicators: ["super-dumping", p] },
  { limit: 50, afterKey: p },
  { limit: 50, regions: [p] },
  { limit: 50, customerBin: p },
  { limit: 50, supplierBin: p },
  { limit: 50, measure: { name: p, min: "0" } },
  { limit: 50, measure: { name: "reduction_pct", min: p } },
  { limit: 50, measure: { name: "reduction_pct", max: p } }
]

const contractQueries = (p: string): ReadonlyArray<Record<string, unknown>> => [
  { limit: 50, number: p },
  { limit: 50, customerBin: p },
  { limit: 50, supplierBin: p },
  { limit: 50, regions: [p] }
]

const TABLES = ["contract", "contract_unit", "lot", "treasury_payment", "subject", "finding", "chain_fact"] as const

const rowCounts = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const out: Record<string, number> = {}
  for (const table of TABLES) {
    const rows = yield* sql<{ n: unknown }>`SELECT count(*)::int AS n FROM ${sql(table)}`
    out[table] = Number(rows[0]?.n)
  }
  return out
})

/** Runs a store call: either its result, or the message of an error that must be a validation error. */
const outcome = <A>(effect: Effect.Effect<A, FindingStoreError | ContractStoreError>) =>
  Effect.map(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) return { ok: true as const, value: exit.value }
    const error = exit.cause.reasons.find((r) => r._tag === "Fail")
    return { ok: false as const, message: error?._tag === "Fail" ? error.error.message : String(exit.cause) }
  })

for (const backend of backends()) {
  describe(`injection payloads in text filters (${backend.name})`, () => {
    it.live("every filter of FindingStore and ContractStore.search", () =>
      Effect.gen(function* () {
        const items = yield* sourceItems(edgeCaseRecords())
        const importer = yield* SqlImporter
        yield* importer.importSource(Stream.fromIterable(items))
        const engine = yield* IndicatorEngine
        yield* engine.run()
        const findings = yield* FindingStore
        const contracts = yield* ContractStore
        const stored = yield* allFindings()
        const before = yield* rowCounts

        // The references: core's in-memory stores holding the same findings and records.
        const memoryFindings = yield* Effect.provide(
          Effect.gen(function* () {
            const m = yield* FindingStore
            yield* m.replace([...new Set(stored.map((f) => f.indicator))], stored)
            return m
          }),
          layerMemoryFindingStore
        )
        const memoryContracts = yield* Effect.provide(
          Effect.gen(function* () {
            const m = yield* ContractStore
            yield* m.upsert(acceptedRecords(items))
            return m
          }),
          layerMemoryContractStore
        )

        let validationErrors = 0
        for (const payload of PAYLOADS) {
          for (const input of findingQueries(payload)) {
            const got = yield* outcome(findings.query(input as never))
            if (got.ok) {
              const wanted = yield* memoryFindings.query(input as never)
              assert.deepStrictEqual(got.value, wanted, JSON.stringify(input))
            } else {
              validationErrors++
              assert.match(got.message, /^invalid query: /u, JSON.stringify(input))
            }
            const { limit: _limit, afterKey: _afterKey, ...filter } = input
            const counted = yield* outcome(findings.counts(filter as never))
            if (counted.ok) assert.deepStrictEqual(counted.value, yield* memoryFindings.counts(filter as never))
            else assert.match(counted.message, /^invalid counts: /u, JSON.stringify(filter))
          }
          for (const input of contractQueries(payload)) {
            const got = yield* outcome(contracts.search(input as never))
            if (got.ok)
              assert.deepStrictEqual(got.value, yield* memoryContracts.search(input as never), JSON.stringify(input))
            else {
              validationErrors++
              assert.match(got.message, /^invalid query: /u, JSON.stringify(input))
            }
          }
        }
        assert.isAbove(validationErrors, 0)

        // Legitimate filters, including measure ranges, select what the in-memory store selects.
        const some = stored[0]
        for (const input of [
          { limit: 3 },
          { limit: 100, regions: [null] },
          { limit: 100, regions: ["71", null] },
          { limit: 100, indicators: ["partnership", "sum-growth"] },
          { limit: 100, customerBin: some?.customerBin, supplierBin: some?.supplierBin },
          { limit: 100, dateFrom: Date.UTC(2023, 4, 10), dateTo: Date.UTC(2024, 0, 1) },
          { limit: 100, measure: { name: "reduction_pct", min: "30.001" } },
          { limit: 100, measure: { name: "reduction_pct", min: "0", max: "1" } },
          { limit: 100, measure: { name: "days", max: "-1" } },
          { limit: 100, measure: { name: "fakt_growth_pct", max: "-5.5" } },
          { limit: 100, measure: { name: "contract_created", min: "0" } },
          { limit: 100, measure: { name: "supplier_share" } }
        ]) {
          assert.deepStrictEqual(yield* findings.query(input as never), yield* memoryFindings.query(input as never))
          const { limit: _limit, ...filter } = input
          assert.deepStrictEqual(yield* findings.counts(filter as never), yield* memoryFindings.counts(filter as never))
        }
        assert.deepStrictEqual(yield* rowCounts, before)
        assert.deepStrictEqual(yield* allFindings(), stored)
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )
  })
}
