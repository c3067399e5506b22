import { RejectStore } from "@adalqarau/adapters/postgres"
import { formatAlmaty, type RecordRejection } from "@adalqarau/core"
import { Console, Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { type CliFailure, runFailure, usageFailure } from "./CliFailure.ts"
import { describeDatabase, withDatabase } from "./database.ts"
import { formatCount } from "./output.ts"
import { encodeRejection, makeRejectReport } from "./rejectReport.ts"
import { eachStoredRejection } from "./storedRejects.ts"

export interface RejectsCommandOptions {
  /** The import whose rejections to read; the latest when absent. */
  readonly importId?: number
  readonly limit: number
  readonly out?: string
  readonly json: boolean
}

/**
 * Prints the records an earlier import rejected, with file:line, kind, id, field, value and reason as analyze
 * prints them, or writes all of them to a file in analyze's --rejects format: with the embedded database there is
 * no other way to read `rejected_record`.
 */
export const runRejects = (options: RejectsCommandOptions): Effect.Effect<void, CliFailure> =>
  options.limit < 1 ? Effect.fail(usageFailure("--limit must be at least 1")) : withDatabase(readRejects(options))

/**
 * `runRejects` over the RejectStore given. The import and every page of its rejections are read in one snapshot:
 * read in separate statements, a pruning that committed between two of them left the listing partial, without
 * the word that the rest was pruned.
 */
export const readRejects = (options: RejectsCommandOptions): Effect.Effect<void, CliFailure, RejectStore> =>
  Effect.gen(function* () {
    const store = yield* RejectStore
    yield* store
      .snapshot(Effect.scoped(listRejects(options)))
      .pipe(Effect.catchTag("RejectStoreError", (e) => Effect.fail(runFailure(e.message))))
  })

const listRejects = (options: RejectsCommandOptions) =>
  Effect.gen(function* () {
    const found = yield* (yield* RejectStore)
      .importRejects(options.importId)
      .pipe(Effect.mapError((e) => runFailure(e.message)))
    if (Option.isNone(found)) {
      const where = yield* describeDatabase
      return yield* runFailure(
        options.importId === undefined ? `no import in ${where} yet` : `no import ${options.importId} in ${where}`
      )
    }
    const { importId, source, rejected, prunedAt } = found.value
    const which = `import ${importId} (${source})`
    // Printing none, or writing an empty file, would read as an import that rejected nothing.
    if (prunedAt !== null) {
      return yield* runFailure(
        `the ${formatCount(rejected)} rejected ${rejected === 1 ? "record" : "records"} of ${which} ` +
          `${rejected === 1 ? "was" : "were"} pruned at ${formatAlmaty(prunedAt)} ` +
          "(adalqarau imports prune-rejections); only its counts are kept: adalqarau imports"
      )
    }

    if (options.out !== undefined) {
      // analyze's rejects file: the same lines; nothing printed but the count.
      const file = yield* makeRejectReport(() => Effect.void, options.out)
      const written = yield* eachStoredRejection(importId, Number.POSITIVE_INFINITY, file.onRejected)
      yield* file.finish()
      yield* Console.log(`${formatCount(written)} rejected records of ${which} written to ${options.out}`)
      return
    }

    const shown: Array<RecordRejection> = []
    yield* eachStoredRejection(importId, options.limit, (rejection) => Effect.sync(() => void shown.push(rejection)))
    if (options.json) {
      yield* Console.log(
        JSON.stringify({ importId, source, rejected, rejections: shown.map((r) => encodeRejection(r)) }, null, 2)
      )
      return
    }
    for (const rejection of shown) yield* Console.log(rejection.text)
    yield* Console.log(
      rejected === 0
        ? `No rejected records in ${which}`
        : `${formatCount(shown.length)} of ${formatCount(rejected)} rejected records of ${which} shown` +
            (shown.length < rejected ? " (more: raise --limit or use --out FILE)" : "")
    )
  })

export const rejectsCommand = Command.make(
  "rejects",
  {
    importId: Flag.Int("import").pipe(
      Flag.withDescription("The import whose rejected records to read (its number, as import prints it)"),
      Flag.optional
    ),
    limit: Flag.Int("limit").pipe(Flag.withDescription("How many rejected records to print"), Flag.withDefault(50)),
    out: Flag.String("out").pipe(
      Flag.withDescription("Write every rejected record of the import to this file (JSON lines)"),
      Flag.optional
    ),
    json: Flag.Boolean("json").pipe(Flag.withDescription("Print them as JSON"), Flag.withDefault(false))
  },
  (input) =>
    runRejects({
      limit: input.limit,
      json: input.json,
      ...Option.match(input.importId, { onNone: () => ({}), onSome: (importId) => ({ importId }) }),
      ...Option.match(input.out, { onNone: () => ({}), onSome: (out) => ({ out }) })
    })
).pipe(
  Command.withDescription(
    "Print or export the records an import rejected, with file, line, field, value and reason (default: the latest)"
  )
)
