import { Effect, Option, type Scope, Semaphore } from "effect"
import { SqlClient, type SqlConnection, type SqlError } from "effect/sql"

/**
 * The import-wide lock: a session-level advisory lock that an import holds from before it looks at the database
 * until it has ended, on a connection reserved for it. The ingest lock is taken per batch and, by a bulk load's
 * two batches in flight, shared, so it cannot keep two imports apart: both would decide alone that they are the
 * bulk load of an empty database, and their batches would interleave (or deadlock, through one import's two
 * batches and a batch of the other). Under this lock a second import waits for the first, then finds the
 * database filled. Indicator runs do not take it: between them and imports the per-batch ingest lock is enough.
 *
 * A start of the storage tries it too before building the indexes a bulk load deferred (`deferredIndexes.ts`):
 * held, their import is alive and builds them at its end; free, it died and they are built.
 *
 * PGlite has one session, where advisory locks are re-entrant and exclude nothing, and its one connection,
 * reserved for the lock, would leave none for the import's statements; its data directory belongs to one process
 * (`pglite/dataDirLock.ts`), so there the lock is a semaphore of the client's.
 */
export const IMPORT_LOCK = 7_240_511_002

/** How often a waiting import asks for the lock again (polling keeps the wait interruptible, see `tryLock`). */
const RETRY = "100 millis"

const unlock = (conn: SqlConnection.Connection) =>
  conn.executeUnprepared(`SELECT pg_advisory_unlock(${IMPORT_LOCK})`, [], undefined).pipe(
    Effect.asVoid,
    // The session keeps the lock until it ends: say so, rather than leave later imports waiting unexplained.
    Effect.catch((error) =>
      Effect.logError(`releasing the import lock failed; imports wait until its connection closes: ${error.message}`)
    )
  )

/**
 * One try, released with the scope when it succeeded. A blocking `pg_advisory_lock` interrupted on the client
 * can still be granted on the server afterwards, and the connection would go back to the pool holding it; a try
 * answers at once, and its release is registered before anything can interrupt.
 */
const tryLock = (conn: SqlConnection.Connection): Effect.Effect<boolean, SqlError.SqlError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.map(
      conn.executeUnprepared(`SELECT pg_try_advisory_lock(${IMPORT_LOCK}) AS locked`, [], undefined),
      (rows) => rows[0]?.locked === true
    ),
    (locked) => (locked ? unlock(conn) : Effect.void)
  )

const inProcess = new WeakMap<SqlClient.SqlClient, Semaphore.Semaphore>()

/** PGlite's lock: one per client, and so per database (a client opens one PGlite). */
const processLock = (sql: SqlClient.SqlClient): Semaphore.Semaphore => {
  const known = inProcess.get(sql)
  if (known !== undefined) return known
  const made = Semaphore.makeUnsafe(1)
  inProcess.set(sql, made)
  return made
}

const tryProcessLock = (lock: Semaphore.Semaphore): Effect.Effect<boolean, never, Scope.Scope> =>
  Effect.acquireRelease(Semaphore.takeIfAvailable(lock, 1), (taken) =>
    taken ? Effect.asVoid(Semaphore.release(lock, 1)) : Effect.void
  )

/** Holds the import lock until the scope closes (however it closes), waiting for any import that holds it. */
export const holdImportLock = Effect.fn("importLock.hold")(function* (source: string) {
  const sql = yield* SqlClient.SqlClient
  const waiting = Effect.logInfo(`import of ${source}: waiting for another import to finish`)
  if (sql.driver === "pglite") {
    const lock = processLock(sql)
    if (yield* tryProcessLock(lock)) return
    yield* waiting
    return yield* Semaphore.takeScoped(lock, 1)
  }
  const conn = yield* sql.reserve
  if (yield* tryLock(conn)) return
  yield* waiting
  while (!(yield* tryLock(conn))) yield* Effect.sleep(RETRY)
})

/**
 * Runs `effect` and returns its result, unless an import is running: then none, at once. The lock is held while
 * `effect` runs, so no import starts under it.
 */
export const unlessImportRuns = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<Option.Option<A>, E | SqlError.SqlError, R | SqlClient.SqlClient> =>
  Effect.scoped(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const free =
        sql.driver === "pglite" ? yield* tryProcessLock(processLock(sql)) : yield* tryLock(yield* sql.reserve)
      if (!free) return Option.none()
      return Option.some(yield* effect)
    })
  ).pipe(Effect.withSpan("importLock.unlessImportRuns"))
