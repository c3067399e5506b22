import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import * as fc from "fast-check"
import {
  accepted,
  analyzeRecords,
  analyzeStream,
  decodeRecord,
  type ProcurementRecord,
  rejected,
  type SourceItem
} from "../src/index.ts"
import {
  compareWithGroundTruth,
  formatGroundTruthReport,
  type GeneratedItem,
  type GeneratedRecord,
  type GroundTruthLabel,
  generateDataset,
  generateStream,
  isLabel,
  planDataset,
  withoutLabels
} from "../src/testing/generator/index.ts"

describe("generator: streaming", () => {
  it("starts at once even for 15 million contracts (nothing is prepared up front)", () => {
    const started = performance.now()
    let items = 0
    for (const _ of generateDataset({ contracts: 15_000_000, seed: 1 })) {
      if (++items === 5_000) break
    }
    assert.strictEqual(items, 5_000)
    assert.isBelow(performance.now() - started, 2_000)
  })

  it("streams 300k contracts in bounded memory, counting without collecting", () => {
    const options = { contracts: 300_000, seed: 11 }
    const heapBefore = process.memoryUsage().heapUsed
    let contracts = 0
    let labels = 0
    let items = 0
    const roots = new Set<number>()
    let peakHeap = heapBefore
    for (const item of generateDataset(options)) {
      items++
      if (item.kind === "contract") {
        contracts++
        if (item.raw.parent_id === null) roots.add(Number(item.raw.id))
      } else if (item.kind === "label") labels++
      if (items % 200_000 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)
    }
    const plan = planDataset(options)
    assert.strictEqual(labels, plan.labels)
    assert.strictEqual(roots.size, options.contracts - plan.caseInstances)
    assert.isAbove(contracts, options.contracts)
    // The records themselves would take gigabytes; the generator's own state is a few megabytes. The bound is loose
    // because the collector runs when it likes (and the root-id set above is the test's, not the generator's).
    assert.isBelow((peakHeap - heapBefore) / 1e6, 400, `heap grew by ${Math.round((peakHeap - heapBefore) / 1e6)} MB`)
  })

  it.effect("is an Effect stream, pulled lazily", () =>
    Effect.gen(function* () {
      const first = yield* Stream.runCollect(generateStream({ contracts: 15_000_000, seed: 2 }).pipe(Stream.take(100)))
      assert.strictEqual(first.length, 100)
      assert.strictEqual(first[0]?.kind, "ref")
    })
  )
})

describe("generator: as a source", () => {
  it.effect("analyzeStream over generateStream finds exactly the planted flags", () =>
    Effect.gen(function* () {
      const options = { contracts: 5_000, seed: 77 }
      const labels = [...generateDataset(options)].filter(isLabel).map((i) => i.label)
      const source = generateStream(options).pipe(
        Stream.filter((item: GeneratedItem): item is GeneratedRecord => item.kind !== "label"),
        Stream.map((item): SourceItem => {
          const decoded = decodeRecord(item.kind, item.raw)
          return decoded.ok ? accepted(decoded.value) : rejected(decoded.rejection)
        })
      )
      const report = yield* analyzeStream(source)
      assert.strictEqual(report.input.total.rejected, 0)
      const truth = compareWithGroundTruth(labels, report.findings)
      assert.isTrue(truth.ok, formatGroundTruthReport(truth))
    })
  )

  it("withoutLabels keeps every record and drops every label", () => {
    const items = [...generateDataset({ contracts: 300, seed: 4 })]
    const records = [...withoutLabels(items)]
    assert.strictEqual(records.length, items.filter((i) => !isLabel(i)).length)
    assert.isTrue(records.every((r) => r.kind !== ("label" as string)))
  })
})

describe("generator: property", () => {
  it("for any seed and size, the engine finds exactly the planted flags", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -2_147_483_648, max: 2_147_483_647 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.constantFrom(0, 0.01, 0.2, 1),
        fc.integer({ min: 2015, max: 2026 }),
        (seed, contracts, plantedShare, startYear) => {
          const records: Array<ProcurementRecord> = []
          const labels: Array<GroundTruthLabel> = []
          for (const item of generateDataset({ contracts, seed, plantedShare, startYear })) {
            if (item.kind === "label") labels.push(item.label)
            else {
              const decoded = decodeRecord(item.kind, item.raw)
              if (!decoded.ok) throw new Error(decoded.rejection.text)
              records.push(decoded.value)
            }
          }
          const result = Effect.runSync(analyzeRecords(records))
          const report = compareWithGroundTruth(labels, result.findings)
          if (!report.ok) throw new Error(formatGroundTruthReport(report))
        }
      ),
      { numRuns: 16, seed: 20_261_124 }
    )
  })
})
