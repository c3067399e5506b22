import { type Duration, Effect, Option } from "effect"
import { SqlClient, type SqlConnection, type SqlError } from "effect/sql"
import { pgArray } from "./values.ts"

/**
 * Settings a peer takes over from the calling transaction, so that its statements are planned as the caller's
 * would be (a full run's memory per sort, its costs of parallel query, the plan methods it turned off).
 */
const PLANNER_SETTINGS = [
  "work_mem",
  "jit",
  "parallel_setup_cost",
  "parallel_tuple_cost",
  "random_page_cost",
  "enable_hashjoin",
  "enable_hashagg",
  "enable_mergejoin",
  "enable_nestloop",
  "enable_sort",
  "enable_seqscan"
] as const

/** pg_export_snapshot()'s identifier (`00000003-0000001B-1`): checked before it is written into SQL text. */
const SNAPSHOT_ID = /^[0-9A-F]+-[0-9A-F]+-[0-9]+$/u

/** How long a full run waits for a second connection from the pool before it computes alone. */
export const PEER_ACQUIRE_TIMEOUT: Duration.Input = "2 seconds"

/**
 * Runs `main` in the calling transaction and, at the same time, `statements` on a second connection from the
 * pool, in a REPEATABLE READ transaction that imports the caller's snapshot (`pg_export_snapshot`): the peer
 * reads the data as the caller's snapshot shows it, without the caller's own uncommitted writes. The peer
 * commits when its statements are done, and the caller's next statements see what it wrote. A failure on either
 * side stops the other (an interrupted peer's query is cancelled and its transaction rolled back) and fails the
 * whole.
 *
 * Two backends use two cores where one statement, serial in PostgreSQL, uses one. `Option.none()` when no peer
 * can be had: PGlite (one connection in the process), a caller that is not at the top of a transaction (a
 * snapshot cannot be exported from a savepoint), or no free connection within `PEER_ACQUIRE_TIMEOUT` (a pool of
 * one, or one busy serving). The caller then does the work alone.
 */
export const withSnapshotPeer = <A, E, R>(
  statements: ReadonlyArray<string>,
  main: Effect.Effect<A, E, R>
): Effect.Effect<Option.Option<A>, E | SqlError.SqlError, R | SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // @effect/sql-pg 4.0.5 leaves `driver` unset; PGlite's client names itself.
    if (sql.driver === "pglite") return Option.none()
    const level = yield* Effect.serviceOption(sql.transactionService)
    if (Option.isNone(level) || level.value[1] !== 0) return Option.none()
    return yield* Effect.scoped(
      Effect.gen(function* () {
        const peer = yield* Effect.timeoutOption(sql.reserve, PEER_ACQUIRE_TIMEOUT)
        if (Option.isNone(peer)) return Option.none()
        const [exported] = yield* sql<{ readonly id: string }>`SELECT pg_export_snapshot() AS id`
        if (exported === undefined || !SNAPSHOT_ID.test(exported.id)) {
          return yield* Effect.die(new Error(`pg_export_snapshot() returned ${JSON.stringify(exported?.id)}`))
        }
        const settings = yield* sql<{ readonly name: string; readonly value: string }>`
          SELECT name, current_setting(name) AS value FROM unnest(${pgArray([...PLANNER_SETTINGS])}::text[]) AS name`
        const [a] = yield* Effect.all([main, runPeer(peer.value, exported.id, settings, statements)], {
          concurrency: 2
        })
        return Option.some(a)
      })
    )
  })

const runPeer = (
  connection: SqlConnection.Connection,
  snapshot: string,
  settings: ReadonlyArray<{ readonly name: string; readonly value: string }>,
  statements: ReadonlyArray<string>
): Effect.Effect<void, SqlError.SqlError> => {
  const run = (text: string, params: ReadonlyArray<unknown> = []) =>
    Effect.asVoid(connection.executeUnprepared(text, params, undefined))
  const body = Effect.gen(function* () {
    // The snapshot must be set before the transaction's first query.
    yield* run(`SET TRANSACTION SNAPSHOT '${snapshot}'`)
    yield* run("SELECT set_config(s.name, s.value, true) FROM unnest($1::text[], $2::text[]) AS s(name, value)", [
      pgArray(settings.map((s) => s.name)),
      pgArray(settings.map((s) => s.value))
    ])
    for (const statement of statements) yield* run(statement)
    yield* run("COMMIT")
  })
  return Effect.andThen(
    run("BEGIN ISOLATION LEVEL REPEATABLE READ"),
    body.pipe(
      // The connection goes back to the pool: it must not stay inside a failed or abandoned transaction. The
      // error reported is the statement's; a failed ROLLBACK is logged beside it.
      Effect.onExit((exit) =>
        exit._tag === "Success"
          ? Effect.void
          : run("ROLLBACK").pipe(
              Effect.catch((e) => Effect.logWarning("ROLLBACK of a snapshot peer failed", e)),
              Effect.uninterruptible
            )
      )
    )
  )
}
