import { Console, Effect } from "effect"
import { Command } from "effect/cli"
import { SqlClient } from "effect/sql"
import { type CliFailure, runFailure } from "./CliFailure.ts"
import { describeDatabase, withDatabase } from "./database.ts"

/** Applies pending migrations (the database layer does on start) and lists what the database now has. */
export const runMigrate: Effect.Effect<void, CliFailure> = withDatabase(
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const applied = yield* sql<{ migration_id: number | string; name: string }>`
      SELECT migration_id, name FROM schema_migrations ORDER BY migration_id
    `.pipe(Effect.mapError((e) => runFailure(`reading the migration table failed: ${e.message}`)))
    const where = yield* describeDatabase
    yield* Console.log(`${where}: ${applied.length} migrations applied, the database is up to date`)
    for (const m of applied) yield* Console.log(`  ${String(m.migration_id).padStart(4, "0")} ${m.name}`)
  })
)

export const migrateCommand = Command.make("migrate", {}, () => runMigrate).pipe(
  Command.withDescription(
    "Apply pending SQL migrations to the database (DATABASE_URL, else the embedded PGlite in $ADALQARAU_DATA_DIR)"
  )
)
