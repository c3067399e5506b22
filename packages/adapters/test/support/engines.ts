/**
 * Helpers of the storage tests: generated and hand-made datasets as source items, the reference result of core's
 * in-memory engine, and the complete contents of a FindingStore.
 */
import {
  type Finding,
  FindingStore,
  IndicatorEngine,
  type IndicatorStats,
  type ProcurementRecord,
  type RecordKind,
  type SourceItem
} from "@adalqarau/core"
import {
  generateDataset,
  layerMemoryContractStore,
  layerMemoryFindingStore,
  layerMemoryIndicatorEngine,
  memorySourceItems
} from "@adalqarau/core/testing"
import { ContractStore } from "@adalqarau/core"
import { Effect, Layer, Stream } from "effect"

export interface RawRecord {
  readonly kind: RecordKind
  readonly raw: unknown
}

/** The raw OWS records of a generated dataset (labels left out), in the generator's order. */
export const generatedRecords = (contracts: number, seed: number): ReadonlyArray<RawRecord> => {
  const out: Array<RawRecord> = []
  for (const item of generateDataset({ contracts, seed })) if (item.kind !== "label") out.push(item)
  return out
}

/** Decodes raw records as a ProcurementSource would (rejections included, located in "memory"). */
export const sourceItems = (
  records: ReadonlyArray<RawRecord>,
  description = "memory"
): Effect.Effect<ReadonlyArray<SourceItem>> =>
  Effect.map(Stream.runCollect(memorySourceItems(records, description)), (chunk) => [...chunk])

export const acceptedRecords = (items: ReadonlyArray<SourceItem>): ReadonlyArray<ProcurementRecord> =>
  items.flatMap((item) => (item._tag === "Accepted" ? [item.record] : []))

/** Every finding a store holds, read page by page in key order. */
export const allFindings = (pageSize = 997) =>
  Effect.gen(function* () {
    const store = yield* FindingStore
    const out: Array<Finding> = []
    let afterKey: string | undefined
    for (;;) {
      const page = yield* store.query({ limit: pageSize, ...(afterKey === undefined ? {} : { afterKey }) })
      out.push(...page.findings)
      if (page.nextKey === null) return out
      afterKey = page.nextKey
    }
  })

export interface EngineResult {
  readonly findings: ReadonlyArray<Finding>
  readonly stats: Readonly<Record<string, IndicatorStats>>
}

const memoryStack = layerMemoryIndicatorEngine().pipe(
  Layer.provideMerge(Layer.mergeAll(layerMemoryContractStore, layerMemoryFindingStore))
)

/**
 * The reference: core's in-memory store and engine over the same records (upserted in the same batches, so
 * duplicates resolve identically), findings read back from the in-memory FindingStore.
 */
export const memoryResult = (batches: ReadonlyArray<ReadonlyArray<ProcurementRecord>>, params?: unknown) =>
  Effect.gen(function* () {
    const store = yield* ContractStore
    for (const batch of batches) yield* store.upsert(batch)
    const engine = yield* IndicatorEngine
    const report = yield* engine.run(params)
    const findings = yield* allFindings()
    return { findings, stats: report.stats } satisfies EngineResult
  }).pipe(Effect.provide(memoryStack))

/** Splits into batches of `size`, as the importer groups its stream. */
export const batchesOf = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** Findings ordered by key, for comparisons. */
export const byKey = (findings: ReadonlyArray<Finding>): ReadonlyArray<Finding> =>
  [...findings].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
