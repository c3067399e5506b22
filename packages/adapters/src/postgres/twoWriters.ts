import { Effect, Option, Schema } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import { INGEST_LOCK } from "./PgContractStore.ts"
import type { PreparedRecords } from "./upsert.ts"

/**
 * A bulk load writes two batches at once, each in its own transaction on its own connection, and still commits
 * them in order: batch N+1 inserts its new rows while batch N is written, then waits for N's commit before it
 * touches anything N may touch (`writeFresh`'s second phase) and commits after it. One PostgreSQL backend per
 * import was the bound (its statements about 45 s of a 1M import, with the second core a quarter idle).
 *
 * What keeps it safe:
 * - both batches hold the ingest lock shared (`lockShared`); runs and other imports take it exclusively, so none
 *   comes between the two, and a batch that finds a run on record after all (one that came between batches)
 *   writes nothing and is written again alone;
 * - every wait between the two is one PostgreSQL sees: batch N holds an advisory lock on its own position until
 *   it ends (`holdPosition`), and batch N+1 waits for that lock (`awaitPredecessor`), so a cycle through them
 *   would be found by the server's deadlock detection instead of hanging the import;
 * - two batches that share a key of their plain inserts (`sharesKeys`) are not written at once: the later one
 *   would wait on the earlier one's row, and two shared keys taken in opposite orders would deadlock them.
 */

/** A batch's keys in the tables its plain inserts fill. */
export interface BatchKeys {
  readonly contracts: ReadonlySet<number>
  readonly lots: ReadonlySet<number>
  readonly units: ReadonlySet<number>
  readonly payments: ReadonlySet<number>
}

export const batchKeys = (records: PreparedRecords): BatchKeys => ({
  contracts: new Set(records.versions.map((v) => v.id)),
  lots: new Set(records.ids.lots),
  units: new Set(records.ids.units),
  payments: new Set(records.ids.payments)
})

const meets = (a: ReadonlySet<number>, b: ReadonlySet<number>): boolean => {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a]
  for (const key of small) if (large.has(key)) return true
  return false
}

export const sharesKeys = (a: BatchKeys, b: BatchKeys): boolean =>
  meets(a.contracts, b.contracts) || meets(a.lots, b.lots) || meets(a.units, b.units) || meets(a.payments, b.payments)

/**
 * Whether this client can write two batches at once: PostgreSQL (PGlite has one connection) and not inside a
 * caller's transaction (whose one connection every statement would share).
 */
export const canWriteTwo = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // @effect/sql-pg 4.0.5 leaves `driver` unset; PGlite's client names itself.
  if (sql.driver === "pglite") return false
  return Option.isNone(yield* Effect.serviceOption(sql.transactionService))
})

/** A batch found a run on record under the shared lock: it wrote nothing and must be written alone. */
export class RunOnRecord extends Schema.TaggedError<RunOnRecord>()("RunOnRecord", {}) {}

/** The batch before this one rolled back: this one must not commit. */
export class PredecessorRolledBack extends Schema.TaggedError<PredecessorRolledBack>()("PredecessorRolledBack", {
  seq: Schema.Number
}) {}

/** Advisory locks of batch positions use the two-key form, apart from the ingest lock's one bigint key. */
const positionKeys = (importId: number, seq: number) => [String(importId % 2_147_483_647), String(seq)] as const

/** The ingest lock, shared with the load's other batch in flight (JIT off as in `withIngestLock`). */
export const lockShared = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`SELECT pg_advisory_xact_lock_shared(${String(INGEST_LOCK)}::bigint)`
  yield* sql`SET LOCAL jit = off`
})

/** Holds this batch's position until its transaction ends: the next batch waits for it. */
export const holdPosition = (
  importId: number,
  seq: number
): Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [a, b] = positionKeys(importId, seq)
    yield* sql`SELECT pg_advisory_xact_lock(${a}::int, ${b}::int)`
  })

/**
 * Waits until batch `seq` of the import has ended, then fails unless it committed (its import_batch row is
 * visible: the statement's snapshot is taken after the wait).
 */
export const awaitPredecessor = (
  importId: number,
  seq: number
): Effect.Effect<void, SqlError.SqlError | PredecessorRolledBack, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [a, b] = positionKeys(importId, seq)
    yield* sql`SELECT pg_advisory_xact_lock_shared(${a}::int, ${b}::int)`
    const rows = yield* sql<{ readonly committed: boolean }>`
      SELECT EXISTS (SELECT 1 FROM import_batch WHERE import_id = ${String(importId)}::bigint AND seq = ${seq})
        AS committed`
    if (rows[0]?.committed !== true) return yield* new PredecessorRolledBack({ seq })
  })
