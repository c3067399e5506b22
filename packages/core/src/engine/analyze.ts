import { Effect, Stream } from "effect"
import type { ProcurementRecord } from "../domain/Contract.ts"
import { DatasetBuilder } from "../indicators/Dataset.ts"
import {
  evaluateIndicators,
  type EvaluationResult,
  IndicatorRegistry,
  type ParamsError
} from "../indicators/Registry.ts"
import type { RecordRejection } from "../sources/ows/RecordRejection.ts"
import type { SourceItem } from "../sources/SourceItem.ts"
import { InputTally, type KindCounts } from "./InputTally.ts"

export interface AnalysisReport extends EvaluationResult {
  readonly input: {
    readonly total: KindCounts
    readonly byKind: Readonly<Record<string, KindCounts>>
  }
}

export interface AnalyzeOptions {
  readonly registry?: IndicatorRegistry
  /** params.json content (see `AnalysisParamsInput`); defaults when absent. */
  readonly params?: unknown
  /** Receives each rejected record as it is met (to print or store it); the run goes on. */
  readonly onRejected?: (rejection: RecordRejection) => Effect.Effect<void>
  /** Called every `progressEvery` items with the count so far. */
  readonly onProgress?: (itemsRead: number) => Effect.Effect<void>
  readonly progressEvery?: number
}

/** Runs every indicator over in-memory records (already decoded). Pure and synchronous: the embedding entry point. */
export const analyzeRecords = (
  records: Iterable<ProcurementRecord>,
  options: Pick<AnalyzeOptions, "registry" | "params"> = {}
): Effect.Effect<EvaluationResult, ParamsError> =>
  Effect.gen(function* () {
    const resolved = yield* (options.registry ?? IndicatorRegistry.standard).resolve(options.params ?? {})
    const builder = new DatasetBuilder()
    for (const record of records) builder.add(record)
    return evaluateIndicators(builder.build(), resolved)
  })

/**
 * Streams source items into the compact dataset (holding only what the indicators need), then evaluates.
 * Rejected items go to `onRejected` and are counted; they never stop the run.
 */
export const analyzeStream = <E, R>(
  items: Stream.Stream<SourceItem, E, R>,
  options: AnalyzeOptions = {}
): Effect.Effect<AnalysisReport, E | ParamsError, R> =>
  Effect.gen(function* () {
    // Parameters are checked before reading anything: a typo in params.json should not cost a full read.
    const resolved = yield* (options.registry ?? IndicatorRegistry.standard).resolve(options.params ?? {})
    const builder = new DatasetBuilder()
    const tally = new InputTally()
    const every = options.progressEvery ?? 100_000
    let seen = 0
    yield* Stream.runForEachArray(items, (chunk) =>
      Effect.gen(function* () {
        for (const item of chunk) {
          tally.count(item)
          if (item._tag === "Accepted") builder.add(item.record)
          else if (options.onRejected !== undefined) yield* options.onRejected(item.rejection)
          seen++
          if (options.onProgress !== undefined && seen % every === 0) yield* options.onProgress(seen)
        }
      })
    )
    const result = evaluateIndicators(builder.build(), resolved)
    return { ...result, input: { total: tally.total(), byKind: tally.byKind() as Record<string, KindCounts> } }
  })
