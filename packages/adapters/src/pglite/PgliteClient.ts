import { PGlite } from "@electric-sql/pglite"
import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, type Scope, Semaphore, Stream } from "effect"
import { Reactivity } from "effect/reactivity"
import { SqlClient, type SqlConnection, SqlError } from "effect/sql"
import { connectFailure, lockDataDir } from "./dataDirLock.ts"

/**
 * An effect/sql `SqlClient` over PGlite's own API, so the Pg adapters run unchanged on embedded PostgreSQL.
 *
 * Chosen over pglite-socket + @effect/sql-pg after measuring both (docs/storage.md): the socket path encodes
 * every row twice (wire protocol, then PGlite's own) and its multiplexer puts every pooled connection into the
 * one PGlite session, so two transactions would interleave. PGlite has exactly one session; this client gives
 * it to one fiber at a time (a semaphore, as effect/sql does for SQLite) and a transaction keeps it until it ends.
 */

export interface PgliteOptions {
  /** Folder holding the database files; created when missing. Absent: an in-memory database. */
  readonly dataDir?: string | undefined
  /**
   * A data folder dumped by `PGlite.dumpDataDir` to start from. Creating a database runs initdb, which takes
   * PGlite 8–18 s here; loading a dump takes about 1 s (the tests start every file from one).
   */
  readonly loadDataDir?: Blob | undefined
}

type Row = Record<string, unknown>

const classify = (cause: unknown, operation: string): SqlError.SqlError => {
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined
  const message = cause instanceof Error ? cause.message : String(cause)
  const props = { cause, message, operation }
  const reason =
    code === undefined
      ? new SqlError.UnknownError(props)
      : code === "23505"
        ? new SqlError.UniqueViolation({
            ...props,
            constraint:
              typeof cause === "object" &&
              cause !== null &&
              "constraint" in cause &&
              typeof cause.constraint === "string"
                ? cause.constraint
                : "unknown"
          })
        : code.startsWith("23")
          ? new SqlError.ConstraintError(props)
          : code === "42501"
            ? new SqlError.AuthorizationError(props)
            : code.startsWith("42")
              ? new SqlError.SqlSyntaxError(props)
              : code === "40P01"
                ? new SqlError.DeadlockError(props)
                : code === "40001"
                  ? new SqlError.SerializationError(props)
                  : code === "55P03"
                    ? new SqlError.LockTimeoutError(props)
                    : code === "57014"
                      ? new SqlError.StatementTimeoutError(props)
                      : new SqlError.UnknownError(props)
  return new SqlError.SqlError({ reason })
}

const makeConnection = (db: PGlite): SqlConnection.Connection => {
  const rows = (sql: string, params: ReadonlyArray<unknown>) =>
    Effect.tryPromise({
      try: () => db.query<Row>(sql, [...params]),
      catch: (cause) => classify(cause, "execute")
    })
  const arrays = (sql: string, params: ReadonlyArray<unknown>) =>
    Effect.tryPromise({
      try: () => db.query<Array<unknown>>(sql, [...params], { rowMode: "array" }),
      catch: (cause) => classify(cause, "execute")
    }).pipe(Effect.map((result) => result.rows as ReadonlyArray<ReadonlyArray<unknown>>))
  const execute = (
    sql: string,
    params: ReadonlyArray<unknown>,
    transformRows: (<A extends object>(row: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined
  ) =>
    Effect.map(rows(sql, params), (result) => (transformRows === undefined ? result.rows : transformRows(result.rows)))
  return {
    execute,
    executeRaw: (sql, params) => rows(sql, params),
    // PGlite materialises a result anyway; streaming it row by row is all that can be offered.
    executeStream: (sql, params, transformRows) => Stream.fromIterableEffect(execute(sql, params, transformRows)),
    executeValues: arrays,
    executeValuesUnprepared: arrays,
    executeUnprepared: execute
  }
}

/**
 * Opens PGlite (creating the data folder, and holding it for this process: dataDirLock.ts) and closes it with the
 * scope.
 */
export const acquirePglite = (options: PgliteOptions = {}): Effect.Effect<PGlite, SqlError.SqlError, Scope.Scope> =>
  Effect.andThen(
    options.dataDir === undefined ? Effect.void : lockDataDir(options.dataDir),
    Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          PGlite.create({
            ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
            ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir })
          }),
        catch: (cause) =>
          connectFailure(
            `cannot open PGlite${options.dataDir === undefined ? "" : ` in ${options.dataDir}`}: ${String(cause)}`,
            cause
          )
      }),
      (db) => Effect.promise(() => db.close())
    )
  )

/** A SqlClient over an open PGlite instance. */
export const makePgliteClient = (db: PGlite) =>
  Effect.gen(function* () {
    const connection = makeConnection(db)
    const semaphore = yield* Semaphore.make(1)
    const acquirers = SqlClient.makeSqliteAcquirers({ connection: Effect.succeed(connection), semaphore })
    return yield* SqlClient.make({
      acquirer: acquirers.acquirer,
      borrower: acquirers.borrower,
      transactionAcquirer: acquirers.transactionAcquirer,
      onCommitFailure: acquirers.onCommitFailure,
      compiler: PgClient.makeCompiler(),
      driver: "pglite",
      spanAttributes: [["db.system.name", "postgresql"]]
    })
  })

/** The raw PGlite instance behind the SqlClient, for the few things only PGlite can do (dumps, tests). */
export class PgliteDatabase extends Context.Service<PgliteDatabase, PGlite>()("@adalqarau/adapters/PgliteDatabase") {}

/** PGlite as the SqlClient: in memory, or persistent in `dataDir`. */
export const layerPglite = (
  options: PgliteOptions = {}
): Layer.Layer<SqlClient.SqlClient | PgliteDatabase, SqlError.SqlError> =>
  Layer.effectContext(
    Effect.gen(function* () {
      const db = yield* acquirePglite(options)
      const client = yield* makePgliteClient(db)
      return Context.make(SqlClient.SqlClient, client).pipe(Context.add(PgliteDatabase, db))
    })
  ).pipe(Layer.provide(Reactivity.layer))
