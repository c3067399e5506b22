/**
 * The embedded default: the same SQL adapters on PGlite (PostgreSQL compiled to WASM, in process), with the
 * database in a local folder, so nothing has to be installed or started. `DatabaseLive` picks PostgreSQL when
 * `DATABASE_URL` is set and PGlite otherwise.
 */
import { join } from "node:path"
import { ChangeFeed } from "@adalqarau/core"
import { Config, Effect, Layer, Option } from "effect"
import type { Migrator, SqlClient, SqlError } from "effect/sql"
import { layerPgFromConfig, layerStorage, type StorageServices } from "../postgres/Database.ts"
import { layerPgChangeFeed } from "../postgres/PgChangeFeed.ts"
import { layerPglite } from "./PgliteClient.ts"

export { acquirePglite, layerPglite, makePgliteClient, PgliteDatabase, type PgliteOptions } from "./PgliteClient.ts"

/** `ADALQARAU_DATA_DIR` (default `.data`): the folder of local data; PGlite keeps its database in `pglite/` there. */
export const DataDirConfig = Config.String("ADALQARAU_DATA_DIR").pipe(Config.withDefault(".data"))

export const pgliteDirOf = (dataDir: string): string => join(dataDir, "pglite")

/** PGlite in `$ADALQARAU_DATA_DIR/pglite`, persistent across runs. */
export const layerPgliteFromConfig: Layer.Layer<SqlClient.SqlClient, Config.ConfigError | SqlError.SqlError> =
  Layer.unwrap(Effect.map(DataDirConfig, (dir) => layerPglite({ dataDir: pgliteDirOf(dir) })))

/**
 * PostgreSQL when DATABASE_URL is set, else the embedded PGlite; with the database's ChangeFeed: PostgreSQL's
 * notifications, or none for PGlite (caches over it read through).
 */
export const layerSqlFromConfig: Layer.Layer<SqlClient.SqlClient | ChangeFeed, Config.ConfigError | SqlError.SqlError> =
  Layer.unwrap(
    Effect.map(Config.option(Config.Redacted("DATABASE_URL")), (url) =>
      Option.isSome(url)
        ? layerPgChangeFeed.pipe(Layer.provideMerge(layerPgFromConfig))
        : Layer.merge(layerPgliteFromConfig, ChangeFeed.layerDeaf)
    )
  )

/**
 * The application's storage: PostgreSQL or PGlite chosen from the environment, migrations applied at start, and
 * ContractStore, FindingStore, IndicatorEngine (plus SqlIndicatorEngine.refresh) and SqlImporter provided.
 */
export const DatabaseLive: Layer.Layer<
  StorageServices | SqlClient.SqlClient | ChangeFeed,
  Config.ConfigError | SqlError.SqlError | Migrator.MigrationError
> = layerStorage(layerSqlFromConfig)
