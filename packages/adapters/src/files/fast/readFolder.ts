import { stat } from "node:fs/promises"
import { availableParallelism } from "node:os"
import {
  type AnalysisReport,
  analyzeFeed,
  type DatasetSizeHint,
  type FeedOptions,
  type FeedTarget,
  type ParamsError,
  ProcurementSourceError,
  type RecordKind,
  type SourceItem
} from "@adalqarau/core"
import { Effect } from "effect"
import { decodeJsonlLine, invalidTextRejection, longLineRejection } from "../decodeJsonlLine.ts"
import { fsProblem } from "../fsProblem.ts"
import { jsonlFolderFiles } from "../JsonlFolderSource.ts"
import { rowApplier } from "./applyRows.ts"
import { inProcessRunner, type RangeRunner, workerRunner } from "./pool.ts"
import { RangeReadError } from "./protocol.ts"
import { EVENT_INVALID_UTF8, EVENT_TEXT, eventText, type RangeResult, type RangeTask } from "./readRange.ts"

export interface FastReadOptions {
  /** Reader threads; 0 reads on the calling thread. Default: the cores available, at most 4. */
  readonly threads?: number
  /** Bytes per range handed to a thread (default 8 MiB). */
  readonly rangeBytes?: number
  /** Inputs smaller than this are read on the calling thread whatever `threads` says (default 32 MiB). */
  readonly threadsFrom?: number
  /** Longer lines are rejected unread (default 256 MiB), as by `jsonlFolderItems`. */
  readonly maxLineBytes?: number
  /**
   * Read lines with the C++ scanner where it is built (default true): the same records, a few times faster
   * (`nativeScannerAbsence` says why it is not used).
   */
  readonly nativeScanner?: boolean
}

const DEFAULT_RANGE = 8 << 20
const DEFAULT_THREADS_FROM = 32 << 20
const DEFAULT_MAX_LINE_BYTES = 256 << 20

/**
 * Typical bytes per line of each kind file in OWS exports (as the generator writes them), for a first size of the
 * dataset's columns: an estimate, to save regrowth, not a limit.
 */
const BYTES_PER_LINE = { contract: 1200, unit: 140, lot: 190, payment: 140 } as const

const sizeHintOf = (bytes: Partial<Record<RecordKind, number>>): DatasetSizeHint => ({
  contracts: Math.ceil((bytes.contract ?? 0) / BYTES_PER_LINE.contract),
  units: Math.ceil((bytes.unit ?? 0) / BYTES_PER_LINE.unit),
  lots: Math.ceil((bytes.lot ?? 0) / BYTES_PER_LINE.lot),
  payments: Math.ceil((bytes.payment ?? 0) / BYTES_PER_LINE.payment)
})

const readError = (source: string, cause: unknown) =>
  new ProcurementSourceError({ source, message: `cannot read file ${source}: ${fsProblem(cause)}`, cause })

/**
 * Reads a folder of OWS-shaped JSONL files straight into the dataset builder of a `FeedTarget` — the fast path of
 * `jsonlFolderItems` + `analyzeStream`, with the same records, rejections (file, line, field, reason) and
 * counts. Files are cut into ranges read in parallel by worker threads; lines whose values all have the common
 * shapes become rows without JSON.parse or a record object, every other line goes through the general decoder.
 * Results are applied in file order, so duplicates resolve exactly as in a sequential read.
 */
export const readJsonlFolderInto = (
  dir: string,
  target: FeedTarget,
  options: FastReadOptions = {}
): Effect.Effect<void, ProcurementSourceError> =>
  Effect.gen(function* () {
    const files = yield* jsonlFolderFiles(dir)
    const rangeBytes = options.rangeBytes ?? DEFAULT_RANGE
    const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
    const tasks: Array<RangeTask> = []
    const bytesOf: Partial<Record<RecordKind, number>> = {}
    let total = 0
    for (const file of files) {
      const size = yield* Effect.tryPromise({
        try: () => stat(file.path).then((s) => s.size),
        catch: (cause) => readError(file.path, cause)
      })
      total += size
      bytesOf[file.kind] = size
      for (let start = 0; start < size; start += rangeBytes) {
        tasks.push({
          id: tasks.length,
          kind: file.kind,
          path: file.path,
          start,
          end: Math.min(size, start + rangeBytes),
          maxLineBytes
        })
      }
    }
    target.builder.reserve(sizeHintOf(bytesOf))
    const useNative = options.nativeScanner ?? true
    const threads =
      total < (options.threadsFrom ?? DEFAULT_THREADS_FROM)
        ? 0
        : (options.threads ?? Math.max(1, Math.min(4, availableParallelism())))
    yield* Effect.acquireUseRelease(
      Effect.sync((): RangeRunner => (threads === 0 ? inProcessRunner(useNative) : workerRunner(threads, useNative))),
      (runner) => applyAll(runner, tasks, target),
      (runner) => Effect.promise(() => runner.close())
    )
  })

const applyAll = (
  runner: RangeRunner,
  tasks: ReadonlyArray<RangeTask>,
  target: FeedTarget
): Effect.Effect<void, ProcurementSourceError> =>
  Effect.gen(function* () {
    const apply = rowApplier(target.builder)
    const results = runner.results(tasks)
    let lineOffset = 0
    let itemsRead = 0
    for (let t = 0; t < tasks.length; t++) {
      const task = tasks[t] as RangeTask
      const next = yield* Effect.tryPromise({
        try: () => results.next(),
        catch: (cause) => readError(cause instanceof RangeReadError ? cause.path : task.path, cause)
      })
      if (next.done === true) return
      const result: RangeResult = next.value
      if (t === 0 || (tasks[t - 1] as RangeTask).path !== task.path) lineOffset = 0
      itemsRead += yield* applyResult(task, result, lineOffset, target, apply)
      runner.recycle(result.rows.buffer as ArrayBuffer)
      lineOffset += result.lines
      yield* target.progress(itemsRead)
    }
  })

/** Applies one range in order: rows, and between them the lines the general decoder reads. */
const applyResult = (
  task: RangeTask,
  result: RangeResult,
  lineOffset: number,
  target: FeedTarget,
  apply: ReturnType<typeof rowApplier>
): Effect.Effect<number> =>
  Effect.gen(function* () {
    let row = 0
    let items = result.rowCount
    const events = result.events
    if (events.count > 0) {
      const decode = decodeJsonlLine(task.kind, task.path)
      const tooLong = longLineRejection(task.kind, task.path, task.maxLineBytes)
      const notUtf8 = invalidTextRejection(task.kind, task.path)
      const out: Array<SourceItem> = []
      for (let i = 0; i < events.count; i++) {
        const at = events.at[i] as number
        const line = lineOffset + (events.line[i] as number)
        apply(task.kind, result.rows, row, at)
        row = at
        out.length = 0
        const kind = events.kind[i]
        if (kind === EVENT_INVALID_UTF8) notUtf8(eventText(events, i), line, out)
        else if (kind === EVENT_TEXT) decode(eventText(events, i), line, out)
        else tooLong(events.tooLong[i] as number, line, out)
        for (const item of out) {
          items++
          if (item._tag === "Accepted") {
            target.builder.add(item.record)
            target.accepted(item.record.kind, 1)
          } else yield* target.rejected(item.rejection)
        }
      }
    }
    apply(task.kind, result.rows, row, result.rowCount)
    target.accepted(task.kind, result.rowCount)
    return items
  })

/** `analyzeStream(jsonlFolderItems(dir), options)`, read by the fast path: the same report. */
export const analyzeJsonlFolder = (
  dir: string,
  options: FeedOptions & FastReadOptions = {}
): Effect.Effect<AnalysisReport, ProcurementSourceError | ParamsError> =>
  analyzeFeed((target) => readJsonlFolderInto(dir, target, options), options)
