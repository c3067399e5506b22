import { ImportHistory } from "@adalqarau/adapters/postgres"
import { formatAlmaty } from "@adalqarau/core"
import { Console, Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { type CliFailure, runFailure, usageFailure } from "./CliFailure.ts"
import { describeDatabase, withDatabase } from "./database.ts"
import { formatCount } from "./output.ts"

export interface PruneRejectionsOptions {
  /** The import whose elders' rejections go; it must exist, so the newest import's always stay. */
  readonly before: number
  readonly json: boolean
}

const plural = (n: number, one: string, many: string): string => `${formatCount(n)} ${n === 1 ? one : many}`

/**
 * Deletes the stored rejected records of the imports older than import `before`, keeping the imports and their
 * counts: `rejected_record` otherwise grows with every import of the same bad file. `adalqarau imports --before N`
 * lists exactly the imports this touches.
 */
export const runPruneRejections = (options: PruneRejectionsOptions): Effect.Effect<void, CliFailure> =>
  options.before < 1
    ? Effect.fail(usageFailure("--before must be an import number, at least 1"))
    : withDatabase(
        Effect.gen(function* () {
          const history = yield* ImportHistory
          const pruned = yield* history
            .pruneRejections(options.before)
            .pipe(Effect.mapError((e) => runFailure(e.message)))
          if (Option.isNone(pruned)) {
            // An import number that is not one would prune up to a guess: the operator names one that `imports` lists.
            const where = yield* describeDatabase
            const latest = yield* history.list({ limit: 1 }).pipe(Effect.mapError((e) => runFailure(e.message)))
            const newest = latest.imports[0]?.importId
            return yield* runFailure(
              newest === undefined
                ? `no import in ${where} yet: there are no rejections to prune`
                : `no import ${options.before} in ${where} (the latest is import ${newest}; adalqarau imports ` +
                    "lists them): --before must name an existing import"
            )
          }
          const { before, imports, records, prunedAt } = pruned.value
          if (options.json) {
            yield* Console.log(
              JSON.stringify(
                { before, imports, records, prunedAt: imports === 0 ? null : formatAlmaty(prunedAt) },
                null,
                2
              )
            )
            return
          }
          yield* Console.log(
            imports === 0
              ? `No stored rejections older than import ${before}: nothing deleted`
              : `Deleted ${plural(records, "rejected record", "rejected records")} of ` +
                  `${plural(imports, "import", "imports")} older than import ${before}; their counts are kept ` +
                  "(adalqarau imports)"
          )
        })
      )

export const pruneRejectionsCommand = Command.make(
  "prune-rejections",
  {
    before: Flag.Int("before").pipe(
      Flag.withDescription(
        "An import's number: the rejected records of every import older than it are deleted (its own are kept)"
      )
    ),
    json: Flag.Boolean("json").pipe(Flag.withDescription("Print what was deleted as JSON"), Flag.withDefault(false))
  },
  (input) => runPruneRejections({ before: input.before, json: input.json })
).pipe(
  Command.withDescription(
    "Delete the stored rejected records of the imports older than import N, in one transaction; their counts stay"
  )
)
