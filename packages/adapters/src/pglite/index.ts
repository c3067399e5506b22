/**
 * The embedded default: the same SQL adapters on PGlite (PostgreSQL compiled to WASM, in process), with the
 * database in a local folder, so nothing has to be installed or started. `DatabaseLive` picks PostgreSQL when
 * `DATABASE_URL` is set and PGlite otherwise.
 */
import { join } from "node:path"
import type { ChangeFeed } from "@adalqarau/core"
import { Config, Effect, Layer, Option } from "effect"
import type { Migrator, SqlClient, SqlError } from "effect/sql"
import { layerPgFromConfig, layerStorage, type StorageServices } from "../postgres/Database.ts"
import { layerPgChangeFeed } from "../postgres/PgChangeFeed.ts"
import { layerPgliteChangeFeed } from "./PgliteChangeFeed.ts"
import { layerPglite, type PgliteDatabase } from "./PgliteClient.ts"

export { layerPgliteChangeFeed, makePgliteChangeFeed } from "./PgliteChangeFeed.ts"
export { acquirePglite, layerPglite, makePgliteClient, PgliteDatabase, type PgliteOptions } from "./PgliteClient.ts"

/** `ADALQARAU_DATA_DIR` (default `.data`): the folder of local data; PGlite keeps its database in `pglite/` there. */
export const DataDirConfig = Config.String("ADALQARAU_DATA_DIR").pipe(Config.withDefault(".data"))

export const pgliteDirOf = (dataDir: string): string => join(dataDir, "pglite")

/** PGlite in `$ADALQARAU_DATA_DIR/pglite`, persistent across runs. */
export const layerPgliteFromConfig: Layer.Layer<
  SqlClient.SqlClient | PgliteDatabase,
  Config.ConfigError | SqlError.SqlError
> = Layer.unwrap(Effect.map(DataDirConfig, (dir) => layerPglite({ dataDir: pgliteDirOf(dir) })))

/**
 * PostgreSQL when DATABASE_URL is set, else the embedded PGlite; with the database's ChangeFeed (the triggers'
 * notifications, over a connection of its own or in process).
 */
export const layerSqlFromConfig: Layer.Layer<SqlClient.SqlClient | ChangeFeed, Config.ConfigError | SqlError.SqlError> =
  Layer.unwrap(
    Effect.map(Config.option(Config.Redacted("DATABASE_URL")), (url) =>
      Option.isSome(url)
        ? layerPgChangeFeed.pipe(Layer.provideMerge(layerPgFromConfig))
        : layerPgliteChangeFeed.pipe(Layer.provideMerge(layerPgliteFromConfig))
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
