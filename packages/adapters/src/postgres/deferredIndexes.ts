import { Effect, Option } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import { unlessImportRuns } from "./importLock.ts"
import { withIngestLock } from "./PgContractStore.ts"
import { pgArray } from "./values.ts"

/**
 * The secondary indexes of `contract` that only readers use (search by BIN, contract number, sign date) — never
 * the import's own statements, which find versions by id (the primary key) and children by parent (kept).
 * Maintaining them row by row is most of what an import into a large table costs per contract; a bulk load into
 * an empty table drops them and builds them once at the end, as pg_restore does.
 */
export const LOOKUP_INDEXES = [
  "contract_customer_idx",
  "contract_supplier_idx",
  "contract_number_idx",
  "contract_number_sys_idx",
  "contract_sign_date_idx"
] as const

/**
 * Drops the lookup indexes that exist and records their definitions in `deferred_index`, in one transaction (under
 * the ingest lock, so no batch is half-way). Definitions come from the catalogue, so the migrations stay their only
 * source; `ON ONLY` is removed, since building with it would create the partitioned parent's index alone.
 */
export const deferLookupIndexes: Effect.Effect<number, SqlError.SqlError, SqlClient.SqlClient> = Effect.gen(
  function* () {
    const sql = yield* SqlClient.SqlClient
    return yield* Effect.gen(function* () {
      const indexes = yield* sql<{ readonly name: string; readonly definition: string }>`
        SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = 'contract'::regclass AND c.relname = ANY(${pgArray([...LOOKUP_INDEXES])}::text[])`
      for (const index of indexes) {
        yield* sql`
          INSERT INTO deferred_index (name, definition)
          VALUES (${index.name}, ${index.definition.replace(/ ON ONLY /u, " ON ")})
          ON CONFLICT (name) DO NOTHING`
        yield* sql`DROP INDEX ${sql(index.name)}`
      }
      return indexes.length
    }).pipe(withIngestLock(sql), sql.withTransaction)
  }
)

/**
 * Builds every index recorded in `deferred_index` that does not exist, and forgets them all, in one transaction
 * under the ingest lock: at the end of a bulk import, and when the storage starts (`restoreAbandonedIndexes`).
 * Returns how many were built.
 */
export const restoreDeferredIndexes: Effect.Effect<number, SqlError.SqlError, SqlClient.SqlClient> = Effect.gen(
  function* () {
    const sql = yield* SqlClient.SqlClient
    // The usual case, at every start: nothing deferred, and no need to wait for the ingest lock to know it.
    const any = yield* sql<{ readonly n: number }>`SELECT count(*)::int AS n FROM deferred_index`
    if ((any[0]?.n ?? 0) === 0) return 0
    return yield* Effect.gen(function* () {
      const deferred = yield* sql<{ readonly name: string; readonly definition: string; readonly present: boolean }>`
        SELECT d.name, d.definition, to_regclass(quote_ident(d.name)) IS NOT NULL AS present
        FROM deferred_index d ORDER BY d.name FOR UPDATE`
      if (deferred.length === 0) return 0
      const missing = deferred.filter((d) => !d.present)
      for (const index of missing) yield* sql.unsafe(index.definition)
      yield* sql`DELETE FROM deferred_index`
      return missing.length
    }).pipe(withIngestLock(sql), sql.withTransaction)
  }
)

/**
 * At a start of the storage: the indexes an import that died on the way left deferred, built (how many), or none
 * when the import that deferred them is still running (it holds the import lock, `importLock.ts`) — it builds
 * them at its end, and building them now would leave the rest of its load maintaining them row by row.
 */
export const restoreAbandonedIndexes: Effect.Effect<
  Option.Option<number>,
  SqlError.SqlError,
  SqlClient.SqlClient
> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // The usual case, at every start: nothing deferred, and no need to ask for the import lock to know it.
  const any = yield* sql<{ readonly n: number }>`SELECT count(*)::int AS n FROM deferred_index`
  if ((any[0]?.n ?? 0) === 0) return Option.some(0)
  return yield* unlessImportRuns(restoreDeferredIndexes)
}).pipe(Effect.withSpan("deferredIndexes.restoreAbandoned"))
