import type { ContractStore, FindingStore, IndicatorEngine } from "@adalqarau/core"
import { PgClient } from "@effect/sql-pg"
import { Config, Effect, Layer, Option, Schema } from "effect"
import type { Migrator, SqlClient, SqlError } from "effect/sql"
import { type AccountServices, layerPgAccounts } from "./accounts/index.ts"
import { restoreAbandonedIndexes } from "./deferredIndexes.ts"
import { runMigrations } from "./migrations.ts"
import { layerPgContractStore } from "./PgContractStore.ts"
import { layerPgFindingStore } from "./PgFindingStore.ts"
import { type ImportHistory, layerPgImportHistory } from "./PgImportHistory.ts"
import { type FolderImportOptions, ImportError, layerSqlImporter, SqlImporter } from "./PgImporter.ts"
import { layerSqlIndicatorEngine, type SqlIndicatorEngine } from "./PgIndicatorEngine.ts"
import { layerPgRejectStore, type RejectStore } from "./PgRejectStore.ts"

/**
 * PostgreSQL from the environment: `DATABASE_URL` (kept redacted) and `PG_MAX_CONNECTIONS` (pool size, default 5,
 * at least 2: an import holds one connection for its lock and writes on another, so with one it would wait forever).
 * TCP keepalive after 10 s idle ends a connection whose peer vanished (a partition, a firewall that forgot it) in
 * about 20 s, instead of leaving it to wait forever; the change feed's own heartbeat notices sooner.
 */
export const PgConfig = Config.all({
  url: Config.Redacted("DATABASE_URL"),
  maxConnections: Config.schema(
    Schema.Int.check(Schema.isGreaterThanOrEqualTo(2, { message: "PG_MAX_CONNECTIONS must be at least 2" })),
    "PG_MAX_CONNECTIONS"
  ).pipe(Config.withDefault(5)),
  keepAlive: Config.succeed("10 seconds" as const)
})

export const layerPgFromConfig: Layer.Layer<
  PgClient.PgClient | SqlClient.SqlClient,
  Config.ConfigError | SqlError.SqlError
> = PgClient.layerConfig(PgConfig)

/**
 * Applies pending migrations when the layer is built (server start, every CLI command), then builds any index a
 * dead bulk import left deferred (one still running builds its own at its end).
 */
export const layerMigrations = (
  dir?: string
): Layer.Layer<never, Migrator.MigrationError | SqlError.SqlError, SqlClient.SqlClient> =>
  Layer.effectDiscard(
    (dir === undefined ? runMigrations() : runMigrations(dir)).pipe(
      Effect.andThen(restoreAbandonedIndexes),
      Effect.tap(
        Option.match({
          onNone: () =>
            Effect.logInfo("a bulk import is running: it builds the contract indexes it deferred when it ends"),
          onSome: (built) =>
            built === 0
              ? Effect.void
              : Effect.logWarning(`built ${built} contract indexes an interrupted import had deferred`)
        })
      )
    )
  )

/** Everything the storage offers, over whichever SqlClient (PostgreSQL or PGlite) is provided. */
export type StorageServices =
  | ContractStore
  | FindingStore
  | IndicatorEngine
  | SqlIndicatorEngine
  | SqlImporter
  | RejectStore
  | ImportHistory
  | AccountServices

export const layerSqlServices: Layer.Layer<StorageServices, never, SqlClient.SqlClient> = Layer.mergeAll(
  layerPgContractStore,
  layerPgFindingStore,
  layerSqlIndicatorEngine(),
  layerSqlImporter,
  layerPgRejectStore,
  layerPgImportHistory,
  layerPgAccounts
)

/**
 * The storage services over a SqlClient layer, with migrations applied first. The services are built afresh:
 * Effect reuses a layer already built by an enclosing `provide`, and services built over another SqlClient
 * would talk to the other database.
 */
export const layerStorage = <E, R, Other = never>(
  sqlLayer: Layer.Layer<SqlClient.SqlClient | Other, E, R>,
  options: { readonly migrationsDir?: string } = {}
): Layer.Layer<StorageServices | SqlClient.SqlClient | Other, E | Migrator.MigrationError | SqlError.SqlError, R> =>
  Layer.fresh(layerSqlServices).pipe(
    Layer.provideMerge(layerMigrations(options.migrationsDir)),
    Layer.provideMerge(sqlLayer)
  )

/** Imports a folder of OWS-shaped JSONL files (the CLI's format) through the SqlImporter (`importFolder`). */
export const importFolder = (dir: string, options: FolderImportOptions = {}) =>
  Effect.gen(function* () {
    const importer = yield* SqlImporter
    return yield* importer
      .importFolder(dir, options)
      .pipe(
        Effect.mapError((e) =>
          e._tag === "ImportError" ? e : new ImportError({ message: `reading ${dir} failed: ${e.message}`, cause: e })
        )
      )
  })
