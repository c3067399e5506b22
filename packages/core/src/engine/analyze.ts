import { Effect, Stream } from "effect"
import type { ProcurementRecord, RecordKind } from "../domain/Contract.ts"
import { DatasetBuilder, type DatasetSizeHint } from "../indicators/Dataset.ts"
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

/**
 * `progressEvery` as a count: 0, NaN or Infinity never called `onProgress`, and a fraction or a negative called it
 * at every item. A wrong value is a bug in the caller, raised as a defect that says which.
 */
const progressEveryOf = (options: AnalyzeOptions): Effect.Effect<number> => {
  const every = options.progressEvery ?? 100_000
  return Number.isSafeInteger(every) && every >= 1
    ? Effect.succeed(every)
    : Effect.die(new RangeError(`progressEvery must be a whole number of items, at least 1; got ${every}`))
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
    const every = yield* progressEveryOf(options)
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

/**
 * What a source that decodes straight into the dataset's columns (no record object per line) is given: the
 * builder, and the counting, rejection and progress hooks `analyzeStream` applies to source items.
 */
export interface FeedTarget {
  readonly builder: DatasetBuilder
  /** Counts `count` records of a kind accepted into the builder. */
  readonly accepted: (kind: RecordKind, count: number) => void
  /** Counts a rejected record and hands it to `onRejected`. */
  readonly rejected: (rejection: RecordRejection) => Effect.Effect<void>
  /** The number of records read so far; `onProgress` hears of every `progressEvery` passed. */
  readonly progress: (itemsRead: number) => Effect.Effect<void>
}

export interface FeedOptions extends AnalyzeOptions {
  /** Sizes the source expects, so the dataset's columns start big enough. */
  readonly sizeHint?: DatasetSizeHint
}

/**
 * `analyzeStream` for sources that fill the dataset themselves (the JSONL fast path): parameters are checked
 * first, `feed` fills the builder through the target, then every indicator is evaluated. Same report, same rules.
 */
export const analyzeFeed = <E, R>(
  feed: (target: FeedTarget) => Effect.Effect<void, E, R>,
  options: FeedOptions = {}
): Effect.Effect<AnalysisReport, E | ParamsError, R> =>
  Effect.gen(function* () {
    const resolved = yield* (options.registry ?? IndicatorRegistry.standard).resolve(options.params ?? {})
    const builder = new DatasetBuilder(options.sizeHint)
    const tally = new InputTally()
    const every = yield* progressEveryOf(options)
    let reported = 0
    const noop = Effect.void
    yield* feed({
      builder,
      accepted: (kind, count) => tally.add(kind, count, 0),
      rejected: (rejection) => {
        tally.add(rejection.kind, 0, 1)
        return options.onRejected === undefined ? noop : options.onRejected(rejection)
      },
      progress: (itemsRead) => {
        if (options.onProgress === undefined || Math.floor(itemsRead / every) <= Math.floor(reported / every)) {
          return noop
        }
        reported = itemsRead
        return options.onProgress(itemsRead)
      }
    })
    const result = evaluateIndicators(builder.build(), resolved)
    return { ...result, input: { total: tally.total(), byKind: tally.byKind() as Record<string, KindCounts> } }
  })
