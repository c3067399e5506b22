import { analyzeJsonlFolder, findingsFormatOf, jsonlFolderListing, writeFindings } from "@adalqarau/adapters/files"
import { Console, Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { summarize, renderSummary } from "./analysisSummary.ts"
import { type CliFailure, runFailure, usageFailure } from "./CliFailure.ts"
import { checkOutputPaths, folderInputs, type InputPath, type OutputPath } from "./outputPaths.ts"
import { loadParams } from "./params.ts"
import { makeProgress, type ProgressSink, stderrSink } from "./progress.ts"
import { makeRejectReport } from "./rejectReport.ts"
import { unreadNote } from "./unreadNote.ts"

export interface AnalyzeOptions {
  readonly dir: string
  readonly params?: string
  readonly out?: string
  readonly rejects?: string
  readonly json: boolean
}

/** What analyze reads: the folder and its kind files (`folderInputs`), and the params file. */
const inputsOf = (options: AnalyzeOptions): ReadonlyArray<InputPath> => [
  ...folderInputs(options.dir),
  ...(options.params === undefined ? [] : [{ path: options.params, description: `the params file ${options.params}` }])
]

const outputsOf = (options: AnalyzeOptions): ReadonlyArray<OutputPath> => [
  ...(options.out === undefined ? [] : [{ flag: "--out", path: options.out }]),
  ...(options.rejects === undefined ? [] : [{ flag: "--rejects", path: options.rejects }])
]

/**
 * Reads an OWS JSONL folder, runs every indicator and prints the summary. Parameters and the output format are
 * checked before any data is read, and the output paths before any file is opened; bad records are reported and
 * never stop the run.
 */
export const runAnalyze = (
  options: AnalyzeOptions,
  stderr: ProgressSink = stderrSink
): Effect.Effect<void, CliFailure> =>
  Effect.scoped(
    Effect.gen(function* () {
      yield* checkOutputPaths(inputsOf(options), outputsOf(options))
      const params = options.params === undefined ? {} : yield* loadParams(options.params)
      if (options.out !== undefined) {
        yield* findingsFormatOf(options.out).pipe(Effect.mapError((e) => usageFailure(e.message)))
      }

      // The rejects file is created only once the folder is known to be readable: a wrong folder leaves no file.
      const listing = yield* jsonlFolderListing(options.dir).pipe(Effect.mapError((e) => runFailure(e.message)))
      const progress = makeProgress(`reading ${options.dir}`, stderr)
      const note = unreadNote(listing.unread)
      if (note !== undefined) yield* progress.print(note)
      const rejects = yield* makeRejectReport(progress.print, options.rejects)
      const started = performance.now()
      // The fast path: worker threads read the files straight into the dataset's columns (same report).
      const report = yield* analyzeJsonlFolder(options.dir, {
        params,
        onRejected: rejects.onRejected,
        onProgress: progress.update,
        progressEvery: progress.every
      }).pipe(
        Effect.ensuring(progress.finish),
        Effect.catchTags({
          ProcurementSourceError: (e) => Effect.fail(runFailure(e.message)),
          ParamsError: (e) => Effect.fail(usageFailure(`parameters: ${e.message}`))
        })
      )
      const elapsed = performance.now() - started
      yield* rejects.finish()

      if (options.out !== undefined) {
        yield* writeFindings(options.out, report.findings).pipe(Effect.mapError((e) => runFailure(e.message)))
      }
      const summary = summarize(
        report,
        options.dir,
        elapsed,
        {
          ...(options.out === undefined ? {} : { findings: options.out }),
          ...(options.rejects === undefined ? {} : { rejects: options.rejects })
        },
        listing.unread
      )
      yield* Console.log(options.json ? JSON.stringify(summary, null, 2) : renderSummary(summary))
    })
  )

export const analyzeCommand = Command.make(
  "analyze",
  {
    dir: Argument.String("dir").pipe(
      Argument.withDescription("Folder of OWS JSONL files (contracts.jsonl, contract_units.jsonl, lots.jsonl, …)")
    ),
    params: Flag.String("params").pipe(
      Flag.withDescription("params.json: filters and indicator parameters (defaults: adalqarau indicators)"),
      Flag.optional
    ),
    out: Flag.String("out").pipe(
      Flag.withDescription(
        "Write the findings to this file: .jsonl/.ndjson (JSON lines), .json (a JSON array) or .csv"
      ),
      Flag.optional
    ),
    rejects: Flag.String("rejects").pipe(
      Flag.withDescription("Write every rejected record to this file (JSON lines)"),
      Flag.optional
    ),
    json: Flag.Boolean("json").pipe(
      Flag.withDescription("Print the summary as JSON instead of tables"),
      Flag.withDefault(false)
    )
  },
  (input) =>
    runAnalyze({
      dir: input.dir,
      json: input.json,
      ...Option.match(input.params, { onNone: () => ({}), onSome: (params) => ({ params }) }),
      ...Option.match(input.out, { onNone: () => ({}), onSome: (out) => ({ out }) }),
      ...Option.match(input.rejects, { onNone: () => ({}), onSome: (rejects) => ({ rejects }) })
    })
).pipe(
  Command.withDescription(
    "Read a folder of OWS JSONL files, run every indicator and print what was read, evaluated and flagged"
  ),
  Command.withExamples([
    { command: "adalqarau analyze .data/sample", description: "Analyse a folder and print the summary" },
    {
      command: "adalqarau analyze .data/sample --params params.json --out findings.csv --rejects rejects.jsonl",
      description: "Custom thresholds; keep the findings and the rejected records"
    }
  ])
)
