import { DataDirConfig, DatabaseLive, pgliteDirOf } from "@adalqarau/adapters/pglite"
import { sqlErrorText } from "@adalqarau/adapters/postgres"
import { Config, Effect, type Layer, Option, Redacted } from "effect"
import { type CliFailure, runFailure } from "./CliFailure.ts"

/** Where the commands' data lives: PostgreSQL when DATABASE_URL is set, else the embedded PGlite folder. */
export const describeDatabase: Effect.Effect<string> = Effect.gen(function* () {
  const url = yield* Config.option(Config.Redacted("DATABASE_URL"))
  if (Option.isSome(url)) {
    // Never print credentials: host, port and database name are enough to know which server it is.
    const parsed = URL.canParse(Redacted.value(url.value)) ? new URL(Redacted.value(url.value)) : undefined
    return parsed === undefined ? "PostgreSQL (DATABASE_URL)" : `PostgreSQL at ${parsed.host}${parsed.pathname}`
  }
  const dir = yield* DataDirConfig
  return `embedded PGlite in ${pgliteDirOf(dir)}`
}).pipe(Effect.orElseSucceed(() => "the configured database"))

type DatabaseServices = Layer.Success<typeof DatabaseLive>

/**
 * Runs a command's effect over the database (migrations applied first). Failures to reach, configure or migrate
 * the database become one-line CLI failures naming the database.
 */
export const withDatabase = <A>(effect: Effect.Effect<A, CliFailure, DatabaseServices>): Effect.Effect<A, CliFailure> =>
  Effect.gen(function* () {
    const where = yield* describeDatabase
    return yield* effect.pipe(
      Effect.provide(DatabaseLive),
      // The driver's own message is generic ("PgConnection: Failed to connect"); the cause says what to fix
      // (a refused port, a wrong password, a missing database, a permission).
      Effect.catch((error) =>
        Effect.fail(error._tag === "CliFailure" ? error : runFailure(`${where}: ${sqlErrorText(error)}`))
      )
    )
  })
