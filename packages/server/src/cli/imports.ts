import { ImportHistory, type ImportSummary } from "@adalqarau/adapters/postgres"
import { formatAlmaty } from "@adalqarau/core"
import { Console, Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { type CliFailure, runFailure, usageFailure } from "./CliFailure.ts"
import { describeDatabase, withDatabase } from "./database.ts"
import { formatCount, renderTable } from "./output.ts"
import { pruneRejectionsCommand } from "./pruneRejections.ts"

export interface ImportsCommandOptions {
  readonly limit: number
  /** Only the imports older than this one (the next page: what the previous one printed). */
  readonly before?: number
  readonly json: boolean
}

const COUNTS = ["batches", "read", "inserted", "updated", "unchanged", "rejected"] as const

/**
 * Whether the import's rejected records can be read (`adalqarau rejects`): `kept`, `pruned`, or `none` when it
 * rejected nothing: a yes/no "kept" would say yes to an import that stored no rejection.
 */
const rejectionsState = (i: ImportSummary): "kept" | "pruned" | "none" =>
  i.rejectionsPrunedAt !== null ? "pruned" : i.rejected === 0 ? "none" : "kept"

/** The table's column: the state, and when the rejections were pruned. */
const rejectionsText = (i: ImportSummary): string =>
  i.rejectionsPrunedAt === null ? rejectionsState(i) : `pruned ${formatAlmaty(i.rejectionsPrunedAt)}`

const encodeImport = (i: ImportSummary) => ({
  importId: i.importId,
  source: i.source,
  startedAt: formatAlmaty(i.startedAt),
  finishedAt: formatAlmaty(i.finishedAt),
  batches: i.batches,
  read: i.read,
  inserted: i.inserted,
  updated: i.updated,
  unchanged: i.unchanged,
  rejected: i.rejected,
  rejections: rejectionsState(i),
  rejectionsPrunedAt: i.rejectionsPrunedAt === null ? null : formatAlmaty(i.rejectionsPrunedAt)
})

/**
 * Lists past imports, newest first, with their counts and whether their rejections are kept: an import's number
 * was otherwise only in its own output. Times are Almaty's, with the offset.
 */
export const runImports = (options: ImportsCommandOptions): Effect.Effect<void, CliFailure> => {
  if (options.limit < 1) return Effect.fail(usageFailure("--limit must be at least 1"))
  if (options.before !== undefined && options.before < 1) {
    return Effect.fail(usageFailure("--before must be an import number, at least 1"))
  }
  const { before } = options
  return withDatabase(
    Effect.gen(function* () {
      const page = yield* (yield* ImportHistory)
        .list({ limit: options.limit, ...(before === undefined ? {} : { before }) })
        .pipe(Effect.mapError((e) => runFailure(e.message)))
      if (options.json) {
        yield* Console.log(JSON.stringify({ imports: page.imports.map(encodeImport), next: page.next }, null, 2))
        return
      }
      if (page.imports.length === 0) {
        const where = yield* describeDatabase
        yield* Console.log(
          before === undefined ? `No import in ${where} yet` : `No import older than import ${before} in ${where}`
        )
        return
      }
      yield* Console.log(
        renderTable({
          columns: [
            { header: "import", align: "right" },
            { header: "source" },
            { header: "started" },
            { header: "finished" },
            ...COUNTS.map((header) => ({ header, align: "right" as const })),
            { header: "rejections" }
          ],
          rows: page.imports.map((i) => [
            String(i.importId),
            i.source,
            formatAlmaty(i.startedAt),
            formatAlmaty(i.finishedAt),
            ...COUNTS.map((column) => formatCount(i[column])),
            rejectionsText(i)
          ])
        })
      )
      const shown = `${formatCount(page.imports.length)} ${page.imports.length === 1 ? "import" : "imports"} shown`
      yield* Console.log(page.next === null ? shown : `${shown}; older ones: adalqarau imports --before ${page.next}`)
    })
  )
}

export const importsCommand = Command.make(
  "imports",
  {
    limit: Flag.Int("limit").pipe(Flag.withDescription("How many imports to list"), Flag.withDefault(20)),
    before: Flag.Int("before").pipe(
      Flag.withDescription("List only the imports older than this one (the next page, as the listing says)"),
      Flag.optional
    ),
    json: Flag.Boolean("json").pipe(Flag.withDescription("Print them as JSON"), Flag.withDefault(false))
  },
  (input) =>
    runImports({
      limit: input.limit,
      json: input.json,
      ...Option.match(input.before, { onNone: () => ({}), onSome: (before) => ({ before }) })
    })
).pipe(
  Command.withDescription(
    "List past imports, newest first: source, times, batches, records read/inserted/updated/unchanged/rejected, " +
      "and whether their rejected records are kept"
  ),
  Command.withSubcommands([pruneRejectionsCommand])
)
