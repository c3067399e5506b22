/**
 * PostgreSQL storage: migrations, the ContractStore and FindingStore ports, bulk import with quarantine, and the
 * SQL indicator engine (every standard indicator evaluated inside the database, identical to core's in-memory
 * engine). The same adapters run on PGlite (see ../pglite).
 */
export { chainKeyMaintenance, rebuildChainKeys } from "./chains.ts"
export {
  importFolder,
  layerMigrations,
  layerPgFromConfig,
  layerSqlServices,
  layerStorage,
  PgConfig,
  type StorageServices
} from "./Database.ts"
export { DEFAULT_MIGRATIONS_DIR, loadMigrationsFrom, runMigrations, splitStatements } from "./migrations.ts"
export { CHANGE_CHANNEL, layerPgChangeFeed, makePgChangeFeed } from "./PgChangeFeed.ts"
export { INGEST_LOCK, layerPgContractStore, makePgContractStore } from "./PgContractStore.ts"
export { layerPgFindingStore, makePgFindingStore } from "./PgFindingStore.ts"
export {
  type BatchCounts,
  type BatchReport,
  type CountsByKind,
  type FolderImportOptions,
  ImportError,
  type ImportOptions,
  type ImportReport,
  layerSqlImporter,
  makeSqlImporter,
  SqlImporter
} from "./PgImporter.ts"
export {
  ImportHistory,
  ImportHistoryError,
  type ImportHistoryPage,
  type ImportSummary,
  layerPgImportHistory,
  makePgImportHistory,
  type PruneReport
} from "./PgImportHistory.ts"
export {
  layerSqlIndicatorEngine,
  makeSqlIndicatorEngine,
  SqlIndicatorEngine,
  type SqlRunReport
} from "./PgIndicatorEngine.ts"
export {
  type ImportRejects,
  layerPgRejectStore,
  makePgRejectStore,
  type RejectCursor,
  type RejectPage,
  RejectStore,
  RejectStoreError
} from "./PgRejectStore.ts"
export { SPLIT_FROM_ROWS, type SplitOptions } from "./keyRange.ts"
export { finPartOf, upsertRecords } from "./upsert.ts"
export {
  type AccountServices,
  layerPgAccounts,
  layerPgRunStore,
  layerPgSessionStore,
  layerPgUserStore,
  makePgRunStore,
  makePgSessionStore,
  makePgUserStore
} from "./accounts/index.ts"
export { sqlErrorText } from "./sqlErrorText.ts"
