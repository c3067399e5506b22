import { jsonlFolderListing, type UnreadFile } from "@adalqarau/adapters/files"
import { type BatchReport, importFolder, SqlIndicatorEngine } from "@adalqarau/adapters/postgres"
import { Console, Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { type CliFailure, runFailure, usageFailure } from "./CliFailure.ts"
import { describeDatabase, withDatabase } from "./database.ts"
import { importBalanced, renderImportCounts } from "./importSummary.ts"
import { formatCount, formatDuration, perSecond } from "./output.ts"
import { checkOutputPaths, folderInputs } from "./outputPaths.ts"
import { makeProgress, type ProgressSink, stderrSink } from "./progress.ts"
import { makeRejectReport, PRINTED_REJECTIONS } from "./rejectReport.ts"
import { eachStoredRejection } from "./storedRejects.ts"
import { unreadNote } from "./unreadNote.ts"

export interface ImportCommandOptions {
  readonly dir: string
  readonly batchSize: number
  readonly refresh: boolean
  /** Write every rejected record of this import to this file (JSON lines, as analyze's --rejects). */
  readonly rejects?: string
  readonly json: boolean
}

/**
 * Imports an OWS JSONL folder into the database in set-based, idempotent batches (bad records quarantined with
 * their reason), then refreshes the indicators for what changed. The folder and the --rejects path are checked
 * before the database is opened; the rejections are read back from the database once the import has committed
 * them, the first 20 printed as analyze prints them, all of them written to --rejects.
 */
export const runImport = (
  options: ImportCommandOptions,
  stderr: ProgressSink = stderrSink
): Effect.Effect<void, CliFailure> =>
  Effect.gen(function* () {
    const print = (line: string) => Effect.sync(() => stderr.write(`${line}\n`))
    if (options.rejects !== undefined) {
      yield* checkOutputPaths(folderInputs(options.dir), [{ flag: "--rejects", path: options.rejects }])
    }
    const listing = yield* jsonlFolderListing(options.dir).pipe(Effect.mapError((e) => runFailure(e.message)))
    const note = unreadNote(listing.unread)
    if (note !== undefined) yield* print(note)
    yield* importListed(options, stderr, print, listing.unread)
  })

const importListed = (
  options: ImportCommandOptions,
  stderr: ProgressSink,
  print: (line: string) => Effect.Effect<void>,
  unreadFiles: ReadonlyArray<UnreadFile>
): Effect.Effect<void, CliFailure> =>
  withDatabase(
    Effect.scoped(
      Effect.gen(function* () {
        if (options.batchSize < 1) return yield* usageFailure("--batch-size must be at least 1")
        const where = yield* describeDatabase
        // Opened before the load, so that an unwritable path fails before anything is imported.
        const rejects = yield* makeRejectReport(print, options.rejects)
        const started = performance.now()
        // Records read so far, shown as each batch commits (a 15M load takes a quarter of an hour).
        const progress = makeProgress(`importing ${options.dir}`, stderr)
        let read = 0
        let shownAt = 0
        // The batches committed so far: they stay imported when a later one fails.
        let committed: { readonly importId: number; readonly batches: number; readonly rejected: number } | undefined
        const onBatch = (batch: BatchReport) =>
          Effect.suspend(() => {
            read += batch.read
            committed = {
              importId: batch.importId,
              batches: (committed?.batches ?? 0) + 1,
              rejected: (committed?.rejected ?? 0) + batch.rejected
            }
            if (read - shownAt < progress.every) return Effect.void
            shownAt = read
            return progress.update(read)
          })
        // The first 20 only, unless they all go to a file: a bad import can keep millions.
        const reportRejections = (importId: number, total: number) =>
          Effect.gen(function* () {
            yield* eachStoredRejection(
              importId,
              options.rejects === undefined ? PRINTED_REJECTIONS : Number.POSITIVE_INFINITY,
              rejects.onRejected
            )
            yield* rejects.finish(total)
          })
        const report = yield* importFolder(options.dir, { batchSize: options.batchSize, onBatch }).pipe(
          Effect.ensuring(progress.finish),
          // Ctrl-C or SIGTERM: the operator needs to know what stayed. The batch being written rolls back; a batch
          // that committed in the instant before the signal may not be counted yet, hence "at least".
          Effect.onInterrupt(() =>
            print(
              committed === undefined
                ? "adalqarau: import interrupted before any batch was reported committed (one committing at that instant " +
                    "stays imported); importing the folder again finishes the job"
                : `adalqarau: import interrupted: at least ${formatCount(committed.batches)} committed ` +
                    `${committed.batches === 1 ? "batch stays" : "batches stay"} imported (${formatCount(read)} ` +
                    `records, ${formatCount(committed.rejected)} rejected; import ${committed.importId}); the batch ` +
                    "being written was rolled back. Importing the folder again finishes the job (it is idempotent)."
            )
          ),
          Effect.catch((e) =>
            Effect.gen(function* () {
              if (committed === undefined) return yield* runFailure(e.message)
              const { importId, batches, rejected } = committed
              yield* reportRejections(importId, rejected)
              return yield* runFailure(
                `${e.message}\n${formatCount(batches)} ${batches === 1 ? "batch" : "batches"} committed before ` +
                  `the failure ${batches === 1 ? "stays" : "stay"} imported ` +
                  `(${formatCount(read)} records, ${formatCount(rejected)} rejected` +
                  (rejected === 0
                    ? ")"
                    : `: adalqarau rejects --import ${importId}` +
                      (options.rejects === undefined ? ")" : `; all written to ${options.rejects})`))
              )
            })
          )
        )
        const importMs = performance.now() - started
        const t = report.total
        yield* reportRejections(report.importId, t.rejected)
        const engine = yield* SqlIndicatorEngine
        const run = options.refresh
          ? yield* engine.refresh().pipe(
              Effect.mapError((e) => runFailure(`indicator refresh failed: ${e.message}`)),
              Effect.onInterrupt(() =>
                print(
                  `adalqarau: interrupted during the indicator refresh: import ${report.importId} is complete, ` +
                    "its findings not yet refreshed; the next refresh (after an import, or a run started through " +
                    "the server) takes its changes in"
                )
              )
            )
          : undefined
        if (options.json) {
          const summary = {
            database: where,
            import: { ...report, balanced: importBalanced(report) },
            importMs,
            refresh: run ?? null,
            rejects: options.rejects ?? null,
            unreadFiles
          }
          yield* Console.log(JSON.stringify(summary, null, 2))
          return
        }
        yield* Console.log(
          `Imported ${options.dir} into ${where}: ${formatCount(t.read)} records in ` +
            `${formatCount(report.batches.length)} ${report.batches.length === 1 ? "batch" : "batches"}, ` +
            `${formatDuration(importMs)} (${formatCount(perSecond(t.read, importMs))} records/s)`
        )
        yield* Console.log(renderImportCounts(report))
        if (t.rejected > 0) {
          yield* Console.log(
            `${formatCount(t.rejected)} rejected records are kept with their reasons: ` +
              `adalqarau rejects --import ${report.importId}` +
              (options.rejects === undefined ? "" : ` (all written to ${options.rejects})`)
          )
        }
        if (run !== undefined) {
          yield* Console.log(
            `Indicators ${run.mode === "refresh" ? "refreshed" : "computed"}: ${formatCount(run.findings)} findings in ` +
              formatDuration(run.finishedAt - run.startedAt)
          )
          if (run.neverEvaluated.length > 0)
            yield* Console.log(
              `Not refreshed, as no run has evaluated them yet: ${run.neverEvaluated.join(", ")} (a run that ` +
                "evaluates them, started through the server, chooses their parameters; refreshes keep them current " +
                "from then on)"
            )
        }
      })
    )
  )

export const importCommand = Command.make(
  "import",
  {
    dir: Argument.String("dir").pipe(Argument.withDescription("Folder of OWS JSONL files (as `generate` writes)")),
    batchSize: Flag.Int("batch-size").pipe(
      Flag.withDescription("Records per batch; each batch is one transaction"),
      Flag.withDefault(5000)
    ),
    noRefresh: Flag.Boolean("no-refresh").pipe(
      Flag.withDescription("Do not refresh the indicators after the import"),
      Flag.withDefault(false)
    ),
    rejects: Flag.String("rejects").pipe(
      Flag.withDescription("Write every record this import rejected to this file (JSON lines)"),
      Flag.optional
    ),
    json: Flag.Boolean("json").pipe(Flag.withDescription("Print the report as JSON"), Flag.withDefault(false))
  },
  (input) =>
    runImport({
      dir: input.dir,
      batchSize: input.batchSize,
      refresh: !input.noRefresh,
      json: input.json,
      ...Option.match(input.rejects, { onNone: () => ({}), onSome: (rejects) => ({ rejects }) })
    })
).pipe(
  Command.withDescription(
    "Import an OWS JSONL folder into the database (idempotent; bad records quarantined) and refresh the indicators"
  )
)
